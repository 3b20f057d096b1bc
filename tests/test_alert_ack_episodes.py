"""An ack of an alert with no time of its own in its data (a deny spike, p99.9 over its
SLO, a source down) after a restart.

Before: only alerts dated from their data had their ack restored from the audit trail; a
restarted dashboard showed the same, still-going source down unacknowledged, "since
start", and the on-call acked it again. Now each alert's episode (its key: rule and
subject, and since when it has gone on) is kept in the data dir while it goes on; a
dashboard started while it is still going on carries it on from that start, and the ack
recorded with that start shows again. A new episode (one seen to clear, or not seen for
EPISODE_GAP) is not acknowledged."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from backends.alert_acks import trail_acks
from backends.alert_episodes import (
    EPISODE_GAP,
    Episode,
    episode_scope,
    load_episodes,
    save_episodes,
)
from backends.alerts import AlertBook
from backends.models import Alert, AlertKind, AuditRecord
from tests.conftest import T0
from tests.test_alerts import OK, access

SCOPE = episode_scope("", "local")
DOWN = "source:latency"


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def spiking(book: AlertBook, s: float, denied: int = 300) -> list[Alert]:
    """The access pane's data at `s`: 30 % denied against a 5 % baseline is a spike."""
    now = at(s)
    fresh = OK.model_copy(update={"last_ok_at": now})
    snap = access(1000, denied, 0.05).model_copy(update={"observed_at": now, "health": fresh})
    return book.update(book.derive({"access": snap}, now), now)


def acked_by_alice(a: Alert, s: float) -> list[tuple[AuditRecord, AuditRecord]]:
    """alice's `alert-ack` of `a` at `s`, as record_ack writes it (request, outcome)."""
    base: dict[str, Any] = {
        "id": "r1",
        "at": at(s),
        "actor": "alice",
        "action": "alert-ack",
        "target": a.key,
        "prev_hash": "0",
        "hash": "0",
    }
    details = {"kind": a.kind.value, "since": a.raised_at.isoformat(), "raised_from": a.raised_from}
    request = AuditRecord(seq=1, phase="request", details=details, **base)
    return [(request, AuditRecord(seq=2, phase="outcome", outcome="applied", **base))]


def restarted(
    episodes: dict[str, Episode], trail: list[tuple[AuditRecord, AuditRecord]]
) -> AlertBook:
    book = AlertBook()
    book.restore(episodes)
    book.add_trail(trail_acks(trail))
    return book


def test_a_restart_during_the_same_spike_shows_it_acknowledged_from_its_start() -> None:
    alice = AlertBook()
    (spike,) = spiking(alice, 0)
    assert spike.raised_from == "start"
    (spike,) = spiking(alice, 10)
    trail = acked_by_alice(spike, 12)
    spiking(alice, 20)
    kept = alice.episodes()
    assert kept == {
        "access": Episode(kind=spike.kind.value, since=at(0), seen_at=at(20), pane="access")
    }

    bob = restarted(kept, trail)  # 30 s later, the spike still going on
    (shown,) = spiking(bob, 50)
    assert (shown.raised_at, shown.raised_from) == (at(0), "kept")
    assert shown.acknowledged and shown.acked_by == "alice"


def test_a_new_episode_is_not_acknowledged() -> None:
    alice = AlertBook()
    spiking(alice, 0)
    (spike,) = spiking(alice, 10)
    trail = acked_by_alice(spike, 12)
    assert spiking(alice, 15, denied=40) == []  # alice saw it clear: that episode is over
    assert alice.episodes() == {}
    (again,) = spiking(alice, 30)  # and a new one begin
    assert (again.raised_at, again.acknowledged) == (at(30), False)

    bob = restarted(alice.episodes(), trail)
    (shown,) = spiking(bob, 50)
    assert (shown.raised_at, shown.raised_from) == (at(30), "kept")
    assert not shown.acknowledged  # alice acked the one before

    # carol's first data says it is over: when it comes back, it is a new one
    spiking(alice, 40)
    carol = restarted(alice.episodes(), acked_by_alice(again, 41))
    assert spiking(carol, 60, denied=40) == []
    (back,) = spiking(carol, 70)
    assert (back.raised_at, back.raised_from, back.acknowledged) == (at(70), "seen", False)


def test_an_episode_not_seen_for_a_while_is_not_carried_on(data_dir: Path) -> None:
    episode = Episode(kind=AlertKind.DENY_SPIKE.value, since=T0, seen_at=at(20))
    save_episodes(data_dir, SCOPE, {"access": episode}, gone=(), now=at(20))
    assert load_episodes(data_dir, SCOPE, at(20) + EPISODE_GAP) == {"access": episode}
    late = at(21) + EPISODE_GAP
    assert load_episodes(data_dir, SCOPE, late) == {}
    assert load_episodes(data_dir, episode_scope("prod", "prod"), at(30)) == {}

    alice = AlertBook()
    (spike,) = spiking(alice, 0)
    bob = restarted(load_episodes(data_dir, SCOPE, late), acked_by_alice(spike, 5))
    (shown,) = spiking(bob, late.timestamp() - T0.timestamp())
    assert shown.raised_from == "start" and not shown.acknowledged


def test_episodes_gone_are_dropped_and_an_unreadable_file_is_no_episode(data_dir: Path) -> None:
    one = Episode(kind=AlertKind.SOURCE_DOWN.value, since=T0, seen_at=T0)
    save_episodes(data_dir, SCOPE, {DOWN: one, "access": one}, gone=(), now=T0)
    save_episodes(data_dir, SCOPE, {}, gone=("access",), now=at(5))
    assert load_episodes(data_dir, SCOPE, at(5)) == {DOWN: one}
    (data_dir / "alert_episodes.json").write_text("{not json")
    assert load_episodes(data_dir, SCOPE, at(5)) == {}
    save_episodes(data_dir, SCOPE, {"access": one}, gone=(), now=at(5))  # replaced
    assert load_episodes(data_dir, SCOPE, at(5)) == {"access": one}


def test_the_gap_is_shorter_than_a_restart_test_waits() -> None:
    assert timedelta(minutes=3) > EPISODE_GAP  # tests/test_alert_ack_restart.py
