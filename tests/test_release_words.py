"""Three small things the release pane said that a captain had to puzzle over:

- the stage line said `✔ 4 stages 2m00s` and the table `took 2m31s` for the same cut: the
  table's (and the details') time is the run's, set-up included, and says so (`run took`);
- a running cut on GitHub showed `∅ digests missing` right after `✔ verify digests &
  provenance` passed (it has no release yet), where the local train showed `? unverified`:
  on both, what a running cut has not attached yet is unverified, never missing;
- a rate-limit refusal in the `R` dialog (`try again after 21:03:01Z`) was still shown at
  21:03:13: once that time has passed, the dialog says Enter sends again.
"""

from __future__ import annotations

import pytest
from textual.widgets import Static

from backends.clock import FrozenClock
from backends.local.sim import Simulator
from backends.models import RateLimit, ReleaseSnapshot, StageStatus, Verification
from tests.conftest import T0
from tests.fake_github import FakeGitHub
from tests.github_helpers import github_sources
from tests.github_payloads import REHEARSAL
from tests.helpers import SIZE, local_app, wait_for
from tests.sim_helpers import START, at
from tests.test_details_pilot import shown
from tui.app import WatchfloorApp
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.release_details import ReleaseDetailsScreen


def pane_text(app: WatchfloorApp, selector: str) -> str:
    return str(app.pane("release").query_one(selector).render())


async def test_a_running_cut_on_github_is_unverified_not_missing(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = WatchfloorApp(github_sources(gh, monkeypatch, poll_s=0.5))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "◷ running" in pane_text(app, "#release-stages"))
        assert "✔ verify digests & provenance" in pane_text(app, "#release-stages")
        arts = pane_text(app, "#release-artifacts")
        assert "missing" not in arts and "∅" not in arts, arts
        assert "? digests unverified" in arts
        # the table's time is the run's; its title says so
        assert "run took" in app.pane("release").table().render_line(0).text


def test_a_running_cut_of_the_local_train_is_never_missing_either() -> None:
    sim = Simulator(start=START)
    seen = 0
    for second in range(0, 3600, 20):
        sim.advance_to(at(second))
        cut = sim.release().current
        if cut is not None and cut.finished_at is None:
            seen += 1
            assert Verification.MISSING not in cut.artifacts.values(), cut.artifacts
    assert seen > 10


async def test_the_details_say_the_run_took_it() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        snap = app.snapshots["release"]
        assert isinstance(snap, ReleaseSnapshot)
        done = next(r for r in snap.recent if r.status is StageStatus.SUCCESS)
        row = [r.version for r in snap.recent].index(done.version)
        await pilot.press("5", *["down"] * row, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReleaseDetailsScreen))
        assert "run took" in shown(app.screen)


async def test_a_rate_limit_refusal_says_when_it_is_over(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = WatchfloorApp(github_sources(gh, monkeypatch, poll_s=0.2))

    def limited() -> bool:
        snap = app.snapshots.get("release")
        rl = snap.rate_limit if isinstance(snap, ReleaseSnapshot) else None
        return isinstance(rl, RateLimit) and rl.retry_at is not None

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "◷ running" in pane_text(app, "#release-stages"))
        gh.throttle(429, 5)  # the next request: a secondary rate limit, 5 s
        await wait_for(pilot, limited, what="the rate limit")
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RehearsalScreen)
        await pilot.press(*"drill before tonight cut", "enter", *"ROLLBACK", "enter")

        def said() -> str:
            return str(screen.query_one("#rehearsal-error", Static).render())

        await wait_for(pilot, lambda: "try again after" in said(), what="the refusal")
        await wait_for(pilot, lambda: "rate limit is over" in said(), 8, what="it to pass")
        assert "try again after" not in said() and "Enter sends again" in said()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(gh.requests("POST")), what="the dispatch")
    assert len(gh.requests("POST", f"/workflows/{REHEARSAL}/dispatches")) == 1
