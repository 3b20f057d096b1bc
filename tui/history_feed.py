"""The timeline's beginning: the audit trail's recent history.

Read in a named worker ("audit-history", in the sources' group) that SourceFeed starts with
the source workers: after the first paint, and again after a profile switch (which swaps
the audit sink too). It goes through the AuditSink contract only. A trail that cannot be
read, or does not answer in time, leaves the timeline as it was and says why; an open
timeline screen takes in what arrives. Once read, the same worker checks the trail
(`verify`, which runs in a thread, never on the UI thread): the timeline's title and the
game-day report say whether it fails verification, and where.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from textual.app import App

from backends.alerts import AlertBook
from backends.audit_history import (
    CHECK_TIMEOUT_S,
    HISTORY_RECORDS,
    HISTORY_TIMEOUT_S,
    check_outcome,
    history_from,
    history_note,
)
from backends.clock import Clock
from backends.contracts import AuditSink
from backends.fault_log import FaultLog
from backends.polling import describe_error
from backends.timeline import Timeline

CHECK_AFTER_S = 2.0  # the trail is checked this long after it is read


async def read_history(
    app: App[Any],
    audit: AuditSink | None,
    timeline: Timeline,
    clock: Clock,
    faults: FaultLog,
    alerts: AlertBook,
) -> None:
    """Into `timeline`, the fault windows it records into `faults` (the report's), and the
    alerts it says were acknowledged into `alerts` (the strip shows them at its next tick)."""
    timeline.history_state = "reading"
    show_timeline(app, timeline, clock)
    try:
        if audit is None:
            raise LookupError("no audit sink is configured")
        async with asyncio.timeout(HISTORY_TIMEOUT_S):
            records = await audit.records(HISTORY_RECORDS)
        read = history_from(records, clock.now())
    except asyncio.CancelledError:
        raise
    except TimeoutError:
        timeline.history_failed(f"no answer within {HISTORY_TIMEOUT_S:g} s")
    except Exception as exc:  # whatever it is, the timeline goes on without the history
        timeline.history_failed(describe_error(exc))
    else:
        timeline.add_history(read.events, read.since)
        faults.add_trail(read.windows, read.since)
        alerts.add_trail(read.acks)
        timeline.history_checked("checking")
        show_timeline(app, timeline, clock)
        assert audit is not None
        # not while the dashboard starts: the check reads the whole trail in a thread
        # (about 0.1 ms a record) and loads the signature library (~9 MiB, ~10 ms)
        await asyncio.sleep(CHECK_AFTER_S)
        await check_history(audit, timeline)
    show_timeline(app, timeline, clock)


async def check_history(audit: AuditSink, timeline: Timeline) -> None:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            result = await audit.verify()
    except asyncio.CancelledError:
        raise
    except TimeoutError:
        timeline.history_checked("unchecked", f"no answer within {CHECK_TIMEOUT_S:g} s")
    except Exception as exc:
        timeline.history_checked("unchecked", describe_error(exc))
    else:
        timeline.history_checked(*check_outcome(result))


def show_timeline(app: App[Any], timeline: Timeline, clock: Clock) -> None:
    """Push the timeline into its screen, if one is open. Not imported, none can be: the
    read at start does not import the screen (screens load when first opened)."""
    if "tui.screens.timeline" not in sys.modules:
        return
    from tui.screens.timeline import TimelineScreen  # loaded already: nothing to pay

    for screen in app.screen_stack:
        if isinstance(screen, TimelineScreen):
            screen.show(timeline.newest_first(), history_note(timeline, clock.now()))
