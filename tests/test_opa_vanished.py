"""A grant gone from OPA's listing before its expiry with no revoke on record (OPA restarted
and lost its data) was written to the timeline as `grant … revoked`: nobody revoked it, and
`grants list --json` said `"ended": []`. Now it says what is known (no longer listed by
opa, no revoke on record), the same in the timeline, the alert (a warning) and the list;
one revoked from another dashboard says who revoked it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backends.models import Alert, AlertKind, Grant, GrantsSnapshot
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_sources, wait_for
from tests.opa_server import FakeOpa, running_opa
from tui.app import WatchfloorApp
from tui.panes.alerts import AlertStrip
from tui.panes.grants import GrantsPane


@pytest.fixture
def opa(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpa]:
    with running_opa() as server:
        monkeypatch.setenv("WATCHFLOOR_PANES__GRANTS", "opa")
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__OPA__URL", server.url)
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__OPA__SKEW_MARGIN_S", "0")
        yield server


async def granted_elsewhere() -> Grant:
    """A grant made from another terminal (`watchfloor grants grant`)."""
    src = local_sources()
    try:
        secret = await enroll(src)
        g = await src["grants"].grant(req(code_at(secret, src.ctx.clock.now())), ME)
    finally:
        await src.aclose()
    assert isinstance(g, Grant)
    return g


def vanished(app: WatchfloorApp) -> list[Alert]:
    return [a for a in app.query_one(AlertStrip).alerts if a.kind is AlertKind.GRANT_VANISHED]


def end_texts(app: WatchfloorApp, gid: str) -> list[str]:
    return [e.text for e in app.timeline.events if e.key == f"grant:{gid}:end"]


async def test_a_grant_opa_lost_is_not_said_revoked_and_raises_a_warning(opa: FakeOpa) -> None:
    g = await granted_elsewhere()
    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) == 1, what="the grant")
        with opa.lock:  # OPA restarted without persistence: its data is gone
            opa.data = {}
        await wait_for(pilot, lambda: bool(end_texts(app, g.id)), what="its end noted")
        (text,) = end_texts(app, g.id)
        assert "revoked" not in text
        assert text == (
            f"grant {g.id} (sre-oncall for alice) no longer listed by opa before its expiry"
            f" at {g.expires_at:%H:%M:%S}Z, no revoke on record"
        )
        await wait_for(pilot, lambda: bool(vanished(app)), what="the alert")
        (alert,) = vanished(app)
        assert alert.severity == "warning" and "no revoke on record" in alert.message
        snap = app.snapshots["grants"]
        assert isinstance(snap, GrantsSnapshot)
        (end,) = snap.ended
        assert (end.id, end.how) == (g.id, "unlisted")


async def test_grants_list_says_a_grant_opa_lost_while_no_dashboard_ran(opa: FakeOpa) -> None:
    """`grants list --json` (one poll of a fresh source): the trail has it granted, OPA
    does not list it, nobody revoked it."""
    g = await granted_elsewhere()
    with opa.lock:
        opa.data = {}
    src = local_sources()
    try:
        snap = await src["grants"].snapshot()
    finally:
        await src.aclose()
    dumped = snap.model_dump(mode="json")
    assert dumped["grants"] == []
    assert [(e["id"], e["how"]) for e in dumped["ended"]] == [(g.id, "unlisted")]


async def test_a_grant_revoked_from_another_dashboard_says_who(opa: FakeOpa) -> None:
    g = await granted_elsewhere()
    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) == 1, what="the grant")
        other = local_sources()
        try:
            await other["grants"].revoke(g.id, ME, "incident over, not needed")
        finally:
            await other.aclose()
        await wait_for(pilot, lambda: bool(end_texts(app, g.id)), what="its end noted")
        assert end_texts(app, g.id) == [
            f"dave revoked grant {g.id} (sre-oncall for alice): incident over, not needed"
        ]
        assert not vanished(app)
