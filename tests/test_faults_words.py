"""How fault windows are worded where the game day read them wrong.

Before: `faults schedule` said "scheduled:" of a window it had put in at once; a delay of
a second read `1000ms@10%` in `faults list` and `+1000 ms` in the faults pane; and with
the faults source down, a window whose time had come read "due, starting" in the pane of
a dashboard that reconciles, though nothing could start it.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

from textual.app import App, ComposeResult

from backends.durations import delay
from backends.models import FaultsSnapshot, HealthState, SourceHealth
from tests.conftest import T0, watchfloor_cmd
from tests.test_faults_snapshots import window
from tui.commands.faults_listing import list_lines
from tui.panes.faults import FaultsPane, Reconciler, fault_text

BASE = ["faults", "schedule", "--host", "docs-api", "-n", "stage", "--abort-percent", "5"]


def schedule(*flags: str) -> str:
    proc = subprocess.run(
        [*watchfloor_cmd(), *BASE, *flags, "--reason", "game day error drill"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_schedule_says_started_of_a_window_put_in_at_once() -> None:
    said = schedule()  # the end carries its date when it is past midnight
    hms = r"\d\d:\d\d:\d\d"
    span = rf"({hms}-{hms}|{hms} to \d\d-\d\d {hms})Z"  # 23:56:59 to 11-29 00:06:59Z
    assert re.fullmatch(rf"[0-9a-f]{{8}} started: stage/docs-api {span} \(10m00s\)\n", said)
    later = schedule("--start-in", "5m")
    assert re.fullmatch(r"[0-9a-f]{8} scheduled: .+, starts in (4m59s|5m00s)\)\n", later)


def test_delays_read_as_they_are_typed() -> None:
    said = {ms: delay(ms) for ms in (800, 1000, 1500, 2500, 60_000)}
    assert said == {800: "800ms", 1000: "1s", 1500: "1.5s", 2500: "2.5s", 60_000: "1m"}
    spec = {"delay_ms": 1000, "delay_percent": 10}
    w = window("a1b2c3d4", "stage", 0, 10, spec=spec, applied=True)
    assert fault_text(w) == "+1s @10%"
    snap = FaultsSnapshot(
        observed_at=T0,
        health=SourceHealth(state=HealthState.OK, last_ok_at=T0),
        source="kube",
        windows=(w,),
    )
    (_, row) = list_lines(snap, T0 + timedelta(minutes=1))
    assert row.split("  ")[3:5] == ["1s@10%", "—"], row


class Pane(App[None]):
    def compose(self) -> ComposeResult:
        yield FaultsPane()


async def test_a_due_window_with_its_source_down_is_not_starting() -> None:
    due = window("due00001", "stage", -1, 10)  # its time came a minute ago, not put in
    ok = SourceHealth(state=HealthState.OK, last_ok_at=T0)
    down = SourceHealth(
        state=HealthState.ERROR, last_ok_at=T0, last_error="connection refused (k8s:443)"
    )
    app = Pane()
    async with app.run_test() as pilot:
        pane = app.query_one(FaultsPane)
        pane.reconciler = Reconciler.FULL  # this dashboard would start it
        pane.now = T0
        for health, said in ((ok, "due, starting"), (down, "due, not started (source down)")):
            pane.snapshot = FaultsSnapshot(
                observed_at=T0, health=health, source="kube", windows=(due,)
            )
            await pilot.pause()
            row = [str(c) for c in pane.table().get_row("due00001")]
            assert said in row, row
