"""`grants list`, `faults list` and `audit list` as a person reads them: a header, and
columns that stay aligned when a cell is wider than usual (an actor such as
watchfloor-reconcile pushed every later column of `audit list` out of line)."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backends.models import FaultSpec, FaultsSnapshot, FaultWindow, HealthState, SourceHealth
from tests.conftest import T0, watchfloor_cmd
from tui.commands.faults_listing import list_lines
from tui.commands.table import table_lines


def test_columns_are_as_wide_as_their_widest_cell() -> None:
    rows = [("1", "root", "grant"), ("12", "watchfloor-reconcile", "fault-reconcile-end")]
    assert table_lines(("SEQ", "ACTOR", "ACTION"), rows, right=frozenset({0})) == [
        "SEQ  ACTOR                 ACTION",
        "  1  root                  grant",
        " 12  watchfloor-reconcile  fault-reconcile-end",
    ]
    assert table_lines(("SEQ", "ACTOR"), []) == []  # nothing listed: stdout stays empty


@pytest.fixture
def wf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    import subprocess

    monkeypatch.setenv("WATCHFLOOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))

    def run(*argv: str) -> str:
        proc = subprocess.run(
            [*watchfloor_cmd(), *argv], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    return run


def aligned(lines: list[str], column: str) -> bool:
    """Every row has a cell starting where the header's `column` starts."""
    at = lines[0].index(column)
    return all(line[at - 2 : at] == "  " and line[at] != " " for line in lines[1:])


def test_the_list_commands_have_a_header_and_aligned_columns(wf) -> None:  # type: ignore[no-untyped-def]
    flags = ["--delay", "300ms", "--delay-percent", "10", "--duration", "1s"]
    wf(
        "faults",
        "schedule",
        "--host",
        "docs-api",
        "-n",
        "stage",
        *flags,
        "--reason",
        "game day drill",
    )
    time.sleep(1.2)
    wf("faults", "reconcile", "--once")  # ends it, as an actor wider than the usual ones
    grants = wf("grants", "list").splitlines()
    assert grants[0].split() == ["ID", "SUBJECT", "ROLE", "LEFT", "GRANTED", "BY", "REASON"]
    assert len(grants) > 1 and aligned(grants, "ROLE") and aligned(grants, "REASON")
    faults = wf("faults", "list").splitlines()
    assert faults[0].startswith("ID") and "stage/docs-api" in faults[1]
    assert aligned(faults, "TARGET") and aligned(faults, "OWNER")
    # no abort in this window: a dash, not "503@0%"; why it was run, then how it ended
    (row,) = faults[1:]
    assert row.split()[3:5] == ["300ms@10%", "—"]
    assert row.endswith("game day drill — ended on time"), row
    audit = wf("audit", "list").splitlines()
    assert audit[0].split()[:5] == ["SEQ", "AT", "ACTOR", "ACTION", "PHASE"]
    assert aligned(audit, "ACTION") and aligned(audit, "PHASE") and aligned(audit, "TARGET")
    # why each action was asked for: a request's reason, in its own column
    at = audit[0].index("REASON")
    (schedule,) = [line for line in audit if "fault-schedule" in line and "request" in line]
    assert schedule[at:] == "game day drill"
    # and an outcome's, there too: a long one ("failed: ...") widened the target column,
    # pushing every reason far off to the right
    (done,) = [line for line in audit if "fault-schedule" in line and "outcome" in line]
    assert done[at:] == "applied"
    assert done[audit[0].index("TARGET") : at].strip() == "stage/docs-api"


def test_faults_list_puts_open_windows_first_and_says_when_one_ended_early(wf) -> None:  # type: ignore[no-untyped-def]
    """Active windows were listed among ended ones (by start time), and a window ended
    early showed the end it had been planned to have."""

    def schedule(host: str, duration: str) -> str:
        out = wf(
            *("faults", "schedule", "--host", host, "-n", "stage", "--abort-percent", "1"),
            *("--duration", duration, "--reason", "game day drill"),
        )
        return str(out.split()[0])

    first = schedule("docs-api", "10m")
    wf("faults", "end", first, "--reason", "drill cut short")
    second = schedule("search-api", "10m")  # started after the first, still active
    faults = wf("faults", "list").splitlines()
    assert [line.split()[:2] for line in faults[1:]] == [[second, "active"], [first, "ended"]]
    ended = faults[2]
    # the planned end carries its date when past midnight (run at 23:57)
    hms = r"\d\d:\d\d:\d\d"
    planned = re.search(rf"({hms})-({hms})Z \(planned (\d\d-\d\d )?({hms})Z\)", ended)
    assert planned, ended
    start, end, day, plan = planned.groups()
    assert start <= end and (day or end < plan)  # ended at once, ten minutes before it was due to


