"""The OPA adapter against a local server that follows OPA's data API (tests/opa_server.py),
with policy/abac.rego evaluated over the pushed grants by the embedded Rego interpreter."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from backends.alerts import derive
from backends.contracts import ActionRefused
from backends.models import AlertKind
from backends.opa import to_ns
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_sources, wait_for
from tests.opa_server import FakeOpa, running_opa
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane

NS = 1_000_000_000


@pytest.fixture
def opa(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpa]:
    with running_opa() as server:
        monkeypatch.setenv("WATCHFLOOR_PANES__GRANTS", "opa")
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__OPA__URL", server.url)
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__OPA__SKEW_MARGIN_S", "0")
        yield server


def allowed(opa: FakeOpa, subject: str, role: str) -> Any:
    resp = httpx.post(
        f"{opa.url}/v1/data/abac/allow",
        json={"input": {"subject": subject, "attrs": {"role": role}}},
    )
    resp.raise_for_status()
    return resp.json().get("result")


async def test_grant_puts_revoke_deletes_and_rego_honours_it(opa: FakeOpa) -> None:
    src = local_sources()
    assert src["grants"].name == "opa"
    secret = await enroll(src)
    assert allowed(opa, "alice", "sre-oncall") is False
    g = await src["grants"].grant(req(code_at(secret, src.ctx.clock.now())), ME)
    assert ("PUT", f"/v1/data/breakglass/grants/{g.id}") in opa.requests
    doc = opa.data["breakglass"]["grants"][g.id]
    assert doc["subject"] == "alice" and doc["role"] == "sre-oncall"
    expiry_ns = to_ns(g.expires_at)
    assert expiry_ns - 2 * NS <= doc["expires_at_ns"] <= expiry_ns  # ns, never later
    assert allowed(opa, "alice", "sre-oncall") is True
    assert allowed(opa, "mallory", "sre-oncall") is False
    snap = await src["grants"].snapshot()
    assert [x.id for x in snap.grants] == [g.id]
    await src["grants"].revoke(g.id, ME, "incident over, access not needed")
    assert ("DELETE", f"/v1/data/breakglass/grants/{g.id}") in opa.requests
    assert g.id not in opa.data["breakglass"]["grants"]
    assert allowed(opa, "alice", "sre-oncall") is False
    outcomes = [(r.action, r.phase, r.outcome) for r in await src["audit"].records(100)]
    assert ("grant", "outcome", "applied") in outcomes
    assert ("revoke", "outcome", "applied") in outcomes
    await src.aclose()


async def test_expiry_is_enforced_by_rego_even_before_the_reaper(opa: FakeOpa) -> None:
    src = local_sources()
    secret = await enroll(src)
    g = await src["grants"].grant(
        req(code_at(secret, src.ctx.clock.now()), ttl=timedelta(seconds=2)), ME
    )
    assert allowed(opa, "alice", "sre-oncall") is True
    for _ in range(60):  # bounded: at most 6 s
        if src.ctx.clock.now() > g.expires_at + timedelta(milliseconds=100):
            break
        await asyncio.sleep(0.1)
    assert g.id in opa.data["breakglass"]["grants"]  # still pushed, nothing deleted it yet
    assert allowed(opa, "alice", "sre-oncall") is False  # but Rego no longer honours it
    snap = await src["grants"].snapshot()  # the reaper deletes it
    assert snap.grants == ()
    assert g.id not in opa.data["breakglass"]["grants"]
    await src.aclose()


@pytest.mark.parametrize("skew_s", [-120.0, 120.0])
async def test_clock_skew_never_extends_a_grant(opa: FakeOpa, skew_s: float) -> None:
    opa.skew_s = skew_s  # OPA's clock behind (-) or ahead (+) of ours
    src = local_sources()
    secret = await enroll(src)
    g = await src["grants"].grant(req(code_at(secret, src.ctx.clock.now())), ME)
    pushed = opa.data["breakglass"]["grants"][g.id]["expires_at_ns"]
    ours = to_ns(g.expires_at)
    # In OPA's clock the grant must end no later than our expiry does in real time.
    assert pushed <= ours + int(min(0.0, skew_s)) * NS
    assert pushed >= ours + int(min(0.0, skew_s) - 3) * NS  # and not absurdly early
    await src.aclose()


async def test_refused_grant_pushes_nothing(opa: FakeOpa) -> None:
    src = local_sources()
    secret = await enroll(src)
    wrong = f"{(int(code_at(secret, src.ctx.clock.now())) + 500_000) % 1_000_000:06d}"
    with pytest.raises(ActionRefused, match="wrong"):
        await src["grants"].grant(req(wrong), ME)
    with pytest.raises(ActionRefused, match="may not grant cluster-admin"):
        await src["grants"].grant(
            req(code_at(secret, src.ctx.clock.now()), role="cluster-admin"), ME
        )
    assert not [r for r in opa.requests if r[0] == "PUT"]
    assert await src["audit"].records(100) == []
    await src.aclose()


async def test_expired_but_present_grant_is_red_with_an_alert(opa: FakeOpa) -> None:
    """OPA still holds a grant past its expiry (the reaper's DELETE fails): the pane shows
    it in red and the alert strip raises the plan's alert."""
    opa.fail_deletes = True
    now_ns = int(local_sources().ctx.clock.now().timestamp() * NS)
    opa.data = {
        "breakglass": {
            "grants": {
                "stale0000001": {
                    "subject": "bob",
                    "role": "db-reader",
                    "reason": "INC-1 old grant",
                    "granted_by": "carol",
                    "granted_at_ns": now_ns - 3600 * NS,
                    "expires_at_ns": now_ns - 60 * NS,
                },
                "live00000001": {
                    "subject": "alice",
                    "role": "sre-oncall",
                    "reason": "INC-2 live grant",
                    "granted_by": "carol",
                    "granted_at_ns": now_ns,
                    "expires_at_ns": now_ns + 600 * NS,
                },
            }
        }
    }
    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) == 2, what="opa grants")
        await pilot.pause(0.1)
        gl = pane.grant_list()
        assert [g.id for g in gl.grants] == ["stale0000001", "live00000001"]
        expired_style = gl.get_component_rich_style("grant-list--expired")
        stale_line, live_line = gl.render_line(0), gl.render_line(1)
        assert "EXPIRED" in stale_line.text and "EXPIRED" not in live_line.text
        assert any(s.style and s.style.color == expired_style.color for s in stale_line)
        assert not any(s.style and s.style.color == expired_style.color for s in live_line)
        alerts = derive(app.snapshots, app.clock.now())
        assert [a.key for a in alerts if a.kind is AlertKind.TTL_EXPIRED_ACTIVE] == [
            "grant:stale0000001"
        ]
        assert any(a.key == "grant:stale0000001" for a in app.query_one("AlertStrip").alerts)  # type: ignore[attr-defined]


