"""The audit trail as the timeline's beginning: one event per action at the record's own
time, bounded, and never a second event for something the dashboard also saw live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backends.audit_history import history_from, history_note, report_note
from backends.models import AuditRecord, FaultsSnapshot, GrantEnded, GrantsSnapshot
from backends.report import game_day_report
from backends.timeline import Timeline, halt_key
from tests.conftest import T0
from tests.test_timeline_report import OK, drill, grants

NOW = T0 + timedelta(hours=1)
SECOND, MINUTE, HOUR = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1)


def rec(seq: int, rid: str, minutes_ago: float, phase: str = "request", **kw: Any) -> AuditRecord:
    base: dict[str, Any] = {
        "seq": seq,
        "id": rid,
        "at": NOW - timedelta(minutes=minutes_ago),
        "actor": "dave",
        "action": "grant",
        "target": "a@x:sre-oncall",
        "phase": phase,
        "details": {"grant_id": "a", "reason": "INC-1 drill"} if phase == "request" else {},
        "prev_hash": "0",
        "hash": "0",
    }
    return AuditRecord(**{**base, **kw})


def granted(rid: str = "g1", minutes_ago: float = 30) -> list[AuditRecord]:
    return [
        rec(1, rid, minutes_ago),
        rec(2, rid, minutes_ago - 0.01, "outcome", outcome="applied"),
    ]


def test_request_and_outcome_are_one_event_at_the_time_it_was_done() -> None:
    read = history_from(granted(), NOW)
    (event,) = read.events.values()
    assert event.at == NOW - timedelta(minutes=30) and event.kind == "audit"
    assert event.text == "dave grant a@x:sre-oncall applied: INC-1 drill (grant a)"
    assert read.since == NOW - timedelta(hours=12)


def test_a_failed_action_is_shown_as_such_and_matches_nothing_live() -> None:
    failed = [rec(1, "f", 5), rec(2, "f", 5, "outcome", outcome="failed: OPA down")]
    (event,) = history_from(failed, NOW).events.values()
    assert "applied" not in event.text and " failed: OPA down: INC-1 drill" in event.text
    assert event.key == ""


def test_older_than_12_hours_is_left_out_and_a_cut_by_the_limit_says_from_when() -> None:
    old = rec(1, "old", 13 * 60, action="revoke")
    read = history_from([old, *granted()], NOW)
    assert [e.text.split()[1] for e in read.events.values()] == ["grant"]
    cut = history_from(granted(), NOW, limit=2)  # as many as asked for: maybe more before
    assert cut.since == NOW - timedelta(minutes=30)


def test_an_action_seen_live_is_not_shown_again_from_the_trail() -> None:
    tl = Timeline()
    tl.observe(grants(), NOW - timedelta(hours=1))
    live = grants("a")  # live: a was granted (at the time the trail says), seen a minute on
    (a,) = live.grants
    a = a.model_copy(update={"granted_at": NOW - timedelta(minutes=30)})
    tl.observe(live.model_copy(update={"grants": (a,)}), NOW - timedelta(minutes=29))
    other = [rec(3, "g2", 50, target="b@x:sre-oncall", details={"grant_id": "b"})]
    read = history_from([*other, *granted()], NOW)
    tl.add_history(read.events, read.since)
    tl.add_history(read.events, read.since)  # read again (a profile switch): nothing new
    texts = [e.text for e in tl.newest_first()]
    assert len(texts) == 2 and texts[0].startswith("dave granted sre-oncall to a@x")
    assert texts[1] == "dave grant b@x:sre-oncall requested (no outcome recorded) (grant b)"


def test_a_window_scheduled_and_halted_while_watching_is_not_repeated() -> None:
    w = drill(0, 600)  # erin's, from T0
    tl = Timeline()
    tl.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=()), T0)
    tl.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(w,)), T0)
    halted = w.model_copy(update={"ended_early_at": T0, "end_reason": "HALT ALL: done"})
    tl.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(halted,)), T0)
    tl.note(T0, "fault", "HALT ALL by erin: 1 window(s) ended; done", halt_key("erin", "done"))
    kw: dict[str, Any] = {"actor": "erin", "target": "stage/docs-api"}
    trail = [
        rec(1, "s", 60, action="fault-schedule", details={"window_id": "w1"}, **kw),
        rec(2, "h", 59, action="fault-halt-all", details={"reason": "done"}, **kw),
        rec(3, "e", 58, action="fault-end", details={"window_id": "w0"}, **kw),
    ]
    read = history_from(trail, NOW)
    tl.add_history(read.events, read.since)
    audit = [e.text for e in tl.newest_first() if e.kind == "audit"]
    assert audit == ["erin fault-end stage/docs-api requested (no outcome recorded) (window w0)"]


def test_new_sources_start_from_their_own_first_snapshot() -> None:
    tl = Timeline()
    tl.observe(grants("a"), T0)
    tl.rebase()  # a profile switch: b was there all along, a is not gone
    tl.observe(grants("b"), T0 + timedelta(seconds=1))
    assert list(tl.events) == []


def test_the_title_and_the_report_say_where_the_events_come_from() -> None:
    tl = Timeline()
    assert history_note(tl, NOW) == ""
    tl.observe(grants(), NOW)
    tl.history_failed("OperationalError: no such table: audit")
    assert "could not be loaded: OperationalError" in history_note(tl, NOW)
    assert "only what this dashboard saw, from 10:00Z" in report_note(tl, NOW)
    read = history_from(granted(), NOW)
    tl.add_history(read.events, read.since)
    assert history_note(tl, NOW) == "since 2026-03-15 22:00Z from the audit trail, live from 10:00Z"
    assert "since 2026-03-15 22:00Z (the last 12 h, at most 1000 records)" in report_note(tl, NOW)


def test_the_report_dates_an_event_from_the_day_before() -> None:
    late = history_from([rec(1, "late", 11 * 60)], NOW)  # 23:00Z on the 15th
    tl = Timeline()
    tl.add_history(late.events, late.since)
    md = game_day_report(
        now=NOW,
        environment="stage",
        events=tl.newest_first(),
        alerts=[],
        first_seen={},
        latency=None,
        baselines={},
        history_note=report_note(tl, NOW),
    )
    assert "| 2026-03-15 23:00:00Z | audit | dave grant a@x:sre-oncall requested" in md
    assert "Events of kind `audit` come from the audit trail" in md


def test_halt_all_reads_as_every_namespace_not_a_star() -> None:
    # the trail's target for HALT ALL is "*": the timeline said "fault-halt-all * applied"
    halt = {"action": "fault-halt-all", "target": "*"}
    records = [
        rec(1, "h", 5, details={"reason": "pager fired", "windows": "edc9fe6f"}, **halt),
        rec(2, "h", 5, "outcome", outcome="applied", **halt),
    ]
    (event,) = history_from(records, NOW).events.values()
    assert event.text == (
        "dave fault-halt-all in every namespace applied: pager fired (windows edc9fe6f)"
    )


def test_a_grant_rebuilt_from_the_trail_says_until_when_as_a_live_one_does() -> None:
    """After a restart the trail's grant read "dave grant a@x:sre-oncall applied: INC-1
    drill (grant a)": no TTL, no expiry, though the record has both (a live row reads
    "... until 10:00:00Z"). A failed grant, or one with no outcome, gave nobody anything."""
    asked = {"grant_id": "a", "reason": "INC-1 drill", "ttl_s": "1800"}
    at = (NOW - timedelta(minutes=30)).isoformat()  # 09:30Z
    records = [
        rec(1, "g", 60, details={**asked, "expires_at": at}),
        rec(2, "g", 60, "outcome", outcome="applied"),
        rec(3, "demo", 20, details={"grant_id": "d", "reason": "demo", "expires_at": at}),
        rec(4, "demo", 20, "outcome", outcome="applied"),  # the simulator's: no ttl_s
        rec(5, "f", 10, details={**asked, "expires_at": at}),
        rec(6, "f", 10, "outcome", outcome="failed: OPA down"),
        rec(7, "n", 5, details={**asked, "expires_at": at}),
    ]
    read = history_from(records, NOW).events
    texts = [e.text for rid, e in read.items() if not rid.endswith(":expiry")]  # ran out
    assert texts == [
        "dave grant a@x:sre-oncall applied for 30m00s, until 09:30:00Z: INC-1 drill (grant a)",
        "dave grant a@x:sre-oncall applied, until 09:30:00Z: demo (grant d)",
        "dave grant a@x:sre-oncall failed: OPA down: INC-1 drill (grant a)",
        "dave grant a@x:sre-oncall requested (no outcome recorded): INC-1 drill (grant a)",
    ]
    # granted at 23:50Z on the 15th, for 30 minutes: its expiry is dated (the next day)
    late = (NOW - timedelta(hours=9, minutes=40)).isoformat()
    night = [
        rec(1, "x", 10 * 60 + 10, details={**asked, "expires_at": late}),
        rec(2, "x", 10 * 60 + 10, "outcome", outcome="applied"),
    ]
    event = history_from(night, NOW).events["x"]
    assert "applied for 30m00s, until 2026-03-16 00:20:00Z: INC-1" in event.text


def ran_out(rid: str, gid: str, minutes_ago: float, ttl_min: float) -> list[AuditRecord]:
    """A grant of `gid` made `minutes_ago`, for `ttl_min` minutes, as its records say."""
    expires = NOW - timedelta(minutes=minutes_ago - ttl_min)
    asked = {"grant_id": gid, "reason": "INC-1 drill", "expires_at": expires.isoformat()}
    return [
        rec(1, rid, minutes_ago, details=asked),
        rec(2, rid, minutes_ago, "outcome", outcome="applied"),
    ]


def revoked(rid: str, gid: str, minutes_ago: float, outcome: str) -> list[AuditRecord]:
    said = {"grant_id": gid, "reason": "INC-1 closed"}
    return [
        rec(3, rid, minutes_ago, action="revoke", details=said),
        rec(4, rid, minutes_ago, "outcome", action="revoke", outcome=outcome),
    ]


def test_a_grant_that_ran_out_with_no_dashboard_open_is_said_expired_at_its_expiry() -> None:
    """No dashboard ran when it expired, so no live event says so, and expiries are not
    audit records: the rebuilt timeline showed the grant and nothing after it. Its record
    says when it ends; a revoke that did not fail (or whose outcome is not known), an
    expiry still to come, or a grant that failed, says nothing of the kind."""
    trail = [
        *ran_out("g1", "a", 60, 1),  # ran out at 09:01Z
        *ran_out("g2", "b", 60, 30),
        *revoked("r2", "b", 50, "applied"),  # revoked first
        *ran_out("g3", "c", 60, 30),
        *revoked("r3", "c", 50, "failed: OPA down"),  # this revoke failed: it ran out
        *ran_out("g4", "d", 60, 30),
        *revoked("r4", "d", 50, "unknown: timed out (may have been sent)"),
        *ran_out("g5", "e", 30, 60),  # ends at 10:30Z: not yet
        rec(9, "g6", 60, details={"grant_id": "f", "expires_at": (NOW - HOUR).isoformat()}),
        rec(10, "g6", 60, "outcome", outcome="failed: wrong step-up code"),
    ]
    read = history_from(trail, NOW)
    expired = sorted(
        (e.at, e.kind, e.text, e.key) for e in read.events.values() if " expired" in e.text
    )
    assert expired == [
        (T0 + MINUTE, "audit", "grant a (sre-oncall for a@x) expired at 09:01:00Z", "grant:a:end"),
        (
            T0 + 30 * MINUTE,
            "audit",
            "grant c (sre-oncall for a@x) expired at 09:30:00Z",
            "grant:c:end",
        ),
    ]
    again = history_from(trail, NOW + MINUTE)  # read again: the same events, by the same ids
    assert again.events.keys() == read.events.keys()


def test_a_grant_granted_before_the_12_hours_that_ran_out_within_them_is_said_expired() -> None:
    read = history_from(ran_out("g", "a", 13 * 60, 4 * 60), NOW)  # granted 21:00Z, for 4 h
    assert [e.text for e in read.events.values()] == [
        "grant a (sre-oncall for a@x) expired at 01:00:00Z"
    ]
    assert history_from(ran_out("g", "a", 20 * 60, 60), NOW).events == {}  # long before


def test_an_expiry_seen_live_or_said_by_the_store_is_not_said_again_from_the_trail() -> None:
    """The dashboard saw it drop out of the list (the store said it ran out): one event."""
    tl = Timeline()
    tl.observe(grants("a"), T0)
    gone = GrantsSnapshot(
        observed_at=T0 + 30 * MINUTE,
        health=OK,
        ended=(GrantEnded(id="a", at=T0 + 30 * MINUTE, how="expired"),),
    )
    tl.observe(gone, T0 + 30 * MINUTE + 2 * SECOND)
    read = history_from(ran_out("g", "a", 60, 30), NOW)
    tl.add_history(read.events, read.since)
    said = [(e.at, e.kind, e.text) for e in tl.newest_first() if " expired" in e.text]
    assert said == [
        (T0 + 30 * MINUTE, "grant", "grant a (sre-oncall for a@x) expired at 09:30:00Z")
    ]
