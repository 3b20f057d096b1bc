"""What the faults pane, its alert and a failed action say when the Kubernetes API server
answers with an error, against the fake API server (tests/kube_fake.py).

Before: the border read "KubeError: HTTP 403: injected failure" (which server?), and a
removal that kept conflicting was audited "failed: KubeError: KubeError: HTTP 409:
stage/docs-api: still conflicting after 5" (the class twice, "tries" missing). Now the
cause and the host, as every other backend says an HTTP error: "HTTP 403 from
127.0.0.1:PORT: injected failure".
"""

from __future__ import annotations

from backends.clock import FrozenClock
from backends.error_text import host_of
from backends.models import HealthState
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, request, sources


async def test_an_api_error_names_its_status_host_and_message(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    src = sources(api, frozen_clock)
    api.fail("GET", 403, 15)  # the reads, retries and all
    snap = await anext(src["faults"].watch())
    assert snap.health.state is HealthState.ERROR
    said = snap.health.last_error or ""
    assert said == f"HTTP 403 from {host_of(api.url)}: injected failure"
    await src.aclose()


async def test_a_removal_that_keeps_conflicting_is_audited_in_one_line(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock, conflict_retries=3)
    w = await src["faults"].schedule(request(), ERIN)
    for _ in range(10):  # each PUT finds the object changed since it was read
        api.interfere(lambda obj: obj["metadata"]["annotations"].update(x="1"))
    try:
        await src["faults"].end(w.id, ERIN, "drill over")
    except Exception as exc:
        raised = str(exc)
    else:
        raise AssertionError("the end went through")
    records = await src["audit"].records(limit=20)
    outcome = next(r.outcome for r in records if r.action == "fault-end" and r.phase == "outcome")
    said = f"HTTP 409 from {host_of(api.url)}: stage/docs-api: still conflicting after 3 tries"
    assert raised == said
    assert outcome == f"failed: {said}"
    await src.aclose()