async def test_a_grant_that_failed_before_it_applied_gives_the_code_back(opa: FakeOpa) -> None:
    """OPA down after the code was accepted: the grant failed, and the retry once OPA was
    back was refused "step-up code was already used" though nothing had been granted."""
    src = local_sources()
    secret = await enroll(src)
    code = code_at(secret, src.ctx.clock.now())
    opa.fail_next(50, 503, "GET")  # /health, every retry the client policy makes
    with pytest.raises(Exception) as failed:
        await src["grants"].grant(req(code), ME)
    assert not isinstance(failed.value, ActionRefused)  # it failed; nothing refused it
    assert not [r for r in opa.requests if r[0] == "PUT"]
    opa.heal()
    opa.fail_next(1, 500, "PUT")  # OPA answers the PUT: no, so nothing was granted
    with pytest.raises(ActionRefused, match="OPA refused the grant"):
        await src["grants"].grant(req(code), ME)
    g = await src["grants"].grant(req(code), ME)  # the same code: given back twice
    assert g.id in opa.data["breakglass"]["grants"]
    with pytest.raises(ActionRefused, match="already used"):  # spent by what it granted
        await src["grants"].grant(req(code), ME)
    await src.aclose()


async def test_a_put_with_no_answer_keeps_the_code_spent(opa: FakeOpa) -> None:
    """The PUT may have landed: the code is not given back (no second grant on it)."""
    monkey = pytest.MonkeyPatch()
    monkey.setenv("WATCHFLOOR_BACKENDS__OPA__TIMEOUT_S", "0.5")
    src = local_sources()
    secret = await enroll(src)
    code = code_at(secret, src.ctx.clock.now())
    real = src["grants"]._client

    def slow_put() -> Any:
        client = real()

        async def put(*_: Any, **__: Any) -> Any:
            raise httpx.ReadTimeout("no answer")

        client.put = put
        return client

    src["grants"]._client = slow_put
    with pytest.raises(httpx.ReadTimeout):
        await src["grants"].grant(req(code), ME)
    src["grants"]._client = real
    with pytest.raises(ActionRefused, match="already used"):
        await src["grants"].grant(req(code), ME)
    monkey.undo()
    await src.aclose()