def test_a_window_ended_before_its_start_reads_cancelled_not_a_backwards_span(wf) -> None:  # type: ignore[no-untyped-def]
    """HALT ALL before a window's start: `faults list` showed "12:58:23-12:53:30Z (planned
    13:08:23Z)", a window that ended before it began."""
    out = wf(
        *("faults", "schedule", "--host", "docs-api", "-n", "stage", "--abort-percent", "1"),
        *("--start-in", "5m", "--reason", "game day drill later"),
    )
    wid = str(out.split()[0])
    wf("faults", "halt", "--reason", "pager fired: stop the drills")
    (line,) = [x for x in wf("faults", "list").splitlines() if x.startswith(wid)]
    hms = r"(?:\d\d-\d\d )?(\d\d:\d\d:\d\d)"  # the date when not today (past midnight)
    m = re.search(rf"cancelled {hms}Z \(planned {hms}(?:-| to ){hms}Z\)", line)
    assert m, line
    cancelled_at, start, end = m.groups()
    assert cancelled_at < start < end or start < end < cancelled_at  # (past midnight)


def test_halt_all_says_which_windows_it_cancelled_and_the_list_agrees(wf) -> None:  # type: ignore[no-untyped-def]
    """HALT ALL printed "1 window(s) ended" for a window that had not started (at 3am that
    reads as a fault that was live), and faults list's STATE said "ended" beside
    "cancelled 13:30:04Z"; --json had no state at all."""
    sched = ("faults", "schedule", "-n", "stage", "--abort-percent", "1")
    live = wf(*sched, "--host", "docs-api", "--reason", "game day drill now").split()[0]
    later = wf(*sched, "--host", "search-api", "--start-in", "5m", "--reason", "drill later")
    later = later.split()[0]
    out = wf("faults", "halt", "--reason", "pager fired: stop the drills")
    assert out.strip() == "HALT ALL: 1 window(s) ended, 1 cancelled before it started"
    states = {line.split()[0]: line.split()[1] for line in wf("faults", "list").splitlines()[1:]}
    assert states == {live: "ended", later: "cancelled"}
    doc = json.loads(wf("faults", "list", "--json"))
    assert {w["id"]: w["state"] for w in doc["windows"]} == states


def test_a_window_on_another_day_says_its_date() -> None:
    """`--start-in 23h` at 16:22Z was listed "15:22:30-15:32:30Z", reading as already past;
    its cancelled row "(planned 15:22:30-15:32:30Z)" likewise. Today's rows are as they were."""

    def window(wid: str, start: timedelta, minutes: float = 10, **kw: object) -> FaultWindow:
        return FaultWindow.model_validate(
            {
                "id": wid,
                "spec": FaultSpec(target_host="docs-api", namespace="stage", abort_percent=1),
                "owner": "erin",
                "reason": "game day drill",
                "starts_at": T0 + start,
                "ends_at": T0 + start + timedelta(minutes=minutes),
                **kw,
            }
        )

    now = T0 + timedelta(hours=7, minutes=22)  # 2026-03-16 16:22Z
    windows = (
        window("tomorrow", timedelta(hours=30, minutes=22, seconds=30)),
        window("today", timedelta(hours=8)),
        window("midnight", timedelta(hours=14, minutes=55)),
        window(
            "yday",
            timedelta(hours=-10),
            started_at=T0 - timedelta(hours=10),
            ended_early_at=T0 - timedelta(hours=9, minutes=55),
        ),
        window("off", timedelta(hours=30), ended_early_at=now, end_reason="HALT ALL by erin: x"),
    )
    snap = FaultsSnapshot(
        observed_at=now, health=SourceHealth(state=HealthState.OK), windows=windows
    )
    cells = {line.split()[0]: line for line in list_lines(snap, now)[1:]}
    assert "  03-17 15:22:30-15:32:30Z  " in cells["tomorrow"]
    assert "  17:00:00-17:10:00Z  " in cells["today"]
    assert "  23:55:00 to 03-17 00:05:00Z  " in cells["midnight"]
    assert "  03-15 23:00:00-23:05:00Z (planned 03-15 23:10:00Z)  " in cells["yday"]
    assert "  cancelled 16:22:00Z (planned 03-17 15:00:00-15:10:00Z)  " in cells["off"]


def test_faults_list_and_schedule_date_a_window_that_starts_tomorrow(wf) -> None:  # type: ignore[no-untyped-def]
    """`faults schedule --start-in 24h` said "16:22:30-16:32:30Z", as if today (and so
    already past): it says the window as `faults list` does, with its date."""
    sent = datetime.now(UTC)
    out = wf(
        *("faults", "schedule", "--host", "docs-api", "-n", "stage", "--abort-percent", "1"),
        *("--start-in", "24h", "--reason", "game day drill tomorrow"),
    )
    m = re.fullmatch(
        r"([0-9a-f]{8}) scheduled: stage/docs-api (.+Z) \(10m00s, starts in .+\)\n", out
    )
    assert m, out
    wid, window = m.groups()  # 03-17 16:22:30-16:32:30Z
    assert window.startswith(f"{(sent + timedelta(hours=24)):%m-%d} "), out
    (row,) = wf("faults", "list").splitlines()[1:]
    assert row.startswith(wid)
    assert f"  {window}  " in row, row
