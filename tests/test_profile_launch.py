"""Back to the launch configuration after a profile switch, and what a switch says of the
alerts it leaves behind.

Before: started with a base config and `[profiles.sim]`, `[profiles.prod]`, switched to
prod, the palette offered only "Switch to profile sim": the configuration started with
came back only with a restart. And the switch wrote "cleared source down: was grants
(opa)..." to the timeline while OPA was still down: the alert was left behind, not
cleared. An alert prod lists still (the same failed cut) goes on and is not counted
among those left behind (tests/test_profile_switch_alerts.py). The dashboard is built as
the command line builds it (tui.cli.dashboard_app).
"""

from __future__ import annotations

from pathlib import Path

from tests.dead_servers import refusing
from tests.helpers import SIZE, wait_for
from tests.palette_helpers import run_command, search
from tui.app import WatchfloorApp
from tui.cli import dashboard_app, parser
from tui.commands.common import load_config

BASE = """
environment = "stage"
[panes]
grants = "opa"
[backends.opa]
url = "http://127.0.0.1:{port}"
[profiles.sim]
environment = "sim"
[profiles.sim.panes]
grants = "local"
[profiles.prod]
environment = "prod"
[profiles.prod.panes]
grants = "local"
[profiles.prod.ui]
read_only = true
"""


def app_for(tmp_path: Path, port: int) -> tuple[WatchfloorApp, Path]:
    cfg = tmp_path / "watchfloor.toml"
    cfg.write_text(BASE.format(port=port), encoding="utf-8")
    args = parser().parse_args(["--config", str(cfg)])
    return dashboard_app(args, load_config(args)), cfg


def notes(app: WatchfloorApp) -> list[str]:
    return [e.text for e in app.timeline.events]


async def test_the_launch_config_is_offered_back_after_a_switch(tmp_path: Path) -> None:
    with refusing() as port:
        app, cfg = app_for(tmp_path, port)
        back = f"Switch back to launch config ({cfg})"
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "env stage" in app.sub_title, what="on the base")
            titles = await search(pilot, "profile", "Switch to profile sim")
            assert "Switch to profile prod" in titles and back not in titles, titles
            await pilot.press("escape")

            await run_command(pilot, "Switch to profile prod")
            await wait_for(pilot, lambda: "env prod" in app.sub_title, what="on prod")
            assert "read-only" in app.sub_title
            titles = await search(pilot, "profile", back)
            assert "Switch to profile sim" in titles and "Switch to profile prod" not in titles
            await pilot.press("escape")

            await run_command(pilot, back)
            await wait_for(pilot, lambda: "env stage" in app.sub_title, what="back on the base")
            assert "read-only" not in app.sub_title  # as it was started
            assert app.sources["grants"].name == "opa"
            await wait_for(
                pilot, lambda: "grants" in app.sub_title or "1/5" in app.sub_title, what="down"
            )
            said = notes(app)
            assert any(t.startswith(f"switched to launch config ({cfg})") for t in said), said
            titles = await search(pilot, "profile", "Switch to profile prod")
            assert back not in titles, titles


async def test_a_switch_says_it_leaves_the_alerts_behind_not_that_they_cleared(
    tmp_path: Path,
) -> None:
    with refusing() as port:
        app, _ = app_for(tmp_path, port)
        async with app.run_test(size=SIZE) as pilot:

            def down() -> bool:
                return any("grants" in a.message for a in app.alert_strip.alerts)

            await wait_for(pilot, down, what="OPA down: an alert")
            before = {(a.key, a.raised_at) for a in app.alert_strip.alerts}
            await run_command(pilot, "Switch to profile prod")
            await wait_for(pilot, lambda: "env prod" in app.sub_title, what="on prod")
            await wait_for(pilot, app.all_panes_filled, what="prod's data")
            await pilot.pause(0.5)
            said = notes(app)
            assert not [t for t in said if t.startswith("cleared")], said
            # those prod lists still (the same failed cut) go on: not left behind
            after = {(a.key, a.raised_at) for a in app.alert_strip.alerts}
            n = len(before - after)
            assert 1 <= n < len(before), (before, after)  # OPA down left, the cut's failure not
            alerts = f"{n} alert{'s' * (n != 1)}"
            want = f"switched to profile prod: {alerts} of launch config ("
            assert any(t.startswith(want) and t.endswith("no longer watched") for t in said), said
