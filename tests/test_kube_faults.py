"""The kube fault adapter against a local server that follows the Kubernetes REST API for
networking.istio.io VirtualServices (tests/kube_fake.py), with every write validated
against Istio's published CRD schema."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backends.alerts import derive
from backends.clock import Clock, FrozenClock, SystemClock
from backends.config import load
from backends.contracts import ActionRefused
from backends.fault_istio import A_END, A_OWNER, A_REASON, A_START, A_WINDOW, MANAGED_LABEL
from backends.models import (
    Actor,
    AlertKind,
    FaultGuards,
    FaultRequest,
    FaultSpec,
    FaultWindow,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    SourceHealth,
    WindowState,
)
from backends.wiring import Sources, build_sources
from tests.conftest import ROOT, watchfloor_cmd
from tests.kube_fake import TOKEN, FakeKube, running, virtual_service

ERIN = Actor(name="erin")


@pytest.fixture
def api() -> Iterator[FakeKube]:
    with running() as fake:
        yield fake
    assert fake.rejected == [], fake.rejected  # nothing written that the schema refuses


def kube_env(api: FakeKube, **opts: str) -> dict[str, str]:
    env = {
        "WATCHFLOOR_PANES__FAULTS": "kube",
        "WATCHFLOOR_BACKENDS__KUBE__API_URL": api.url,
        "WATCHFLOOR_BACKENDS__KUBE__TOKEN": TOKEN,
        "WATCHFLOOR_BACKENDS__KUBE__REQUEST_TIMEOUT_S": "2",
        "WATCHFLOOR_UI__ACTOR": "erin",
    }
    env.update({f"WATCHFLOOR_BACKENDS__KUBE__{k.upper()}": v for k, v in opts.items()})
    return env


def sources(api: FakeKube, clock: Clock | None = None, **opts: Any) -> Sources:
    """Sources built from a config file, as a user would write it, with these options."""
    data_dir = Path(os.environ["WATCHFLOOR_DATA_DIR"])
    lines = ["[ui]", 'actor = "erin"', "[panes]", 'faults = "kube"', "[backends.kube]"]
    options = {"api_url": api.url, "token": TOKEN, "request_timeout_s": 2.0, **opts}
    lines += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
    path = data_dir.parent / "kube-test.toml"
    path.write_text("\n".join(lines) + "\n")
    return build_sources(load(path), clock=clock)


def request(ns: str = "stage", host: str = "docs-api", **kw: Any) -> FaultRequest:
    spec = {"delay_ms": 800, "delay_percent": 30, "abort_status": 503, "abort_percent": 1}
    spec.update(kw.pop("spec", {}))
    return FaultRequest(
        spec=FaultSpec(target_host=host, namespace=ns, **spec),
        reason="game day: docs-api latency drill",
        **kw,
    )


def comparable(obj: dict[str, Any] | None) -> str:
    """The object as the API returns it, minus what the server changes on every write."""
    assert obj is not None
    obj = copy.deepcopy(obj)
    for k in ("resourceVersion", "generation"):
        obj["metadata"].pop(k, None)
    return json.dumps(obj)


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
    assert outcomes[-1].startswith("failed: KubeError: HTTP 409")
    assert (await src["faults"].snapshot()).windows == ()
    await src.aclose()


async def test_protected_namespace_refused_by_the_adapter_even_if_config_opens_it(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    src = sources(api, frozen_clock, protected_namespaces=[])
    assert src.errors == {}
    faults = src["faults"]
    with pytest.raises(ActionRefused, match="protected"):  # policy faults.rego still says no
        await faults.schedule(request(ns="prod"), ERIN)
    # and below validation and policy, the adapter's own write path refuses too
    w = FaultWindow(
        id="sneaky",
        spec=request(ns="kube-system").spec,
        owner="erin",
        reason="bypassing the front door",
        starts_at=frozen_clock.now(),
        ends_at=frozen_clock.now() + timedelta(minutes=5),
    )
    with pytest.raises(ActionRefused, match="protected"):
        faults.mesh.apply(w)
    assert api.writes == [] and api.requests == []
    await src.aclose()


async def test_config_can_protect_more_namespaces(api: FakeKube, frozen_clock: FrozenClock) -> None:
    src = sources(api, frozen_clock, protected_namespaces=["payments"])
    with pytest.raises(ActionRefused, match="payments"):
        await src["faults"].schedule(request(ns="payments"), ERIN)
    with pytest.raises(ActionRefused, match="protected"):
        await src["faults"].schedule(request(ns="prod"), ERIN)
    assert api.writes == []
    await src.aclose()


async def test_percentage_required_and_capped_and_window_bounded(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    src = sources(api, frozen_clock)
    bad = [
        request(spec={"delay_percent": 0, "abort_percent": 0}),
        request(spec={"delay_percent": 0}),  # a delay with no percentage
        request(spec={"abort_percent": 60}),
        request(duration=timedelta(minutes=61)),
    ]
    for req in bad:
        with pytest.raises(ActionRefused):
            await src["faults"].schedule(req, ERIN)
    assert api.writes == []
    await src.aclose()


async def test_halt_all_removes_every_managed_fault_and_nothing_else(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    original = comparable(api.stored("stage", "docs-api"))
    untouched = [
        api.seed(virtual_service("stage", "search", "search-api")),
        api.seed(virtual_service("dev", "billing", "billing")),
    ]
    foreign = virtual_service("dev", "chaos-team", "ledger")
    foreign["spec"]["http"][1]["fault"] = {"abort": {"httpStatus": 500, "percentage": {"value": 2}}}
    foreign["metadata"]["labels"][MANAGED_LABEL] = "chaos-mesh"
    untouched.append(api.seed(foreign))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    a = await faults.schedule(request(), ERIN)
    b = await faults.schedule(request(ns="dev", host="ratings"), ERIN)
    later = await faults.schedule(
        request(ns="dev", host="billing", start_in=timedelta(minutes=5)), ERIN
    )
    assert api.stored("dev", f"watchfloor-fault-{b.id}") is not None
    assert comparable(api.stored("dev", "billing")) == comparable(untouched[1])  # not yet

    assert await faults.halt_all(ERIN, "pager fired: checkout errors") == 3
    assert comparable(api.stored("stage", "docs-api")) == original
    assert api.stored("dev", f"watchfloor-fault-{b.id}") is None
    for obj in untouched:
        assert api.stored(obj["metadata"]["namespace"], obj["metadata"]["name"]) == obj
    snap = await faults.snapshot()
    now = frozen_clock.now()
    assert {w.id: (w.state(now), w.applied) for w in snap.windows} == {
        a.id: (WindowState.ENDED, False),
        b.id: (WindowState.ENDED, False),
        later.id: (WindowState.ENDED, False),
    }
    writes = len(api.writes)
    assert await faults.halt_all(ERIN, "pager fired again") == 0  # idempotent
    assert len(api.writes) == writes
    frozen_clock.advance(600)  # the scheduled one never starts after a HALT
    assert await faults.reconcile() == []
    assert comparable(api.stored("dev", "billing")) == comparable(untouched[1])
    halts = [r for r in await src["audit"].records(limit=100) if r.action == "fault-halt-all"]
    assert [(r.phase, r.outcome) for r in halts] == [
        ("request", ""),
        ("outcome", "applied"),
        ("request", ""),
        ("outcome", "applied"),
    ]
    await src.aclose()


async def test_reconcile_ends_on_time_starts_when_due_and_honours_guards(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    original = comparable(api.stored("stage", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    guarded = FaultGuards(p999_ms_above=1500, route="GET /docs/:id")
    soon = await faults.schedule(
        request(start_in=timedelta(minutes=1), duration=timedelta(minutes=5), guards=guarded),
        ERIN,
    )
    assert comparable(api.stored("stage", "docs-api")) == original  # scheduled, not applied
    frozen_clock.advance(61)
    assert any("started" in line for line in await faults.reconcile())
    assert api.stored("stage", "docs-api")["metadata"]["annotations"][A_WINDOW] == soon.id  # type: ignore[index]

    def latency(p999: float) -> LatencySnapshot:
        route = RouteLatency(route="GET /docs/:id", p999_ms=p999, slo_ms=1200, observations=5000)
        health = SourceHealth(state=HealthState.OK, last_ok_at=frozen_clock.now())
        return LatencySnapshot(observed_at=frozen_clock.now(), health=health, routes=(route,))

    assert await faults.reconcile(latency(900)) == []  # under the guard: stays
    lines = await faults.reconcile(latency(2100))
    assert len(lines) == 1 and "p99.9 2100 ms > 1500 ms" in lines[0]
    assert comparable(api.stored("stage", "docs-api")) == original
    (w,) = (await faults.snapshot()).windows
    assert w.state(frozen_clock.now()) is WindowState.ENDED and "guard" in w.end_reason

    timed = await faults.schedule(request(duration=timedelta(minutes=2)), ERIN)
    frozen_clock.advance(119)
    assert await faults.reconcile() == []
    frozen_clock.advance(2)
    assert (await faults.reconcile()) == [f"{timed.id} stage/docs-api: removed, ended on time"]
    assert comparable(api.stored("stage", "docs-api")) == original
    reconciler = [r.action for r in await src["audit"].records(limit=100) if r.actor != "erin"]
    assert reconciler.count("fault-reconcile-end") == 4 and reconciler.count("fault-start") == 2
    await src.aclose()


async def test_leak_alert_for_managed_fault_in_protected_namespace_or_past_end(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(duration=timedelta(minutes=1)), ERIN)
    # someone copies the managed object into prod by hand
    copied = copy.deepcopy(api.stored("stage", "docs-api"))
    assert copied is not None
    copied["metadata"] = {k: copied["metadata"][k] for k in ("name", "labels", "annotations")}
    copied["metadata"]["namespace"] = "prod"
    copied["metadata"]["annotations"][A_WINDOW] = "copied"
    api.seed(copied)
    snap = await faults.snapshot()
    alerts = derive({"faults": snap}, frozen_clock.now())
    assert [(a.kind, a.key) for a in alerts] == [(AlertKind.FAULT_LEAK, "fault:copied")]
    frozen_clock.advance(70)  # the stage window is past its end and nobody reconciled yet
    snap = await faults.snapshot()
    alerts = derive({"faults": snap}, frozen_clock.now())
    assert sorted(a.key for a in alerts) == sorted(["fault:copied", f"fault:{w.id}"])
    lines = await faults.reconcile()
    assert len(lines) == 2 and any("protected namespace prod" in line for line in lines)
    assert derive({"faults": await faults.snapshot()}, frozen_clock.now()) == []
    assert api.stored("prod", "docs-api") is not None
    assert not any("fault" in r for r in api.stored("prod", "docs-api")["spec"]["http"])  # type: ignore[index]
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


@pytest.mark.slow
def test_window_ends_on_time_with_no_dashboard_running(api: FakeKube, data_dir: Path) -> None:
    """Scheduled by one process, removed by `watchfloor faults reconcile --once` in another,
    after the process that opened it is gone."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    original = comparable(api.stored("stage", "docs-api"))
    env = {**os.environ, **kube_env(api), "WATCHFLOOR_DATA_DIR": str(data_dir)}
    cmd = watchfloor_cmd()
    opened = subprocess.run(
        [*cmd, "faults", "schedule", "--host", "docs-api", "-n", "stage", "--delay", "800ms",
         "--delay-percent", "30", "--duration", "3s", "--reason", "game day: ends on its own"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    window_id = opened.stdout.split()[0]
    assert api.stored("stage", "docs-api")["metadata"]["annotations"][A_WINDOW] == window_id  # type: ignore[index]
    listed = subprocess.run(
        [*cmd, "faults", "list", "--json"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert [w["id"] for w in json.loads(listed.stdout)["windows"]] == [window_id]
    deadline = time.monotonic() + 30
    ends_at = SystemClock().now() + timedelta(seconds=3)
    while SystemClock().now() < ends_at and time.monotonic() < deadline:
        time.sleep(0.2)
    # a fresh data dir: the reconciler needs nothing but the cluster
    env["WATCHFLOOR_DATA_DIR"] = str(data_dir / "elsewhere")
    done = subprocess.run(
        [*cmd, "faults", "reconcile", "--once"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{window_id} stage/docs-api: removed, ended on time" in done.stdout
    assert comparable(api.stored("stage", "docs-api")) == original


def test_cli_refuses_protected_namespace_before_any_backend(api: FakeKube) -> None:
    env = {**os.environ, **kube_env(api)}
    out = subprocess.run(
        [*watchfloor_cmd(), "faults", "schedule", "--host", "docs-api", "-n", "istio-system",
         "--abort-percent", "5", "--duration", "1m", "--reason", "trying the control plane"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert out.returncode == 1
    assert "protected" in out.stderr
    assert api.requests == []


def test_example_config_is_valid() -> None:
    from backends.config import check_backends

    loaded = load(ROOT / "config" / "examples" / "kube.toml", env={})
    options = check_backends(loaded)
    assert loaded.config.panes.faults == "kube"
    assert "payments" in options["kube"].protected_namespaces  # type: ignore[attr-defined]


def test_the_fake_api_server_follows_merge_patch_and_precondition_semantics(
    api: FakeKube,
) -> None:
    """The local server itself (it stands in for the real API server, so it must be right):
    merge-patch, 409 on a stale resourceVersion, 422 for what the CRD schema refuses."""
    import urllib.error
    import urllib.request

    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    rv = api.stored("stage", "docs-api")["metadata"]["resourceVersion"]  # type: ignore[index]
    url = f"{api.url}/apis/networking.istio.io/v1/namespaces/stage/virtualservices/docs-api"

    def patch(body: dict[str, Any]) -> int:
        req = urllib.request.Request(url, data=json.dumps(body).encode(), method="PATCH")
        req.add_header("Authorization", f"Bearer {TOKEN}")
        req.add_header("Content-Type", "application/merge-patch+json")
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert patch({"metadata": {"resourceVersion": rv, "labels": {"app": None}}}) == 200
    live = api.stored("stage", "docs-api")
    assert live is not None and "app" not in live["metadata"]["labels"]
    assert patch({"metadata": {"resourceVersion": rv}, "spec": {"gateways": ["x"]}}) == 409
    assert (
        patch({"spec": {"http": [{"fault": {"delay": {"fixedDelay": "1s", "percent": "x"}}}]}})
        == 422
    )
    assert api.stored("stage", "docs-api") == live
    api.rejected.clear()
