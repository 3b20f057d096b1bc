"""`e` (or `watchfloor faults end`) with the Kubernetes API server failing is audited, as
a failed HALT ALL is: the request first (fail closed), then its failure.

Before: `end` read the cluster before it wrote the request record, so an end that failed
on the read left nothing in the audit trail.
"""

from __future__ import annotations

import pytest

from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from backends.error_text import host_of
from backends.models import Actor
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, request, sources


async def test_an_end_that_fails_on_the_api_is_audited_request_then_failure(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    w = await src["faults"].schedule(request(), ERIN)
    api.fail("GET", 503, 20)  # the API server answers nothing but 503 now
    with pytest.raises(Exception, match="HTTP 503"):
        await src["faults"].end(w.id, ERIN, "drill over")
    records = [r for r in await src["audit"].records(limit=20) if r.action == "fault-end"]
    assert [(r.phase, r.target, r.actor) for r in records] == [
        ("request", "stage/docs-api", "erin"),
        ("outcome", "stage/docs-api", "erin"),
    ]
    assert records[0].details["window_id"] == w.id
    assert records[1].outcome == f"failed: HTTP 503 from {host_of(api.url)}: injected failure"
    assert api.stored("stage", "docs-api") is not None
    api.failures.clear()  # back: the fault is still in, and the end goes through now
    await src["faults"].end(w.id, ERIN, "drill over")
    outcomes = [r.outcome for r in await src["audit"].records(limit=20) if r.phase == "outcome"]
    assert outcomes[-1] == "applied"
    await src.aclose()


async def test_ending_a_window_nobody_knows_is_refused(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    src = sources(api, frozen_clock)
    with pytest.raises(Exception, match="no open fault window 'nope'"):
        await src["faults"].end("nope", ERIN, "typo")
    await src.aclose()


async def test_ending_a_window_someone_ended_says_who_when_and_how(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    """It said "no open fault window '…'", and the trail "failed: ActionRefused: …"."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    w = await src["faults"].schedule(request(), ERIN)
    frozen_clock.advance(5)
    await src["faults"].halt_all(Actor(name="alice"), "pager fired")
    frozen_clock.advance(5)
    said = (
        f"fault window {w.id} on stage/docs-api was already ended by alice at 09:00:05Z"
        " (HALT ALL: pager fired): nothing to end"
    )
    with pytest.raises(ActionRefused) as refused:
        await src["faults"].end(w.id, ERIN, "drill over")
    assert str(refused.value) == said
    (outcome,) = [
        r.outcome
        for r in await src["audit"].records(limit=20)
        if r.action == "fault-end" and r.phase == "outcome"
    ]
    assert outcome == f"refused: {said}"
    await src.aclose()
