"""Driving the command palette like a user: ctrl+p, type, read the list, enter."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from tests.helpers import wait_for


def listed(pilot: Pilot[None]) -> list[str]:
    """The titles the open palette lists, top first (each option is its title, then its
    help text on the next line)."""
    screen = pilot.app.screen
    if not isinstance(screen, CommandPalette):
        return []
    options = screen.query_one(CommandList)
    prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
    return [str(p).partition("\n")[0] for p in prompts]


def entries(pilot: Pilot[None]) -> list[tuple[str, str]]:
    """(title, help text) of each command the open palette lists, top first."""
    screen = pilot.app.screen
    if not isinstance(screen, CommandPalette):
        return []
    options = screen.query_one(CommandList)
    prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
    return [(title, text) for title, _, text in (str(p).partition("\n") for p in prompts)]


async def open_all(pilot: Pilot[None]) -> list[tuple[str, str]]:
    """Open the palette with nothing typed: (title, help text) of every command it lists."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: len(entries(pilot)) > 10, what="the palette's commands")
    await pilot.pause(0.5)  # the palette adds hits in batches every 0.25 s: let them land
    return entries(pilot)


async def search(pilot: Pilot[None], text: str, expect: str) -> list[str]:
    """Open the palette, type `text` and wait until `expect` is listed; the titles listed."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), what="palette")
    await pilot.press(*text)
    await wait_for(
        pilot, lambda: any(expect in t for t in listed(pilot)), what=f"{expect!r} listed"
    )
    await pilot.pause(0.5)  # the palette adds hits in batches every 0.25 s: let them land
    return listed(pilot)


async def run_command(pilot: Pilot[None], title: str) -> None:
    """Run the palette command `title`: search for it, move onto it (the top hit is
    highlighted), press enter."""
    titles = await search(pilot, title, title)
    await pilot.press(*["down"] * titles.index(title))
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: not isinstance(pilot.app.screen, CommandPalette), what="palette closed"
    )
