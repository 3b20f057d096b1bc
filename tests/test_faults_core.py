"""Pure fault-window logic: guardrails, guards, and the VirtualService transform and its
inverse, checked against Istio's published schema. Plus faults.rego, run from pytest."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.contracts import ActionRefused
from backends.fault_istio import (
    A_ORIGINAL,
    MANAGED_LABEL,
    TransformError,
    new_virtual_service,
    window_of,
    with_fault,
    without_fault,
)
from backends.fault_policy import FaultPolicy
from backends.faults_core import Limits, guard_tripped, new_window, problems
from backends.models import (
    Actor,
    FaultGuards,
    FaultRequest,
    FaultSpec,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    SourceHealth,
)
from backends.policy import policy_path, run_tests
from tests import istio_schema
from tests.conftest import T0
from tests.kube_fake import virtual_service

ERIN = Actor(name="erin")


def req(ns: str = "stage", **spec: Any) -> FaultRequest:
    base: dict[str, Any] = {"delay_ms": 800, "delay_percent": 30, "abort_percent": 1}
    base.update(spec)
    return FaultRequest(
        spec=FaultSpec(target_host="docs-api", namespace=ns, **base),
        reason="game day latency drill",
    )


def test_guardrails() -> None:
    limits = Limits.of(["prod", "production", "kube-system", "istio-system"], 50, 60)
    assert problems(req(), limits) == []
    for ns in ("prod", "production", "kube-system", "istio-system"):
        assert any("protected" in p for p in problems(req(ns), limits)), ns
    assert problems(req(delay_percent=0, abort_percent=0), limits)
    assert "a delay needs both a delay (e.g. 800ms) and a delay % above 0" in problems(
        req(delay_percent=0), limits
    )
    assert "abort 51% is over the cap of 50%" in problems(req(abort_percent=51), limits)
    # config may raise the cap, the hard ceiling (also in faults.rego) still holds
    assert any("cap" in p for p in problems(req(abort_percent=80), Limits.of([], 100, 60)))
    long = req().model_copy(update={"duration": timedelta(minutes=61)})
    assert "a window lasts more than 0 and at most 1h" in problems(long, limits)  # not 1:00:00
    assert problems(req("Not_A_Namespace"), limits)


def test_guards_trip_on_the_watched_route_only() -> None:
    w = new_window(req(), ERIN, T0, "w1").model_copy(
        update={"guards": FaultGuards(p999_ms_above=1500, error_rate_above=0.05, route="GET /a")}
    )
    ok = SourceHealth(state=HealthState.OK, last_ok_at=T0)

    def snap(*routes: RouteLatency) -> LatencySnapshot:
        return LatencySnapshot(observed_at=T0, health=ok, routes=routes)

    def r(route: str, p999: float, err: float = 0.0) -> RouteLatency:
        return RouteLatency(
            route=route, p999_ms=p999, slo_ms=1000, observations=2000, error_rate=err
        )

    assert guard_tripped(w, None) is None
    assert guard_tripped(w, snap(r("GET /a", 900), r("GET /b", 9000))) is None
    assert guard_tripped(w, snap(r("GET /a", 1600))) == "guard: GET /a p99.9 1600 ms > 1500 ms"
    assert guard_tripped(w, snap(r("GET /a", 100, err=0.2))) == (
        "guard: GET /a error rate 20.0% > 5.0%"
    )
    # just over: as many decimals as it takes to read as over ('1500 ms > 1500 ms' did not)
    assert guard_tripped(w, snap(r("GET /a", 1500.4))) == "guard: GET /a p99.9 1500.4 ms > 1500 ms"
    assert guard_tripped(w, snap(r("GET /a", 100, err=0.05004))) == (
        "guard: GET /a error rate 5.004% > 5.0%"
    )
    unguarded = w.model_copy(update={"guards": FaultGuards()})
    assert guard_tripped(unguarded, snap(r("GET /a", 99999, err=1.0))) is None


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_everything_written_validates_against_the_istio_schema(version: str) -> None:
    w = new_window(req(), ERIN, T0, "abc123")
    created = new_virtual_service(w, f"networking.istio.io/{version}")
    assert istio_schema.problems(created, version) == []
    existing = virtual_service("stage", "docs-api", "docs-api")
    existing["apiVersion"] = f"networking.istio.io/{version}"
    faulted = with_fault(existing, w)
    assert istio_schema.problems(faulted, version) == []
    assert istio_schema.problems(without_fault(faulted), version) == []
    abort_only = new_window(req(delay_ms=0, delay_percent=0), ERIN, T0, "abort1")
    assert istio_schema.problems(with_fault(existing, abort_only), version) == []


def test_the_schema_check_can_fail() -> None:
    w = new_window(req(), ERIN, T0, "abc123")
    vs = new_virtual_service(w, "networking.istio.io/v1")
    bad = copy.deepcopy(vs)
    bad["spec"]["http"][0]["fault"]["delay"]["fixedDelay"] = "800"  # no unit
    assert istio_schema.problems(bad)
    bad = copy.deepcopy(vs)
    bad["spec"]["http"][0]["fault"]["abort"]["percent"] = 5  # not a field of abort
    assert istio_schema.problems(bad)
    bad = copy.deepcopy(vs)
    bad["metadata"]["labels"][MANAGED_LABEL] = "water floor"  # not a label value
    assert istio_schema.problems(bad)


def test_window_round_trips_through_annotations() -> None:
    w = new_window(req(), ERIN, T0, "abc123").model_copy(
        update={"guards": FaultGuards(p999_ms_above=1500)}
    )
    back = window_of(with_fault(virtual_service("stage", "d", "docs-api"), w))
    # when it was scheduled (and started) is kept in the store, not in the annotations
    # (KubeFaults.KEPT): a kube snapshot takes them from there
    assert back == w.model_copy(update={"applied": True, "scheduled_at": None})


def test_refuses_to_stack_on_a_fault_it_does_not_own() -> None:
    w = new_window(req(), ERIN, T0, "abc123")
    theirs = virtual_service("stage", "d", "docs-api")
    theirs["spec"]["http"][0]["fault"] = {"abort": {"httpStatus": 500, "percentage": {"value": 1}}}
    with pytest.raises(TransformError, match="does not manage"):
        with_fault(theirs, w)
    with pytest.raises(TransformError, match="already carries"):
        with_fault(with_fault(virtual_service("stage", "d", "docs-api"), w), w)


_name = st.text("abcdefghij-", min_size=1, max_size=8).map(lambda s: "a" + s + "z")
_destination = st.fixed_dictionaries({"destination": st.fixed_dictionaries({"host": _name})})
_route = st.fixed_dictionaries(
    {"route": st.lists(_destination, min_size=1, max_size=2)},
    optional={
        "name": _name,
        "timeout": st.sampled_from(["1s", "250ms"]),
        "retries": st.fixed_dictionaries({"attempts": st.integers(0, 5)}),
    },
)


@settings(max_examples=60, deadline=None)
@given(
    http=st.lists(_route, min_size=1, max_size=4),
    labels=st.one_of(st.none(), st.dictionaries(_name, _name, max_size=3)),
    annotations=st.one_of(st.none(), st.dictionaries(_name, st.text(max_size=20), max_size=3)),
)
def test_inverse_restores_any_route_byte_for_byte(
    http: list[dict[str, Any]], labels: dict[str, str] | None, annotations: dict[str, str] | None
) -> None:
    vs: dict[str, Any] = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "x", "namespace": "stage"},
        "spec": {"hosts": ["docs-api"], "http": http},
    }
    if labels is not None:
        vs["metadata"]["labels"] = labels
    if annotations is not None:
        vs["metadata"]["annotations"] = annotations
    before = json.dumps(vs)
    w = new_window(req(), ERIN, T0, "abc123")
    faulted = with_fault(vs, w)
    assert json.dumps(vs) == before  # the input is not mutated
    assert json.loads(faulted["metadata"]["annotations"][A_ORIGINAL])["http"] == http
    assert json.dumps(without_fault(faulted)) == before


def test_fault_policy_rego_tests_pass() -> None:
    results = run_tests([policy_path("faults.rego"), policy_path("faults_test.rego")])
    assert len(results) >= 20
    failed = [(r.name, r.detail) for r in results if not r.passed]
    assert failed == []


async def test_fault_policy_refuses_what_config_cannot_open() -> None:
    wide_open = FaultPolicy(Limits.of([], 100, 24 * 60))
    await wide_open.check("schedule", ERIN, "game day latency drill", req())
    for ns in ("prod", "production", "kube-system", "istio-system"):
        with pytest.raises(ActionRefused, match="protected"):
            await wide_open.check("schedule", ERIN, "game day latency drill", req(ns))
    with pytest.raises(ActionRefused, match="cap"):
        await wide_open.check("schedule", ERIN, "game day latency drill", req(abort_percent=70))
    await wide_open.check("halt", ERIN, "pager fired")
    with pytest.raises(ActionRefused, match="reason"):
        await wide_open.check("halt", ERIN, " ")
