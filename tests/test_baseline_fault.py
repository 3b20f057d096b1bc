"""`b` while a fault window is injecting: its latency would become the baseline, and the
one kept for a restart (the pre-drill one) would be gone. The first `b` says so; a second
within 5 s marks it anyway."""

from __future__ import annotations

from backends.models import Actor, FaultRequest, FaultSpec
from tests.helpers import SIZE, local_app, wait_for
from tests.test_read_only import toasts


async def test_b_during_a_fault_asks_again_before_marking() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("b")  # no fault: marked at once
        await wait_for(pilot, lambda: bool(app.baselines), what="the first baseline")
        before = dict(app.baselines)
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)
        await app.sources["faults"].schedule(
            FaultRequest(spec=spec, reason="latency drill now"), Actor(name="erin")
        )
        await app.refresh_now("faults")
        await pilot.press("b")
        await wait_for(
            pilot, lambda: any("stage/docs-api" in t for t in toasts(app)), what="the warning"
        )

        def marks() -> int:
            return sum(e.text.startswith("baseline marked") for e in app.timeline.events)

        assert app.baselines == before and marks() == 1  # nothing replaced yet
        await pilot.press("b")  # again, within 5 s: marked anyway
        await wait_for(pilot, lambda: marks() == 2, what="marked")
