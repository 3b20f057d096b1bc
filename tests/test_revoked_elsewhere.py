"""A grant revoked from another shell (or a second dashboard) on the same store: the
first dashboard's timeline says who revoked it and why, as the audit trail does. It said
only "grant ID (db-reader for erin@example.com) revoked"."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from backends.models import Actor, GrantEnded
from tests.conftest import T0
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.panes.grants import GrantsPane
from tui.screens.timeline import TimelineScreen

REASON = "revoked from the other shell"


async def test_the_timeline_says_who_revoked_a_grant_elsewhere_and_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    other = local_sources()  # the other shell, on the same data dir
    secret = await enroll(other, "frank")
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        g = await other["grants"].grant(
            req(code_at(secret, app.clock.now()), subject="erin@example.com", role="db-reader"),
            Actor(name="frank"),
        )
        await wait_for(pilot, lambda: g.id in {x.id for x in gl.grants}, what="erin's grant")
        await other["grants"].revoke(g.id, Actor(name="frank"), REASON)
        await wait_for(pilot, lambda: g.id not in {x.id for x in gl.grants}, what="it gone")

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        ends = [e.text for e in screen.events if e.key == f"grant:{g.id}:end"]
        assert ends == [f"frank revoked grant {g.id} (db-reader for erin@example.com): {REASON}"]
    await other.aclose()


async def test_a_revoke_of_a_grant_that_went_says_which_way_it_went() -> None:
    """`watchfloor grants revoke ID` (and the dialog's backend) said "no active grant with
    id '…'" whether it had been revoked (by whom?), had expired, or never was."""
    clock = FrozenClock(T0)
    src = local_sources(clock)
    secret = await enroll(src, "frank")
    frank = Actor(name="frank")
    g = await src["grants"].grant(req(code_at(secret, clock.now())), frank)
    clock.advance(5)
    await src["grants"].revoke(g.id, frank, REASON)
    with pytest.raises(ActionRefused) as refused:
        await src["grants"].revoke(g.id, ME, "revoke it again")
    assert str(refused.value) == (
        f"grant {g.id} was already revoked by frank at 09:00:05Z ({REASON}): nothing to revoke"
    )
    snap = await src["grants"].snapshot()  # and the grants snapshot says so, for a while
    assert snap.ended_of(g.id) == GrantEnded(
        id=g.id,
        at=T0 + timedelta(seconds=5),
        how="revoked",
        subject=g.subject,
        role=g.role,
        revoked_by="frank",
        reason=REASON,
    )

    clock.advance(30)
    short = await src["grants"].grant(
        req(code_at(secret, clock.now()), ttl=timedelta(minutes=1)), frank
    )
    clock.advance(61)  # past its expiry, not reaped yet
    with pytest.raises(ActionRefused, match=f"grant {short.id} expired at 09:01:35Z: nothing"):
        await src["grants"].revoke(short.id, ME, "revoke it again")
    # not reaped yet, the store says so too (what the dialog's refusal above is from)
    expired = GrantEnded(
        id=short.id, at=short.expires_at, how="expired", subject=short.subject, role=short.role
    )
    assert await asyncio.to_thread(src["grants"].rt.store.ended, short.id, clock.now()) == expired
    snap = await src["grants"].snapshot()  # reaped now: it ran out, nobody revoked it
    assert snap.ended_of(short.id) == expired
    # in JSON (`grants list --json`, `snapshot --json`): which way, and whose it was; an
    # expiry read {"id": ..., "revoked_by": "", "reason": ""}, a revoke with empty fields
    (as_json,) = [e for e in snap.model_dump(mode="json")["ended"] if e["id"] == short.id]
    assert as_json["how"] == "expired" and as_json["subject"] == "alice"
    assert as_json["role"] == "sre-oncall"
    with pytest.raises(ActionRefused, match="no grant with id 'nope'"):
        await src["grants"].revoke("nope", ME, "revoke it again")
    clock.advance(11 * 60)  # the snapshot's "ended" covers the last 10 minutes
    assert (await src["grants"].snapshot()).ended_of(g.id) is None
    await src.aclose()
