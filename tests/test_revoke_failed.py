"""A revoke whose backend fails: the dialog says the cause (with the host), whether the
revoke had gone out, and that Enter sends it again; and Enter does. Before, it said
"failed: TimeoutError", nothing more, with OPA hanging.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from textual.widgets import Static

from tests.helpers import SIZE, local_app, wait_for
from tests.opa_server import FakeOpa, running_opa
from tui.app import WatchfloorApp
from tui.screens.revoke import RevokeScreen

NS = 1_000_000_000
GID = "g0001"
REASON = "INC-4711 mitigated, access no longer needed"


@pytest.fixture
def opa(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpa]:
    with running_opa() as server:
        monkeypatch.setenv("WATCHFLOOR_PANES__GRANTS", "opa")
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__OPA__URL", server.url)
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__OPA__TIMEOUT_S", "0.5")
        now = time.time_ns()
        server.data = {
            "breakglass": {
                "grants": {
                    GID: {
                        "subject": "alice",
                        "role": "sre-oncall",
                        "reason": "INC-4711 gateway is on fire",
                        "granted_by": "dave",
                        "granted_at_ns": now,
                        "expires_at_ns": now + 1800 * NS,
                    }
                }
            }
        }
        yield server


def said(app: WatchfloorApp) -> str:
    return str(app.screen.query_one("#revoke-error", Static).render())


def toasts(app: WatchfloorApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def hang_reads(opa: FakeOpa) -> None:
    opa.delay_s = 2.0  # every request: the revoke's read of the grant times out first


def fail_the_delete(opa: FakeOpa) -> None:
    opa.fail_next(1, 500, "DELETE")


@pytest.mark.parametrize(
    ("breaks", "expected"),
    [
        (
            hang_reads,
            "Revoke of g0001 failed: read timed out after 0.5 s ({host}). Nothing was revoked."
            " Enter sends again.",
        ),
        (
            fail_the_delete,
            "Revoke of g0001 failed: HTTP 500 from {host}: injected failure. It was sent: the"
            " backend may have revoked it. Enter sends again.",
        ),
    ],
    ids=["read-timed-out", "delete-failed"],
)
async def test_a_failed_revoke_says_why_and_enter_sends_it_again(
    opa: FakeOpa, breaks: Callable[[FakeOpa], None], expected: str
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: ("GET", "/v1/data/breakglass/grants") in opa.requests)
        await pilot.press("4", "home", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="the revoke")
        await pilot.press(*REASON, "enter")
        breaks(opa)
        await pilot.press("enter")
        host = opa.url.removeprefix("http://")
        await wait_for(pilot, lambda: "failed" in said(app), what="the failure")
        assert said(app) == expected.format(host=host)
        assert isinstance(app.screen, RevokeScreen)

        opa.heal()
        await pilot.press("enter")  # as it says
        await wait_for(pilot, lambda: not isinstance(app.screen, RevokeScreen), what="revoked")
        # the dialog closes as the revoke answers; its toast follows (a loaded machine: later)
        toast = f"Break-glass revoked: Grant {GID} revoked"
        await wait_for(pilot, lambda: toast in toasts(app), 5, what="the toast")
        assert GID not in opa.data["breakglass"]["grants"]
