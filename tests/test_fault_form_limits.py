"""The `f` form checks what the faults backend checks: its protected namespaces (a config
adds `payments`), every problem at once, the focus on the first one's field.

Before: with `payments` protected, the form still said "Never in prod, production,
kube-system or istio-system"; a window there with a delay and no delay % was refused for
the delay first, and only on the next submit, by the backend, for the namespace, with the
focus left on the reason (with `prod` it went to the namespace).
"""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets import Static

from backends.contracts import ActionRefused
from backends.faults_core import Limits, check
from tests.helpers import SIZE, local_app, wait_for
from tests.kube_faults_helpers import request
from tests.test_faults_pilot import fill, form, windows
from tests.test_form_focus import error, focused_id
from tui.app import WatchfloorApp
from tui.screens.fault_window import FaultWindowScreen


def shown(app: WatchfloorApp) -> str:
    texts = [w.render() for w in app.screen.query(Static)]
    return "\n".join(t.plain if isinstance(t, Text) else str(t) for t in texts)


async def test_the_form_refuses_a_namespace_the_config_protects_with_every_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__LOCAL__PROTECTED_NAMESPACES", '["payments"]')
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        assert "Never in prod, production, kube-system, istio-system or payments;" in shown(app)
        await fill(pilot, {**form("payments"), "delay_percent": None, "abort_percent": "1"})
        await wait_for(pilot, lambda: "protected" in error(app, "#fault-error"), what="refusal")
        assert error(app, "#fault-error") == (  # and its 800ms delay has no delay %
            "namespace 'payments' is protected; faults are refused there ·"
            " a delay needs both a delay (e.g. 800ms) and a delay % above 0"
        )
        assert focused_id(app) == "namespace"  # the first problem's field
        assert isinstance(app.screen, FaultWindowScreen)
        await app.refresh_now("faults")
        assert windows(app) == {}  # nothing was sent


def test_a_backend_refusal_names_every_problem_and_the_first_ones_field() -> None:
    """What a backend's own check raises: the form puts the focus on `field`."""
    limits = Limits(protected_namespaces=frozenset({"payments"}))
    with pytest.raises(ActionRefused) as caught:
        check(request(ns="payments", spec={"delay_percent": 0, "abort_percent": 0}), limits)
    assert caught.value.field == "spec.namespace"
    assert str(caught.value).startswith("namespace 'payments' is protected")
    assert "a fault needs a delay % or an abort % above 0" in str(caught.value)
