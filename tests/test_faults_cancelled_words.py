"""How a window cancelled before its fault went in, and a delay, are said.

Before: HALT ALL said "2 cancelled before its start" (and a failed one "cancelled before its
start: ..." of two windows), the timeline, `e`'s toast and the report "cancelled before its
start"; the report's fault windows said "+2500 ms on 5% of requests" where the faults pane
says "+2.5s @5%". Now one window "cancelled before it started", several "N cancelled before
they started", and the report's delay reads as the pane's, as it is typed.
"""

from __future__ import annotations

from datetime import timedelta

from backends.fault_ends import HaltIncomplete, halt_words, halted_by
from backends.fault_times import cancelled_words
from backends.models import FaultSpec, FaultWindow
from backends.report_faults import fault_words
from tests.conftest import T0
from tests.test_faults_snapshots import window

HALTED = halted_by("carol", "pager fired")


def halted(i: str, start: float, *, ran: bool) -> FaultWindow:
    """A window HALT ALL ended at T0 + 1 min: it ran (started at its start), or not yet."""
    at = T0 + timedelta(minutes=1)
    started = {"started_at": T0 + timedelta(minutes=start)} if ran else {}
    return window(i, "stage", start, 10, ended_early_at=at, end_reason=HALTED, **started)


def test_halt_all_says_it_started_of_one_and_they_started_of_several() -> None:
    ran = halted("ran", 0, ran=True)
    one, two = halted("later1", 5, ran=False), halted("later2", 6, ran=False)
    windows = [ran, one, two]
    assert halt_words(windows, T0, "carol", "pager fired", 3) == (
        "1 window(s) ended, 2 cancelled before they started"
    )
    assert halt_words([one, two], T0, "carol", "pager fired", 2) == (
        "2 cancelled before they started"
    )
    assert halt_words([ran, one], T0, "carol", "pager fired", 2) == (
        "1 window(s) ended, 1 cancelled before it started"
    )
    assert cancelled_words(one) == "cancelled before it started"


def test_a_halt_that_failed_part_way_says_it_too() -> None:
    still = ["w3 stage/search-api (HTTP 503)"]
    several = HaltIncomplete(["w0 stage/docs-api"], ["w1 stage/a", "w2 stage/b"], still)
    assert "cancelled before they started: w1 stage/a, w2 stage/b" in str(several)
    one = HaltIncomplete([], ["w1 stage/a"], still)
    assert str(one).endswith("; nothing ended; cancelled before it started: w1 stage/a")


def test_the_reports_delay_reads_as_the_panes() -> None:
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=2500, delay_percent=5)
    assert fault_words(spec) == "+2.5s on 5% of requests"
    both = spec.model_copy(update={"delay_ms": 800, "abort_percent": 1, "abort_status": 503})
    assert fault_words(both) == "+800ms on 5% of requests, abort 503 on 1% of requests"
