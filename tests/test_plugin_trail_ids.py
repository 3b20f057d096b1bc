"""A third-party adapter's grants (registered through the `watchfloor.backends`
entry-point group) are audited by the core, but its records named no grant: after a
restart the timeline rebuilt from the trail read "dave grant alice:sre-oncall applied:
INC-4711 ..." with no term and no id, its revoke was tied to nothing, and a grant that ran
out meanwhile was not there at all. The local backend's read "... applied for 30m00s,
until 09:30:00Z: ... (grant 3f2a...)", its revoke and expiry keyed to it. Now the wrapped
plugin's records carry the ids and times the local store writes, and both read alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from backends.models import FaultRequest, FaultSpec
from backends.timeline import grant_key, window_key
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_timeline_history import open_timeline, rows
from tests.thirdparty_plugin import NAME, installed
from tui.app import WatchfloorApp

WHY_REVOKE = "INC-4711 mitigated, no longer needed"
DRILL = FaultRequest(
    spec=FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=30),
    reason="latency drill before the restart",
    duration=timedelta(minutes=30),
)


@pytest.fixture(params=["local", NAME])
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The grants and faults panes on the local backend, or on the third-party one."""
    name: str = request.param
    with installed(tmp_path / "site", monkeypatch):
        if name != "local":
            for pane in ("GRANTS", "FAULTS"):
                monkeypatch.setenv(f"WATCHFLOOR_PANES__{pane}", name)
        yield name


async def earlier_session(clock: FrozenClock) -> tuple[str, str, str]:
    """At 09:00:00Z alice's grant (30 min) and a drill window; bob's for 5 min at
    09:01:00Z; alice's revoked at 09:02:00Z. Their ids."""
    src = local_sources(clock)
    secret = await enroll(src)
    alice = await src["grants"].grant(req(code_at(secret, clock.now())), ME)
    window = await src["faults"].schedule(DRILL, ME)
    clock.advance(60)
    bob = req(code_at(secret, clock.now()), subject="bob", ttl=timedelta(minutes=5))
    bobs = await src["grants"].grant(bob, ME)
    clock.advance(60)
    await src["grants"].revoke(alice.id, ME, WHY_REVOKE)
    await src.aclose()
    return alice.id, bobs.id, window.id


async def test_a_restart_rebuilds_a_plugins_grants_and_their_ends_as_a_local_ones(
    backend: str, frozen_clock: FrozenClock
) -> None:
    alice, bob, window = await earlier_session(frozen_clock)
    frozen_clock.advance(10 * 60)  # watchfloor again at 09:12:00Z
    app = WatchfloorApp(local_sources(frozen_clock), clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_timeline(pilot, app, "from the audit trail")
        shown = {text: (time, kind) for time, kind, text in rows(screen)}
        keys = {e.key for e in app.timeline.history.values()}
    reason = req().reason
    said = {
        f"dave grant alice:sre-oncall applied for 30m00s, until 09:30:00Z: {reason}"
        f" (grant {alice})": "09:00:00Z",
        f"dave grant bob:sre-oncall applied for 5m00s, until 09:06:00Z: {reason}"
        f" (grant {bob})": "09:01:00Z",
        f"dave revoke alice:sre-oncall applied: {WHY_REVOKE} (grant {alice})": "09:02:00Z",
        f"grant {bob} (sre-oncall for bob) expired at 09:06:00Z": "09:06:00Z",
    }
    for text, at in said.items():
        assert shown.get(text) == (at, "audit"), (text, [t for t in shown if "grant" in t])
    assert {grant_key(alice, "start"), grant_key(alice, "end"), grant_key(bob, "end")} <= keys
    assert window_key(window, "open") in keys  # the drill window followed too
