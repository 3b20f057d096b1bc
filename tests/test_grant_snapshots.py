"""Snapshots of the break-glass modals: the grant form refused (error shown, input kept),
the revoke confirmation, and a grant's details (Enter on a grant: its reason whole)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import Input

from backends.models import Grant
from tests.conftest import T0
from tui.screens.grant import GrantScreen
from tui.screens.grant_details import GrantDetailsScreen
from tui.screens.revoke import RevokeScreen

CSS = Path(__file__).resolve().parent.parent / "tui" / "watchfloor.tcss"
GRANT = Grant(
    id="a1b2c3d4e5f6",
    subject="alice@example.com",
    role="sre-oncall",
    reason="INC-4711 gateway p99.9 regression, need pod exec",
    granted_by="dave",
    granted_at=T0 - timedelta(minutes=5),
    expires_at=T0 + timedelta(minutes=25),
)


class GrantRefused(App[None]):
    CSS_PATH = str(CSS)

    def on_mount(self) -> None:
        screen = GrantScreen("dave", ("sre-oncall", "db-reader", "prod-deployer"))  # oncall
        self.push_screen(screen)
        self.call_after_refresh(self.fill, screen)

    def fill(self, screen: GrantScreen) -> None:
        for field, value in {
            "subject": "erin@example.com",
            "role": "cluster-admin",
            "reason": "INC-4800 etcd quorum lost, need cluster-admin",
            "code": "492039",
        }.items():
            screen.query_one(f"#{field}", Input).value = value
        screen.show_error("grant refused by policy: dave may not grant cluster-admin")


class RevokeConfirm(App[None]):
    CSS_PATH = str(CSS)

    def on_mount(self) -> None:
        self.push_screen(RevokeScreen(GRANT, T0))


class GrantDetails(App[None]):
    CSS_PATH = str(CSS)

    def on_mount(self) -> None:
        why = (
            "INC-4711 gateway p99.9 regression since the 08:40Z cut: need pod exec on the"
            " gateway and docs-api pods to pull heap dumps before they are recycled"
        )
        grant = GRANT.model_copy(update={"reason": why})

        async def revoke(_: GrantDetailsScreen) -> None:
            return None

        self.push_screen(GrantDetailsScreen(grant, T0, revoke))


def test_grant_modal_refused_keeps_input(snap_compare: Any) -> None:
    assert snap_compare(GrantRefused(), terminal_size=(90, 30))


def test_revoke_modal(snap_compare: Any) -> None:
    assert snap_compare(RevokeConfirm(), terminal_size=(90, 20))


def test_grant_details(snap_compare: Any) -> None:
    assert snap_compare(GrantDetails(), terminal_size=(80, 24))
