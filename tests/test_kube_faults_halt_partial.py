"""A HALT ALL that takes one window's fault out and fails on another's, against the fake
Kubernetes API server (tests/kube_fake.py).

Before: with docs-api (on its existing VirtualService) and search-api (on one watchfloor
created) in, and the DELETE of the second refused (403), `faults halt` printed only
"failed: KubeError: KubeError: HTTP 403: injected failure", not which window was still in
the mesh; the docs-api fault had been taken out but nothing recorded it, so `faults list`
then said "— removed outside watchfloor" instead of who halted it. Now what it ended is
recorded as halted, and the command line and the dashboard say per window what it ended
and what is still in (exit 1); a second HALT ALL takes out the rest.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from backends.error_text import host_of
from backends.fault_istio import MANAGED_LABEL
from backends.models import FaultsSnapshot
from tests.helpers import SIZE, local_app, wait_for
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, kube_env, request, sources
from tests.test_form_in_flight import toasts
from tui import cli
from tui.screens.halt import HaltScreen

REASON = "pager fired: checkout errors"
HALTED = f"HALT ALL by erin: {REASON}"


async def two_windows(api: FakeKube) -> tuple[str, str]:
    """docs-api on its existing VirtualService, search-api on one watchfloor creates."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api)
    a = await src["faults"].schedule(request(), ERIN)
    b = await src["faults"].schedule(request(host="search-api"), ERIN)
    await src.aclose()
    assert api.stored("stage", f"watchfloor-fault-{b.id}") is not None
    return a.id, b.id


def test_faults_halt_says_which_window_it_ended_and_which_is_still_in(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for k, v in kube_env(api).items():
        monkeypatch.setenv(k, v)
    a, b = asyncio.run(two_windows(api))
    api.fail("DELETE", 403)

    assert cli.main(["faults", "halt", "--reason", REASON]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"HALT ALL incomplete: still in the mesh: {b} stage/search-api (HTTP 403 from"
        f" {host_of(api.url)}: injected failure); ended: {a} stage/docs-api. Run it again"
        " to retry\n"
    ), err
    docs = api.stored("stage", "docs-api")
    assert docs is not None and docs["metadata"]["labels"][MANAGED_LABEL] == "Helm"  # out
    assert api.stored("stage", f"watchfloor-fault-{b}") is not None  # still in

    assert cli.main(["faults", "reconcile", "--once"]) == 0  # nothing "removed outside"
    capsys.readouterr()
    assert cli.main(["faults", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    said = {w["id"]: (w["applied"], w["end_reason"]) for w in doc["windows"]}
    assert said == {a: (False, HALTED), b: (True, "")}

    assert cli.main(["faults", "halt", "--reason", REASON]) == 0  # the rest, at once
    assert capsys.readouterr().out == "HALT ALL: 1 window(s) ended\n"
    assert api.stored("stage", f"watchfloor-fault-{b}") is None


async def test_the_dashboard_says_it_too(api: FakeKube, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in kube_env(api).items():
        monkeypatch.setenv(k, v)
    a, b = await two_windows(api)
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:

        def listed() -> bool:
            snap = app.snapshots.get("faults")
            return isinstance(snap, FaultsSnapshot) and len(snap.windows) == 2

        await wait_for(pilot, listed, what="both windows")
        api.fail("DELETE", 403)
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
        await pilot.press(*REASON, "enter", *"HALT", "enter")
        said = (
            f"HALT ALL incomplete: still in the mesh: {b} stage/search-api (HTTP 403 from"
            f" {host_of(api.url)}: injected failure); ended: {a} stage/docs-api"
        )
        await wait_for(pilot, lambda: said in toasts(app), what="the toast")

        def halted() -> bool:
            snap = app.snapshots.get("faults")
            ends = {w.id: w.end_reason for w in getattr(snap, "windows", ())}
            return ends.get(a) == HALTED and ends.get(b) == ""

        await wait_for(pilot, halted, what="docs-api recorded as halted")
