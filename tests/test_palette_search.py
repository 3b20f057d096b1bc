"""The command palette finds what a tired user types. "stop", "abort", "kill", "cancel
fault" and "break glass" said "No matches found" (Textual matched the title alone, letter
by letter: "break glass" is "break-glass" there), and "halt" listed, after HALT ALL,
titles that merely had those letters in order. The Help entry read "…with its id for
(f1)": its "[keys]" was taken for markup, and "keys" found nothing."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.pilot import Pilot

from tests.helpers import SIZE, local_app, wait_for
from tests.palette_helpers import listed, open_all

FOUND = {  # typed -> the entry listed first, or every entry listed
    "stop": ["HALT ALL fault injection", "End selected fault window"],
    "abort": ["HALT ALL fault injection"],
    "kill": ["HALT ALL fault injection"],
    "halt": ["HALT ALL fault injection"],
    "cancel fault": ["End selected fault window"],
    "stop window": ["End selected fault window"],
    "break glass": ["Grant break-glass access"],
    "remove access": ["Revoke selected grant"],
    "keys": ["Help"],
}


async def typed(pilot: Pilot[None], text: str) -> list[str]:
    """Open the palette, type `text`, and the titles it lists once its hits have landed."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), what="palette")
    await pilot.press(*text)
    await wait_for(pilot, lambda: bool(listed(pilot)), what=f"a list for {text!r}")
    await pilot.pause(0.6)  # the palette adds hits in batches every 0.25 s
    titles = listed(pilot)
    await pilot.press("escape")
    await wait_for(pilot, lambda: len(pilot.app.screen_stack) == 1, what="closed")
    return titles


async def test_the_words_a_tired_user_types_find_the_entry() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        for text, wanted in FOUND.items():
            assert await typed(pilot, text) == wanted, text
        access = await typed(pilot, "access")  # the grant first, then the pane, the revoke
        assert access[0] == "Grant break-glass access" and "Revoke selected grant" in access
        assert (await typed(pilot, "tmln"))[0] == "Timeline"  # shorthand: letter by letter


async def test_the_help_entry_says_its_keys_table() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        shown = dict(await open_all(pilot))
        assert shown["Help"] == "Every key that works now, with its id for [keys] (?)"
