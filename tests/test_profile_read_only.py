"""A profile's `ui.read_only` follows the profile when it is switched to from the palette;
`--read-only` on the command line sticks whatever the profile. The dashboard is built as
the command line builds it (tui.cli.dashboard_app) and driven with keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Header

from tests.helpers import SIZE, wait_for
from tests.palette_helpers import run_command, search
from tui.app import WatchfloorApp
from tui.cli import dashboard_app, parser
from tui.commands.common import load_config
from tui.footer import KeyFooter
from tui.screens.fault_window import FaultWindowScreen

PROFILES = """
[profiles.prod]
environment = "prod"
[profiles.prod.ui]
read_only = true
[profiles.stage]
environment = "stage"
"""
REFUSED = "Read-only mode: nothing can be changed from here."


def app_for(tmp_path: Path, *flags: str) -> WatchfloorApp:
    cfg = tmp_path / "profiles.toml"
    cfg.write_text(PROFILES, encoding="utf-8")
    args = parser().parse_args(["--config", str(cfg), *flags])
    return dashboard_app(args, load_config(args))


def toasts(app: WatchfloorApp) -> list[str]:
    return [n.message for n in app._notifications]


def drawn(app: WatchfloorApp) -> list[str]:
    return [k.description for k in app.query_one(KeyFooter).drawn]


async def test_switching_to_a_read_only_profile_makes_the_dashboard_read_only(
    tmp_path: Path,
) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(pilot, lambda: "HALT ALL faults" in drawn(app), what="HALT ALL shown")
        assert "read-only" not in app.sub_title

        await run_command(pilot, "Switch to profile prod")
        await wait_for(pilot, lambda: "env prod" in app.sub_title, what="on profile prod")
        assert "read-only" in app.sub_title and app.query_one(Header).has_class("-prod")
        await wait_for(pilot, lambda: "HALT ALL faults" not in drawn(app), what="keys hidden")
        assert not {"Fault window", "Grant access"} & set(drawn(app))
        await pilot.press("f")
        await wait_for(pilot, lambda: REFUSED in toasts(app), what="f refused, saying why")
        assert not isinstance(app.screen, FaultWindowScreen)
        titles = await search(pilot, "fault", "Focus faults pane")
        assert "HALT ALL fault injection" not in titles, titles
        await pilot.press("escape")

        await run_command(pilot, "Switch to profile stage")  # not read-only: keys are back
        await wait_for(pilot, lambda: "env stage" in app.sub_title, what="on profile stage")
        assert "read-only" not in app.sub_title
        await wait_for(pilot, lambda: "HALT ALL faults" in drawn(app), what="HALT ALL back")
        await pilot.press("f")
        await wait_for(
            pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="the fault form"
        )


@pytest.mark.parametrize(
    ("flags", "stays_read_only"),
    [((), False), (("--read-only",), True)],
    ids=["profile-read-only-follows-the-profile", "command-line-read-only-sticks"],
)
async def test_leaving_a_read_only_profile(
    tmp_path: Path, flags: tuple[str, ...], stays_read_only: bool
) -> None:
    app = app_for(tmp_path, *flags, "--profile", "prod")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        assert "read-only" in app.sub_title
        await run_command(pilot, "Switch to profile stage")
        await wait_for(pilot, lambda: "env stage" in app.sub_title, what="on profile stage")
        assert ("read-only" in app.sub_title) is stays_read_only
        await wait_for(
            pilot,
            lambda: ("HALT ALL faults" in drawn(app)) is not stays_read_only,
            what="the footer's keys",
        )
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FaultWindowScreen) is not stays_read_only


async def test_a_form_open_when_a_read_only_profile_comes_in_sends_nothing(
    tmp_path: Path,
) -> None:
    """The palette opens over a form: switch to the read-only prod profile from there and
    the form's submit went to prod's backends all the same. Now it says so and stays open,
    with what was typed."""
    from tests.test_faults_pilot import fill, form, windows
    from tui.fmt import form_read_only

    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        await app.switch_profile("prod")
        await wait_for(pilot, lambda: "read-only" in app.sub_title, what="read-only prod")
        screen = app.screen
        assert isinstance(screen, FaultWindowScreen)
        await fill(pilot, form("stage"))
        await pilot.pause(0.3)
        assert app.screen is screen
        assert form_read_only("Esc") in str(screen.query_one("#fault-error").render())
        await app.refresh_now("faults")
        assert windows(app) == {}


async def test_the_rehearsal_dialog_open_when_a_read_only_profile_comes_in_sends_nothing(
    tmp_path: Path,
) -> None:
    """The same for `R`: it closed and said nothing, the reason lost."""
    from textual.widgets import Input

    from tui.fmt import form_read_only
    from tui.screens.rehearsal import RehearsalScreen

    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="dialog")
        await app.switch_profile("prod")
        await wait_for(pilot, lambda: "read-only" in app.sub_title, what="read-only prod")
        screen = app.screen
        await pilot.press(*"rehearse the rollback on stage", "enter", *"ROLLBACK", "enter")
        await pilot.pause(0.3)
        assert app.screen is screen
        assert form_read_only("Esc") in str(screen.query_one("#rehearsal-error").render())
        assert screen.query_one("#reason", Input).value == "rehearse the rollback on stage"
        records = await app.sources["audit"].records(limit=50)
        assert not [r for r in records if r.action == "rollback-rehearsal"]
