"""The game-day report says what each fault window injected: the timeline named a window
by its id ("fault window 464fad7a on stage/docs-api active") and nowhere "2500 ms on 5%"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backends.models import (
    FaultGuards,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    HealthState,
    SourceHealth,
)
from backends.report import game_day_report
from tests.conftest import T0

NOW = T0 + timedelta(minutes=30)
OK = SourceHealth(state=HealthState.OK, last_ok_at=NOW)


def window(wid: str, start_min: float, **kw: Any) -> FaultWindow:
    spec = {"target_host": "docs-api", "namespace": "stage", **kw.pop("spec", {})}
    start = T0 + timedelta(minutes=start_min)
    return FaultWindow(
        id=wid,
        spec=FaultSpec(**spec),
        owner=kw.pop("owner", "root"),
        reason=kw.pop("reason", "game day: docs-api latency drill"),
        starts_at=start,
        ends_at=start + timedelta(minutes=kw.pop("minutes", 10)),
        **kw,
    )


def report(faults: FaultsSnapshot | None) -> str:
    return game_day_report(
        now=NOW,
        environment="stage",
        events=[],
        alerts=[],
        first_seen={},
        latency=None,
        baselines={},
        faults=faults,
    )


def section(md: str) -> str:
    return md.split("## Fault windows\n", 1)[1].split("\n## ", 1)[0].strip()


def test_the_report_lists_each_fault_window_in_words_newest_start_first() -> None:
    ended = window(
        "464fad7a",
        5,
        spec={"delay_ms": 2500, "delay_percent": 5},
        guards=FaultGuards(p999_ms_above=200),
        started_at=T0 + timedelta(minutes=5),  # it ran until a guard ended it
        ended_early_at=T0 + timedelta(minutes=8),
        end_reason="guard: GET /search p99.9 329 ms > 200 ms",
    )
    active = window(
        "a1b2c3d4",
        25,
        spec={"delay_ms": 800, "delay_percent": 30, "abort_status": 503, "abort_percent": 1},
        owner="erin",
        reason="abort and delay | both at once",
        applied=True,
        guards=FaultGuards(error_rate_above=0.005, route="GET /docs/:id"),
    )
    yesterday = window("0ldw1nd0", -24 * 60, spec={"abort_status": 500, "abort_percent": 2})
    later = window("5c4ed000", 40, spec={"delay_ms": 100, "delay_percent": 10})
    snap = FaultsSnapshot(observed_at=NOW, health=OK, windows=(ended, yesterday, later, active))
    text = section(report(snap))
    assert text.index("5c4ed000") < text.index("a1b2c3d4") < text.index("464fad7a")
    assert text.index("464fad7a") < text.index("0ldw1nd0")
    assert (
        "- **464fad7a** on stage/docs-api: +2.5s on 5% of requests\n"
        "  - planned 09:05:00Z to 09:15:00Z\n"
        "  - state: ended early at 09:08:00Z: guard: GET /search p99.9 329 ms > 200 ms\n"
        "  - scheduled by root: game day: docs-api latency drill\n"
        "  - guards: p99.9 above 200 ms on any route ends it early\n"
    ) in text + "\n"
    assert (
        "- **a1b2c3d4** on stage/docs-api: "
        "+800ms on 30% of requests, abort 503 on 1% of requests\n"
        "  - planned 09:25:00Z to 09:35:00Z\n"
        "  - state: active\n"
        "  - scheduled by erin: abort and delay | both at once\n"
        "  - guards: error rate above 0.5% on GET /docs/:id ends it early\n"
    ) in text + "\n"
    assert (
        "abort 500 on 2% of requests\n  - planned 2026-03-15 09:00:00Z to 2026-03-15 09:10:00Z"
        in text
    )
    assert "  - state: ended at 2026-03-15 09:10:00Z\n" in text  # on time: not "early"
    assert "**5c4ed000**" in text and "  - state: scheduled\n" in text


def test_a_window_due_but_not_in_says_so() -> None:
    due = window("d0e0f000", 25, spec={"delay_ms": 100, "delay_percent": 10})
    text = section(report(FaultsSnapshot(observed_at=NOW, health=OK, windows=(due,))))
    assert "state: due, not started" in text


def test_no_windows_is_none_only_from_a_source_that_answered() -> None:
    assert section(report(FaultsSnapshot(observed_at=NOW, health=OK))) == "None."
    failing = SourceHealth(state=HealthState.ERROR, last_error="connection refused")
    text = section(report(FaultsSnapshot(observed_at=NOW, health=failing)))
    assert text == "Unknown: the faults source has not answered (connection refused)."
    assert section(report(None)).startswith("Unknown")


def test_a_window_halted_before_its_start_is_cancelled_in_the_report() -> None:
    """It said "planned 09:05:00Z … ended early at 09:01:00Z", as if it had run."""
    halted = window(
        "0c1a2b3d",
        5,
        ended_early_at=T0 + timedelta(minutes=1),
        end_reason="HALT ALL: pager fired",
    )
    snap = FaultsSnapshot(observed_at=NOW, health=OK, source="local", windows=(halted,))
    assert "  - state: cancelled at 09:01:00Z, before it started: HALT ALL: pager fired" in (
        section(report(snap))
    )
