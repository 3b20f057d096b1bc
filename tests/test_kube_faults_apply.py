"""The kube fault adapter schedules and ends faults on a local server that follows the
Kubernetes REST API for networking.istio.io VirtualServices (tests/kube_fake.py), with
every write validated against Istio's published CRD schema: routes restored byte for byte,
conflicts retried on a fresh read, API errors and a wrong token reported, not crashed on."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from backends.clock import FrozenClock
from backends.fault_istio import A_END, A_OWNER, A_REASON, A_START, A_WINDOW, MANAGED_LABEL
from backends.models import HealthState, WindowState
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, comparable, request, sources


async def test_fault_on_existing_route_and_end_restores_it_byte_for_byte(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    original = api.seed(virtual_service("stage", "docs-api", "docs-api"))
    before = comparable(api.stored("stage", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(), ERIN)

    live = api.stored("stage", "docs-api")
    assert live is not None
    for route in live["spec"]["http"]:
        assert route["fault"] == {
            "delay": {"fixedDelay": "800ms", "percentage": {"value": 30.0}},
            "abort": {"httpStatus": 503, "percentage": {"value": 1.0}},
        }
    meta = live["metadata"]
    assert meta["labels"][MANAGED_LABEL] == "watchfloor"
    assert meta["labels"]["app"] == "docs-api"  # the other labels kept
    ann = meta["annotations"]
    assert ann[A_WINDOW] == w.id and ann[A_OWNER] == "erin"
    assert ann[A_REASON] == "game day: docs-api latency drill"
    assert ann[A_START] == w.starts_at.isoformat() and ann[A_END] == w.ends_at.isoformat()
    assert live["metadata"]["resourceVersion"] != original["metadata"]["resourceVersion"]

    snap = await faults.snapshot()
    assert [(x.id, x.applied, x.state(frozen_clock.now())) for x in snap.windows] == [
        (w.id, True, WindowState.ACTIVE)
    ]

    await faults.end(w.id, ERIN, "drill finished early")
    assert comparable(api.stored("stage", "docs-api")) == before
    snap = await faults.snapshot()
    assert [(x.applied, x.state(frozen_clock.now())) for x in snap.windows] == [
        (False, WindowState.ENDED)
    ]
    audit = await src["audit"].records(limit=100)
    mine = [(r.action, r.phase, r.outcome) for r in audit if r.actor == "erin"]
    assert mine == [
        ("fault-schedule", "request", ""),
        ("fault-schedule", "outcome", "applied"),
        ("fault-end", "request", ""),
        ("fault-end", "outcome", "applied"),
    ]
    assert {m for m, _ in api.writes} == {"PUT"}
    await src.aclose()


async def test_host_without_virtual_service_gets_one_created_then_deleted(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    other = api.seed(virtual_service("stage", "search", "search-api"))
    src = sources(api, frozen_clock, istio_version="v1beta1")
    w = await src["faults"].schedule(request(host="docs-api"), ERIN)
    created = api.stored("stage", f"watchfloor-fault-{w.id}")
    assert created is not None and created["apiVersion"] == "networking.istio.io/v1beta1"
    assert created["spec"]["hosts"] == ["docs-api"]
    assert created["spec"]["http"][0]["route"] == [{"destination": {"host": "docs-api"}}]
    assert api.requests[-1][1].startswith("/apis/networking.istio.io/v1beta1/")
    await src["faults"].end(w.id, ERIN, "done")
    assert api.stored("stage", f"watchfloor-fault-{w.id}") is None
    assert api.stored("stage", "search") == other  # untouched, same resourceVersion
    assert [m for m, _ in api.writes] == ["POST", "DELETE"]
    await src.aclose()


async def test_conflict_is_retried_on_a_fresh_read_never_overwritten(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)

    def someone_edits_retries(obj: dict[str, Any]) -> None:
        obj["spec"]["http"][1]["retries"]["attempts"] = 5

    api.interfere(someone_edits_retries)
    w = await src["faults"].schedule(request(), ERIN)
    assert api.conflicts == 1
    live = api.stored("stage", "docs-api")
    assert live is not None
    assert live["spec"]["http"][1]["retries"]["attempts"] == 5  # their change survived
    assert all("fault" in r for r in live["spec"]["http"])  # and ours is on the fresh copy

    def someone_edits_timeout(obj: dict[str, Any]) -> None:
        obj["spec"]["http"][0]["timeout"] = "3s"

    api.interfere(someone_edits_timeout)
    await src["faults"].end(w.id, ERIN, "done")
    assert api.conflicts == 2
    live = api.stored("stage", "docs-api")
    assert live is not None
    assert live["spec"]["http"][0]["timeout"] == "3s"
    assert live["spec"]["http"][1]["retries"]["attempts"] == 5
    assert not any("fault" in r for r in live["spec"]["http"])
    assert live["metadata"]["labels"][MANAGED_LABEL] == "Helm"
    await src.aclose()


async def test_endless_conflicts_give_up_and_audit_the_failure(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    before = comparable(api.stored("stage", "docs-api"))
    src = sources(api, frozen_clock, conflict_retries=3)
    for _ in range(3):
        api.interfere(lambda obj: obj["metadata"].setdefault("annotations", {}).update(x="1"))
    with pytest.raises(Exception, match="conflict"):
        await src["faults"].schedule(request(), ERIN)
    assert api.conflicts == 3
    after = json.loads(comparable(api.stored("stage", "docs-api")))
    after["metadata"]["annotations"].pop("x")
    assert json.dumps(after) == before  # only their edits, none of ours
    outcomes = [r.outcome for r in await src["audit"].records(limit=10) if r.phase == "outcome"]
    assert outcomes[-1].startswith("failed: HTTP 409 from 127.0.0.1:")  # the cause, the host
    assert (await src["faults"].snapshot()).windows == ()
    await src.aclose()


async def test_api_errors_404_500_and_slow_replies(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock, request_timeout_s=0.5)
    faults = src["faults"]
    api.fail("PUT", 500)
    with pytest.raises(Exception, match="500"):
        await faults.schedule(request(), ERIN)
    assert (await faults.snapshot()).windows == ()
    w = await faults.schedule(request(), ERIN)

    stream = faults.watch()
    first = await anext(stream)
    assert first.health.state is HealthState.OK and len(first.windows) == 1
    api.fail("GET", 500)
    second = await anext(stream)
    assert second.health.state is HealthState.ERROR and "500" in (second.health.last_error or "")
    assert second.windows == first.windows  # last data kept
    api.slow(1.5)
    started = time.monotonic()
    third = await anext(stream)
    assert time.monotonic() - started < 10
    assert third.health.state is HealthState.ERROR and third.windows == first.windows
    api.slow(0)
    await stream.aclose()

    # the object vanished under us (404 on the write): ending is still fine, idempotently
    def delete_it(obj: dict[str, Any]) -> None:
        api.objects.pop(("stage", "docs-api"))

    api.interfere(delete_it)
    await faults.end(w.id, ERIN, "object was deleted by someone")
    assert (await faults.snapshot()).windows[0].state(frozen_clock.now()) is WindowState.ENDED
    await src.aclose()


async def test_wrong_token_is_an_error_not_a_crash(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    src = sources(api, frozen_clock, token="nope")
    snap = await anext(src["faults"].watch())
    assert snap.health.state is HealthState.ERROR and "401" in (snap.health.last_error or "")
    await src.aclose()
