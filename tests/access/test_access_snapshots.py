"""Snapshots of the access views in states the simulator never shows: a sampled source
(dropped and malformed events) and the denials drill-down with a filter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from backends.models import AccessSnapshot, Attrs, Decision, DenyRateRow, HealthState, SourceHealth
from tests.conftest import T0
from tests.test_snapshots import CSS, PaneHarness
from tui.panes.access import AccessPane
from tui.screens.denials import DenialsScreen

OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)


def denial(i: int, service: str, tenant: str, asked: str, reason: str = "") -> Decision:
    return Decision(
        decision_id=f"{i:04x}c0ffee",
        timestamp=T0,
        attrs=Attrs(
            service=service,
            tenant=tenant,
            data_class="internal",
            region="eu-west-1",
            environment="prod",
        ),
        request_tenant=asked,
        request_data_class="internal",
        allowed=False,
        reason=reason,
    )


DENIALS = (
    denial(1, "docs-api", "acme", "globex"),
    denial(2, "docs-api", "acme", "globex"),
    denial(3, "billing", "initech", "initech", "restricted data in prod requires admin"),
    denial(4, "search-api", "acme", "umbrella"),
)


def sampled() -> AccessSnapshot:
    rows = (
        DenyRateRow(
            dimension="tenant",
            value="acme",
            total=400,
            denied=120,
            rate=0.3,
            history=(0.05, 0.06, 0.1, 0.3, 0.35, 0.3),
        ),
        DenyRateRow(
            dimension="service",
            value="docs-api",
            total=800,
            denied=96,
            rate=0.12,
            history=(0.05, 0.05, 0.08, 0.12),
        ),
        DenyRateRow(
            dimension="region",
            value="eu-west-1",
            total=1200,
            denied=60,
            rate=0.05,
            history=(0.05, 0.04, 0.05),
        ),
    )
    return AccessSnapshot(
        observed_at=T0,
        health=OK,
        source="mqtt",
        window_s=60,
        total=1200,
        denied=180,
        deny_rate=0.15,
        baseline_rate=0.05,
        history=(0.05, 0.05, 0.06, 0.1, 0.15),
        rows=rows,
        recent_denied=DENIALS,
        dropped=3400,
        sampled=True,
        malformed=7,
        oversized=1,
    )


def test_access_pane_sampled(snap_compare: Any) -> None:
    assert snap_compare(PaneHarness(AccessPane(classes="pane"), sampled()), terminal_size=(100, 12))


def quiet() -> AccessSnapshot:
    """Subscribed, nothing counted: a path filter that matches none of the events."""
    return AccessSnapshot(
        observed_at=T0,
        health=SourceHealth(
            state=HealthState.NO_DATA,
            last_ok_at=T0,
            last_error="no decisions of abac/decision received on watchfloor/decisions"
            " since 11:58:30Z",
        ),
        source="mqtt",
        other_path=20,
        other_paths=("abac/allow",),
    )


def test_access_pane_no_data(snap_compare: Any) -> None:
    """The Latency pane's no-data look, never "deny 0.0% of 0 decisions"."""
    assert snap_compare(PaneHarness(AccessPane(classes="pane"), quiet()), terminal_size=(80, 10))


class DenialsHarness(App[None]):
    CSS_PATH = str(CSS)

    def on_mount(self) -> None:
        self.push_screen(DenialsScreen(DENIALS, source="mqtt", now=T0))  # of their day


def test_denials_screen_filtered(snap_compare: Any) -> None:
    async def filter_acme(pilot: Any) -> None:
        await pilot.press(*"tenant=acme docs")
        await pilot.pause()

    assert snap_compare(DenialsHarness(), run_before=filter_acme, terminal_size=(110, 16))


_ = Path
