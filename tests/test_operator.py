"""Driving it: acknowledge, filter, timeline, report, read-only, profiles, key overrides."""

from __future__ import annotations

import subprocess
from pathlib import Path

from textual.widgets import Header, Input

from backends.config import load
from backends.wiring import build_sources
from tests.conftest import watchfloor_cmd
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.test_faults_pilot import fill, form, windows
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.operator_actions import Profile
from tui.panes.alerts import AlertStrip
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.timeline import TimelineScreen


async def test_ack_dims_the_newest_alert_and_notes_it() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.query_one(AlertStrip).alerts), what="an alert")
        strip = app.query_one(AlertStrip)
        newest = strip.alerts[0]
        await pilot.press("a")  # shown once the ack is in the audit trail
        await wait_for(
            pilot,
            lambda: {a.key: a.acknowledged for a in strip.alerts}[newest.key],
            what="the newest acknowledged",
        )
        sev = "CRIT" if newest.severity == "critical" else "WARN"
        assert f" {sev} ✓ack " in str(strip.render())  # its severity stays (it said ACK)
        assert any("acknowledged" in e.text for e in app.timeline.events)


async def test_slash_filters_the_focused_pane() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        table = app.pane("access").table()
        before = table.row_count
        await pilot.press("3", "slash")
        await pilot.pause()
        app.screen.query_one(Input).value = "tenant="
        await pilot.press("enter")
        await pilot.pause()
        await wait_for(pilot, lambda: 0 < table.row_count < before, what="filtered rows")
        keys = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert all(k.startswith("tenant=") for k in keys)
        assert "filter: tenant=" in str(app.pane("access").border_title)
        await pilot.press("slash")
        await pilot.pause()
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: table.row_count == before, what="the filter to clear")


async def test_timeline_and_report(tmp_path: Path) -> None:
    app = local_app()
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("b")  # before the drill: a timeline note and a report column
        await pilot.press("f")  # a fault window: the report says what it injected
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        await fill(pilot, DRILL)
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the form to close")
        await wait_for(pilot, lambda: bool(windows(app)), what="the window in the pane")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        texts = [e.text for e in app.screen.events]
        assert any(t.startswith("baseline marked") for t in texts)
        await pilot.press("escape", "x")
        await pilot.pause()
    check_report(tmp_path, app.sources.ctx.actor)


DRILL = {
    **form("stage"),
    "delay": "2500ms",
    "delay_percent": "5",
    "guard_error_percent": "50",
    "guard_route": "GET /docs/:id",
    "reason": "game day: docs-api latency drill",
}


def check_report(where: Path, actor: str) -> None:
    reports = list(where.glob("gameday-*.md"))
    assert len(reports) == 1
    md = reports[0].read_text()
    faults = md.split("## Fault windows\n", 1)[1].split("\n## ", 1)[0]
    assert "on stage/docs-api: +2.5s on 5% of requests\n" in faults
    assert f"scheduled by {actor}: game day: docs-api latency drill\n" in faults
    assert "guards: error rate above 50% on GET /docs/:id ends it early" in faults
    assert "## p99.9 before and after" in md and "GET /docs/:id" in md
    assert "baseline marked" in md
    worst = md.split("## Worst since", 1)[1]  # the peaks the dashboard saw, per route
    assert "| GET /docs/:id |" in worst and "| GET /search |" in worst


async def test_read_only_hides_and_refuses_mutating_keys() -> None:
    app = WatchfloorApp(local_sources(), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        footer = app.query_one(KeyFooter)
        await wait_for(pilot, lambda: bool(footer.drawn), what="footer keys")
        shown = {k.description for k in footer.drawn}
        assert "Grant access" not in shown and "Mark baseline" in shown
        await pilot.press("g")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]  # no grant form opened
        assert "read-only" in app.sub_title


PROFILES = """
[profiles.prod]
environment = "prod"
[profiles.prod.backends.local]
seed = 9
[keys]
"app.timeline" = "T"
"""


