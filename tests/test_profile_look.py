"""A profile's look follows it on a live switch: its `ui.theme` and its `[keys]` (a key
it does not remap is back to its default). A profile whose keys or theme the dashboard
would refuse at start is refused on a switch too, and the current profile stays. Built
as the command line builds it (tui.cli.dashboard_app) and driven from the palette."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import SIZE, wait_for
from tests.palette_helpers import run_command
from tui.app import WatchfloorApp
from tui.cli import dashboard_app, parser
from tui.commands.common import load_config
from tui.screens.timeline import TimelineScreen

PROFILES = """
[profiles.prod]
environment = "prod"
[profiles.prod.ui]
theme = "gruvbox"
[profiles.prod.keys]
"app.timeline" = "T"
[profiles.stage]
environment = "stage"
[profiles.broken]
environment = "broken"
[profiles.broken.keys]
"app.timline" = "T"
"""


def app_for(tmp_path: Path) -> WatchfloorApp:
    cfg = tmp_path / "profiles.toml"
    cfg.write_text(PROFILES, encoding="utf-8")
    args = parser().parse_args(["--config", str(cfg)])
    return dashboard_app(args, load_config(args))


async def opens_timeline(app: WatchfloorApp, pilot: object, key: str) -> bool:
    await pilot.press(key)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    opened = isinstance(app.screen, TimelineScreen)
    if opened:
        await pilot.press("escape")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
    return opened


async def test_theme_and_keys_follow_the_profile(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        assert app.theme == "textual-dark"
        assert await opens_timeline(app, pilot, "t")

        await run_command(pilot, "Switch to profile prod")
        await wait_for(pilot, lambda: "env prod" in app.sub_title, what="on profile prod")
        assert app.theme == "gruvbox"
        assert not await opens_timeline(app, pilot, "t")
        assert await opens_timeline(app, pilot, "T")

        await run_command(pilot, "Switch to profile stage")
        await wait_for(pilot, lambda: "env stage" in app.sub_title, what="on profile stage")
        assert app.theme == "textual-dark"
        assert await opens_timeline(app, pilot, "t")


async def test_a_theme_picked_by_hand_stays_while_the_profiles_agree(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        app.theme = "nord"  # as the palette's "Change theme" does
        await run_command(pilot, "Switch to profile stage")  # same ui.theme as the default
        await wait_for(pilot, lambda: "env stage" in app.sub_title, what="on profile stage")
        assert app.theme == "nord"


async def test_a_profile_with_a_bad_key_id_is_refused_and_the_current_one_stays(
    tmp_path: Path,
) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await run_command(pilot, "Switch to profile broken")
        await wait_for(
            pilot,
            lambda: any("keys.app.timline" in n.message for n in app._notifications),
            what="the refusal, naming the key",
        )
        assert "env local" in app.sub_title and app.active_profile != "broken"
        assert await opens_timeline(app, pilot, "t")
