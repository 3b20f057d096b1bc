"""HALT ALL with the kube API server down (a closed port), as an operator meets it.

Before: the dialog said "kube backend; 0 open window(s) seen" of a source that had never
answered, and the failure was "failed: MaxRetryError: HTTPConnectionPool(… Connection
refused")) · Enter sends again". Now the count is unknown, with the source's error, and the
failure says its cause in one line and that faults may still be in the mesh.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.text import Text
from textual.widgets import Static

from backends.models import FaultsSnapshot, HealthState
from tests.dead_servers import refusing
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.screens.halt import HaltScreen


@pytest.fixture
def kube_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The faults pane on a kube API server that refuses connections: its host:port."""
    with refusing() as port:
        monkeypatch.setenv("WATCHFLOOR_PANES__FAULTS", "kube")
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__KUBE__API_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__KUBE__TOKEN", "t0ken")
        monkeypatch.setenv("WATCHFLOOR_BACKENDS__KUBE__REQUEST_TIMEOUT_S", "1")
        yield f"127.0.0.1:{port}"


def shown(app: WatchfloorApp) -> str:
    """Every line of the dialog, as on the screen."""
    texts = [w.render() for w in app.screen.query(Static)]
    return "\n".join(t.plain if isinstance(t, Text) else str(t) for t in texts)


def faults_failing(app: WatchfloorApp) -> bool:
    snap = app.snapshots.get("faults")
    return isinstance(snap, FaultsSnapshot) and snap.health.state is HealthState.ERROR


async def test_halt_all_with_the_faults_backend_down_says_what_it_does_not_know(
    kube_down: str,
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: faults_failing(app), what="the faults source failing")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
        text = shown(app)
        assert "0 open window(s)" not in text
        assert "(kube backend; open windows unknown: the faults source has not answered)" in text
        assert f"The faults source is failing: connection refused ({kube_down})" in text

        await pilot.press(*"pager fired", "enter", *"HALT", "enter")
        failed = (
            f"HALT ALL failed: connection refused ({kube_down}). Faults may still be in the"
            " mesh: Enter tries again."
        )
        await wait_for(pilot, lambda: failed in shown(app), what="the failure")
        assert "MaxRetryError" not in shown(app) and "HTTPConnectionPool" not in shown(app)

        await pilot.press("enter")  # as it says: a second HALT ALL goes out
        records = app.sources["audit"].records

        async def halts() -> int:
            return sum(r.action == "fault-halt-all" for r in await records(limit=50))

        for _ in range(100):
            if await halts() == 4:  # two requests, two outcomes
                break
            await pilot.pause(0.05)
        assert await halts() == 4
        assert isinstance(app.screen, HaltScreen)


def test_a_source_failing_after_it_answered_gives_its_last_count_and_says_so() -> None:
    from datetime import UTC, datetime

    from backends.models import SourceHealth

    ok = SourceHealth(state=HealthState.OK, last_ok_at=datetime.now(UTC))
    assert HaltScreen.of(ok, 2, "kube").seen() == "2 open window(s) seen"
    failing = ok.model_copy(update={"state": HealthState.ERROR, "last_error": "HTTP 503"})
    halt = HaltScreen.of(failing, 2, "kube")
    assert halt.seen() == "2 open window(s) seen before the faults source began failing"
    assert halt.failing == "HTTP 503"
    never = SourceHealth(state=HealthState.ERROR, last_error="connection refused")
    assert HaltScreen.of(never, 0, "kube").open_windows is None
    assert HaltScreen.of(None, 0, "kube").open_windows is None
