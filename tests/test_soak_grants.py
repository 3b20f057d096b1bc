"""A dashboard left open for a shift. The grants poll's index of the audit trail's grants
(backends/local/grant_audit.py's GrantIndex) held every grant the trail ever had, so it
grew with the hours (about 30 an hour on a busy game day, for good); now it lets go of
the grants that are over (expired, revoked) once they are no longer listed. And with
hundreds of grants each idle poll cost CPU for every grant (built, validated, compared
field by field): now what did not change is the same object (bench/grants_poll.py)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from backends.clock import FrozenClock
from backends.local.grant_audit import GrantIndex
from backends.models import Actor, Grant
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.panes.grants import GrantsPane


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


async def test_a_poll_with_nothing_changed_gives_the_same_grants(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """A poll a second built and validated every grant listed again (most of an idle
    dashboard's CPU with hundreds of grants); now a row unchanged gives the same object,
    marked or not, and a row edited meanwhile a new one, checked again."""
    src = local_sources(frozen_clock)
    secret = await enroll(src)
    alice = await src["grants"].grant(req(code_at(secret, frozen_clock.now())), ME)
    frozen_clock.advance(31)
    bob = await src["grants"].grant(req(code_at(secret, frozen_clock.now()), subject="bob"), ME)
    first = (await src["grants"].snapshot()).grants
    frozen_clock.advance(1)
    again = (await src["grants"].snapshot()).grants
    assert len(again) == 2 and all(a is b for a, b in zip(first, again, strict=True))

    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")  # someone edits alice's by hand
    db.execute("UPDATE grants SET role = 'cluster-admin' WHERE id = ?", (alice.id,))
    db.commit()
    db.close()
    frozen_clock.advance(1)
    edited = {g.id: g for g in (await src["grants"].snapshot()).grants}
    assert edited[alice.id].audit_problem == "differs from its audit record: role"
    frozen_clock.advance(1)
    later = {g.id: g for g in (await src["grants"].snapshot()).grants}
    assert later[alice.id] is edited[alice.id] and later[bob.id] is edited[bob.id]
    assert later[bob.id].audit_problem == ""
    await src.aclose()


async def test_an_idle_dashboard_compares_no_grant_field_by_field(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each poll's grants were compared with the last poll's with pydantic's `==` (the
    pane's diff), field by field, every grant, every poll."""
    compared: list[str] = []

    def eq(self: Grant, other: object) -> bool:
        compared.append(self.id)
        return BaseModel.__eq__(self, other)

    app = local_app(frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        grants = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: grants.row_count == 3, what="the demo grants")
        monkeypatch.setattr(Grant, "__eq__", eq)
        for _ in range(3):  # three polls, nothing changed
            frozen_clock.advance(1)
            await app.refresh_now("grants")
            await pilot.pause(0.1)
        assert compared == []
        assert grants.row_count == 3
