"""A dashboard left open for a shift: the grants poll's index of the audit trail's grants
(backends/local/grant_audit.py's GrantIndex) held every grant the trail ever had, so it
grew with the hours (about 30 an hour on a busy game day, for good). Now it lets go of
the grants that are over (expired, revoked) once they are no longer listed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backends.clock import FrozenClock
from backends.local.grant_audit import GrantIndex
from backends.models import Actor
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import local_sources


def index_of(src: Any) -> GrantIndex:
    index = src["grants"].rt.store._grant_index
    assert isinstance(index, GrantIndex)
    return index


async def test_the_grants_index_keeps_only_what_is_listed_or_on_its_way(
    frozen_clock: FrozenClock,
) -> None:
    src = local_sources(frozen_clock)
    await src["grants"].snapshot()  # the demo grants (up to 170 minutes)
    secret = await enroll(src)
    for i in range(12):  # a busy hour: short grants, half revoked early
        g = await src["grants"].grant(
            req(code_at(secret, frozen_clock.now()), subject=f"u{i}", ttl=timedelta(minutes=5)),
            ME,
        )
        if i % 2:
            await src["grants"].revoke(g.id, Actor(name="frank"), "INC-4711 closed early")
        frozen_clock.advance(31)  # a code is good once
        await src["grants"].snapshot()
    assert len(index_of(src).grants) > 3  # held while they run
    frozen_clock.advance(3 * 3600)  # everything granted so far is over
    held = await src["grants"].grant(req(code_at(secret, frozen_clock.now())), ME)
    snap = await src["grants"].snapshot()
    assert [(g.id, g.audit_problem) for g in snap.grants] == [(held.id, "")]  # still checked
    assert set(index_of(src).grants) == {held.id}  # not the 15 that are over
    await src.aclose()
