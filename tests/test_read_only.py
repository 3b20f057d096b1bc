"""Read-only mode (`--read-only`, `ui.read_only`): every mutating key, palette command and
headless command is refused, and says so; nothing that mutates is offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.helpers import SIZE, local_sources, wait_for
from tests.palette_helpers import search
from tui import cli
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.screens.help import HelpScreen

REFUSED = "Read-only mode: nothing can be changed from here."
MUTATING_TITLES = {
    "Schedule a fault window",
    "End selected fault window",
    "HALT ALL fault injection",
    "Grant break-glass access",
    "Revoke selected grant",
    "Rollback rehearsal",
}


def files(where: Path) -> dict[str, bytes]:
    """Every file under `where` but the log, with its bytes."""
    return {
        str(p.relative_to(where)): p.read_bytes()
        for p in sorted(where.rglob("*"))
        if p.is_file() and p.suffix != ".log"
    }


def test_read_only_refuses_step_up_enrolment_and_reconcile(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`stepup enroll` always writes a secret (a first one, or with --rotate a new one in
    place of the old: the old codes stop working); `faults reconcile` ends windows and
    starts scheduled ones. Both ran in read-only mode."""
    assert cli.main(["--read-only", "stepup", "enroll", "--no-qr"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert not [name for name in files(data_dir) if "stepup" in name or "totp" in name]

    assert cli.main(["stepup", "enroll", "--no-qr"]) == 0
    capsys.readouterr()
    enrolled = files(data_dir)
    assert cli.main(["--read-only", "stepup", "enroll", "--rotate", "--no-qr"]) == 1
    refused = capsys.readouterr()
    assert "read-only" in refused.err and "otpauth://" not in refused.out
    assert files(data_dir) == enrolled  # the secret is the one enrolled

    assert cli.main(["--read-only", "faults", "reconcile", "--once"]) == 1
    assert "read-only" in capsys.readouterr().err


def toasts(app: WatchfloorApp) -> list[str]:
    return [n.message for n in app._notifications]


async def press_refused(pilot: Pilot[None], app: WatchfloorApp, key: str) -> None:
    before = toasts(app).count(REFUSED)
    await pilot.press(key)
    await wait_for(pilot, lambda: toasts(app).count(REFUSED) > before, what=f"{key}: refused")
    assert len(app.screen_stack) == 1, f"{key} opened {app.screen}"


async def test_read_only_keys_say_why_nothing_happens_and_are_not_offered() -> None:
    app = WatchfloorApp(local_sources(), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        footer = app.query_one(KeyFooter)
        await wait_for(pilot, lambda: "Quit" in [k.description for k in footer.drawn], what="keys")
        shown = {k.description for k in footer.drawn}
        assert "Mark baseline" in shown and "Timeline" in shown
        assert not {"HALT ALL faults", "Fault window", "Grant access"} & shown
        for key in ("g", "f", "H", "R", "e"):
            await press_refused(pilot, app, key)
        await pilot.press("4")  # the grants pane: its own r revokes
        await press_refused(pilot, app, "r")

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {does for _section, _key, does, _id in help_screen.rows}
        assert "Timeline" in keys and "Revoke grant" not in keys and "Grant access" not in keys
        await pilot.press("escape")


@pytest.mark.parametrize("read_only", [True, False])
async def test_the_palette_lists_no_mutating_command_in_read_only_mode(read_only: bool) -> None:
    app = WatchfloorApp(local_sources(), read_only=read_only)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        titles = set(await search(pilot, "fault", "Focus faults pane"))
        faults = {"Schedule a fault window", "End selected fault window"}
        faults.add("HALT ALL fault injection")
        listed = {c.title for c in app.get_system_commands(app.main_screen)}
        assert "Timeline" in listed and "Focus faults pane" in listed
        if read_only:
            assert not faults & titles, titles
            assert not MUTATING_TITLES & listed
        else:
            assert faults <= titles, titles
            assert listed >= MUTATING_TITLES
