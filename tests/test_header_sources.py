"""The header says "live" only while every source answers. With four of five backends
refusing connections it read "env prod · read-only · live": a tired user reads that as
"all is well". Now it counts the sources down, and the count follows them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets._header import HeaderTitle

from backends.config import load
from backends.wiring import build_sources
from tests.dead_servers import refusing
from tests.fake_github import FakeGitHub
from tests.github_helpers import github_sources
from tests.helpers import wait_for
from tests.prom_server import PromAPIStub, running_stub
from tui.app import WatchfloorApp

SIMULATED = "simulated: access, grants, release, faults"


@pytest.fixture
def stub() -> Iterator[PromAPIStub]:
    with running_stub() as s:
        yield s


async def test_at_80_columns_live_says_how_many_sources_are_down(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every pane live: release on a GitHub that answers, the other four refused."""
    with refusing() as port:
        dead = f"http://127.0.0.1:{port}"
        for key, value in {
            "ENVIRONMENT": "prod",
            "UI__READ_ONLY": "true",
            "PANES__LATENCY": "prometheus",
            "BACKENDS__PROMETHEUS__URL": dead,
            "PANES__ACCESS": "mqtt",
            "BACKENDS__MQTT__PORT": str(port),
            "PANES__GRANTS": "opa",
            "BACKENDS__OPA__URL": dead,
            "PANES__FAULTS": "kube",
            "BACKENDS__KUBE__API_URL": dead,
            "BACKENDS__KUBE__TOKEN": "t0ken",
        }.items():
            monkeypatch.setenv(f"WATCHFLOOR_{key}", value)
        sources = github_sources(gh, monkeypatch)
        assert sources.simulated_panes == ()
        app = WatchfloorApp(sources, read_only=True)
        async with app.run_test(size=(80, 24)) as pilot:
            want = "env prod · read-only · live · 4/5 sources down"
            await wait_for(pilot, lambda: app.sub_title == want, what=want)
            await pilot.pause()
            line = app.query_one(HeaderTitle).render_line(0).text
            assert want in line, line  # all of it, at 80 columns


async def test_the_count_follows_the_sources(
    stub: PromAPIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHFLOOR_PANES__LATENCY", "prometheus")
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__PROMETHEUS__URL", stub.url)
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.2")
    stub.fail_next(10**6)
    app = WatchfloorApp(build_sources(load()))
    async with app.run_test(size=(80, 24)) as pilot:
        down = f"env local · 1/5 sources down · {SIMULATED}"
        await wait_for(pilot, lambda: app.sub_title == down, what=down)
        stub.heal()
        back = f"env local · {SIMULATED}"
        await wait_for(pilot, lambda: app.sub_title == back, what=back)
        stub.fail_next(10**6)
        await wait_for(pilot, lambda: app.sub_title == down, what="down again")
