"""The game-day report's worst p99.9 and lowest adaptive limit per route, and when: the
"before and after" table shows p99.9 now, so a peak that had passed was in no table."""

from __future__ import annotations

from datetime import timedelta

from backends.latency_peaks import LatencyPeaks
from backends.models import LatencySnapshot
from backends.report import game_day_report
from tests.conftest import T0
from tests.test_latency_pane import DOCS, OK, SEARCH, route


def snap(at: int, docs_p999: float, docs_limit: float) -> LatencySnapshot:
    return LatencySnapshot(
        observed_at=T0 + timedelta(seconds=at),
        health=OK,
        routes=(
            route(DOCS, p999_ms=docs_p999, limit=docs_limit),
            route(SEARCH, p999_ms=300.0, limit=None, above_last_bucket=True),
        ),
    )


def test_peaks_keep_the_worst_and_when_and_the_report_shows_them() -> None:
    peaks = LatencyPeaks()
    for s in (snap(0, 150, 400), snap(60, 2579, 250), snap(90, 1800, 190), snap(300, 160, 400)):
        peaks.observe(s)
    docs = peaks.routes[DOCS]
    assert (docs.worst_p999_ms, docs.worst_p999_at) == (2579, T0 + timedelta(seconds=60))
    assert (docs.first_limit, docs.lowest_limit) == (400, 190)
    assert docs.lowest_limit_at == T0 + timedelta(seconds=90)
    md = game_day_report(
        now=T0 + timedelta(seconds=300),
        environment="stage",
        events=[],
        alerts=[],
        first_seen={},
        latency=snap(300, 160, 400),
        baselines={},
        peaks=peaks,
    )
    assert f"## Worst since {T0:%H:%M:%S}Z" in md
    at_worst, at_lowest = (f"{T0 + timedelta(seconds=s):%H:%M:%S}Z" for s in (60, 90))
    assert f"| {DOCS} | 2.58 s | {at_worst} | 400 | 190 | {at_lowest} |" in md
    assert f"| {SEARCH} | > 300 ms | {T0:%H:%M:%S}Z | — | — | — |" in md  # no limit known
    peaks.reset()
    assert peaks.since is None and not peaks.routes
