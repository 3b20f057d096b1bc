"""Snapshot tests of each pane in known states (pytest-textual-snapshot).

Every pane is fed a snapshot built from the deterministic simulator at a fixed time, or
from hand-made models, so the pictures only change when the rendering does.
Update deliberately with `pytest --snapshot-update` and review the SVG diff.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from backends.alerts import derive
from backends.clock import FrozenClock
from backends.local.sim import Simulator
from backends.models import (
    AccessSnapshot,
    Alert,
    AlertKind,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    Grant,
    GrantsSnapshot,
    HealthState,
    ReleaseSnapshot,
    Snapshot,
    SourceHealth,
)
from backends.polling import with_error
from tests.conftest import T0
from tui.panes.access import AccessPane
from tui.panes.alerts import AlertStrip
from tui.panes.base import SourcePane
from tui.panes.faults import FaultsPane
from tui.panes.grants import GrantsPane
from tui.panes.latency import LatencyPane
from tui.panes.release import ReleasePane

CSS = Path(__file__).resolve().parent.parent / "tui" / "watchfloor.tcss"
OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)


class PaneHarness(App[None]):
    CSS_PATH = str(CSS)

    def __init__(self, pane: SourcePane, snap: Any) -> None:
        super().__init__()
        self.the_pane = pane
        self.snap = snap

    def compose(self) -> ComposeResult:
        yield self.the_pane

    def on_mount(self) -> None:
        self.the_pane.now = T0
        self.the_pane.snapshot = self.snap


def sim() -> Simulator:
    s = Simulator(seed=35, start=T0)
    s.advance_to(T0)
    return s


def grants() -> GrantsSnapshot:
    def g(i: str, subject: str, role: str, minutes: float, reason: str) -> Grant:
        return Grant(
            id=i,
            subject=subject,
            role=role,
            reason=reason,
            granted_by="dave",
            granted_at=T0 - timedelta(minutes=30),
            expires_at=T0 + timedelta(minutes=minutes),
        )

    return GrantsSnapshot(
        observed_at=T0,
        health=OK,
        source="local",
        grants=(
            g("a1b2c3d4e5f6", "alice@example.com", "sre-oncall", 42.5, "INC-4711 gateway p99.9"),
            g("0badc0ffee00", "bob@example.com", "db-reader", -2, "INC-4712 verify tenant data"),
            g("f00dfeed1234", "carol@example.com", "prod-deployer", 3.2, "CHG-981 hotfix"),
        ),
    )


def faults() -> FaultsSnapshot:
    def w(i: str, host: str, start: float, minutes: float, **kw: Any) -> FaultWindow:
        return FaultWindow(
            id=i,
            spec=FaultSpec(target_host=host, namespace="stage", **kw),
            owner="erin",
            reason="game day: docs-api latency drill",
            starts_at=T0 + timedelta(minutes=start),
            ends_at=T0 + timedelta(minutes=start + minutes),
            applied=start <= 0 < start + minutes,  # the active one was started (it is in)
        )

    return FaultsSnapshot(
        observed_at=T0,
        health=OK,
        source="local",
        windows=(
            w("w-active", "docs-api", -2, 10, delay_ms=800, delay_percent=30, abort_percent=1),
            w("w-sched", "search-api", 5, 15, abort_status=503, abort_percent=5),
            w("w-ended", "docs-api", -40, 10, delay_ms=2000, delay_percent=10),
        ),
    )


def failing(cls: type[Snapshot]) -> Snapshot:
    """What a pane gets from a source whose every fetch failed so far."""
    error = ConnectionError("prometheus:9090 refused the connection")
    return with_error(cls, None, error, source="prometheus", interval_s=2, clock=FrozenClock(T0))


CASES: dict[str, Callable[[], tuple[SourcePane, Any]]] = {
    "access": lambda: (AccessPane(classes="pane"), sim().access()),
    "latency": lambda: (LatencyPane(classes="pane"), sim().latency()),
    "release": lambda: (ReleasePane(classes="pane"), sim().release()),
    "grants": lambda: (GrantsPane(classes="pane"), grants()),
    "faults": lambda: (FaultsPane(classes="pane"), faults()),
    "faults-empty": lambda: (
        FaultsPane(classes="pane"),
        FaultsSnapshot(observed_at=T0, health=OK, source="local"),
    ),
    # sources that never answered: not "0 decisions", "no cut yet", "no fault windows"
    "access-failing": lambda: (AccessPane(classes="pane"), failing(AccessSnapshot)),
    "release-failing": lambda: (ReleasePane(classes="pane"), failing(ReleaseSnapshot)),
    "faults-failing": lambda: (
        FaultsPane(classes="pane"),
        FaultsSnapshot(
            observed_at=T0,
            health=SourceHealth(
                state=HealthState.ERROR,
                last_error="ApiException: 403 Forbidden (virtualservices.networking.istio.io)",
            ),
            source="kube",
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pane(case: str, snap_compare: Any) -> None:
    pane, snap = CASES[case]()
    assert snap_compare(PaneHarness(pane, snap), terminal_size=(110, 18))


def test_latency_pane_stale_source(snap_compare: Any) -> None:
    """A source that failed keeps its data, shows its age and the error."""
    snap = sim().latency()
    failed = snap.model_copy(
        update={
            "health": SourceHealth(
                state=HealthState.ERROR,
                last_ok_at=T0 - timedelta(seconds=95),
                last_error="ConnectTimeout: prometheus:9090 did not answer in 2.0s",
            )
        }
    )
    assert snap_compare(PaneHarness(LatencyPane(classes="pane"), failed), terminal_size=(110, 12))


class StripHarness(App[None]):
    CSS_PATH = str(CSS)

    def __init__(self, alerts: tuple[Alert, ...]) -> None:
        super().__init__()
        self.alerts = alerts

    def compose(self) -> ComposeResult:
        yield AlertStrip(id="alerts")

    def on_mount(self) -> None:
        self.query_one(AlertStrip).alerts = self.alerts


@pytest.mark.parametrize("state", ["quiet", "firing", "overflow", "acknowledged"])
def test_alert_strip(state: str, snap_compare: Any) -> None:
    alerts: tuple[Alert, ...] = ()
    if state != "quiet":
        found = derive({"grants": grants(), "faults": faults()}, T0)
        alerts = (
            *tuple(found),
            Alert(
                kind=AlertKind.DENY_SPIKE,
                key="access",
                severity="critical",
                raised_at=T0 - timedelta(seconds=30),
                message="deny rate 31.0% vs baseline 6.0%; worst tenant=globex 64%",
            ),
        )
        if state == "acknowledged":
            alerts = (*alerts[1:], alerts[0].model_copy(update={"acknowledged": True}))
        if state == "overflow":
            alerts += tuple(
                Alert(
                    kind=AlertKind.SOURCE_DOWN,
                    key=f"source:{i}",
                    raised_at=T0,
                    message=f"pane {i}: down",
                )
                for i in range(3)
            )
    assert snap_compare(StripHarness(alerts), terminal_size=(110, 5))