async def test_profile_switch_reconnects_and_prod_is_red(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(PROFILES)
    loaded = load(cfg)
    app = WatchfloorApp(
        build_sources(loaded),
        profiles=("prod",),
        keymap=dict(loaded.config.keys),
        switch_profile_to=lambda name: Profile(
            build_sources(other := load(cfg, profile=name)), keymap=other.config.keys
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        assert not app.query_one(Header).has_class("-prod")
        await app.switch_profile("prod")
        await wait_for(pilot, app.all_panes_filled, what="data after the switch")
        assert app.sources.environment == "prod" and "env prod" in app.sub_title
        assert app.query_one(Header).has_class("-prod")
        await pilot.press("T")  # remapped from t by [keys]
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        assert any("switched to profile prod" in e.text for e in app.screen.events)


def test_unknown_binding_id_in_keys_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[keys]\n"app.qiut" = "ctrl+q"\n')
    proc = subprocess.run(
        [*watchfloor_cmd(), "--config", str(cfg)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "keys.app.qiut" in proc.stderr and str(cfg) in proc.stderr


def test_logs_go_to_the_data_dir_not_the_terminal(data_dir: Path) -> None:
    proc = subprocess.run(
        [*watchfloor_cmd(), "snapshot", "--json"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert (data_dir / "watchfloor.log").exists()


def test_read_only_refuses_mutating_commands_and_allows_reading(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*watchfloor_cmd(), *args], capture_output=True, text=True, timeout=60
        )

    halt = run("--read-only", "faults", "halt", "--reason", "drill is over, stop it")
    assert halt.returncode == 1 and "read-only" in halt.stderr
    sched = run(
        "--read-only",
        "faults",
        "schedule",
        "--host",
        "docs-api",
        "-n",
        "stage",
        "--delay",
        "800ms",
        "--delay-percent",
        "10",
        "--reason",
        "latency drill",
    )
    assert sched.returncode == 1 and "read-only" in sched.stderr
    revoke = run("--read-only", "grants", "revoke", "abc", "--reason", "not needed anymore")
    assert revoke.returncode == 1 and "read-only" in revoke.stderr
    cfg = tmp_path / "ro.toml"
    cfg.write_text("[ui]\nread_only = true\n")
    grant = run(
        "--config",
        str(cfg),
        "grants",
        "grant",
        "--subject",
        "a",
        "--role",
        "sre-oncall",
        "--reason",
        "INC-1 on fire now",
        "--code",
        "123456",
    )
    assert grant.returncode == 1 and "read-only" in grant.stderr
    listing = run("--read-only", "faults", "list")
    assert listing.returncode == 0, listing.stderr


def blocked_dir(tmp_path: Path) -> Path:
    """A place no file can be written under: its parent is a plain file."""
    (tmp_path / "full").write_text("not a directory")
    return tmp_path / "full" / "reports"


async def test_a_report_or_screenshot_that_cannot_be_written_says_so_and_keeps_running(
    tmp_path: Path,
) -> None:
    """With the output directory unwritable, `x` and ctrl+s raised out of the action and
    the dashboard exited with a traceback in the middle of the game day."""
    from tests.test_read_only import toasts

    app = local_app()
    app.screenshot_dir = blocked_dir(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("x", "ctrl+s")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        said = [t for t in toasts(app) if "could not be written" in t]
        assert len(said) == 2, toasts(app)
        assert all(str(app.screenshot_dir) in t for t in said)


async def test_a_saved_file_is_named_on_its_own_line_above_its_directory(tmp_path: Path) -> None:
    """The toast said "Saved /root/.local/share/watchfloor/watchfloor-20261127T1258" then
    "55Z.svg": it broke the name where the line ran out."""
    from tests.test_read_only import toasts

    app = local_app()
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(svgs(tmp_path)), what="the file")
        (svg,) = svgs(tmp_path)
        assert f"Saved {svg.name}\nin {tmp_path}" in toasts(app)


def svgs(where: Path) -> list[Path]:
    return list(where.glob("*.svg"))
