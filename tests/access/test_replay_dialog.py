"""The dry-run dialog (`p`) driven like a user: it remembers the candidate last run, a
refused candidate clears the last one's flips, and the status says which decisions were
replayed, what could not be evaluated and where, and a rule left without a default."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar

from backends.clock import FrozenClock
from tests.access.test_replay import CANDIDATE
from tests.access.test_replay_report import CONFLICT
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_form_in_flight import toasts
from tui.app import WatchfloorApp
from tui.panes.keyed_table import KeyedTable
from tui.screens.replay import ReplayScreen

BROKEN = "package abac\n\nallow if {\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


async def open_dry_run(pilot: Pilot[None], app: WatchfloorApp) -> ReplayScreen:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the dry-run")
    screen = app.screen
    assert isinstance(screen, ReplayScreen)
    return screen


async def run(pilot: Pilot[None], screen: ReplayScreen, candidate: Path, limit: str) -> None:
    """The candidate and the count typed in, Enter, and the report."""
    await pilot.press("home", "ctrl+k", *str(candidate), "tab", "ctrl+u", *limit, "enter")
    await wait_for(pilot, lambda: screen.report is not None, what="the report", within=30)


def fields(screen: ReplayScreen) -> tuple[str, str]:
    return (
        screen.query_one("#replay-file", Input).value,
        screen.query_one("#replay-limit", Input).value,
    )


def status(screen: ReplayScreen) -> str:
    return str(screen.query_one("#replay-status").render())


def progress_shown(screen: ReplayScreen) -> bool:
    return screen.query_one(ProgressBar).styles.visibility != "hidden"


async def test_p_again_opens_with_the_candidate_and_count_last_run(tmp_path: Path) -> None:
    """Esc and `p` again: the field was back to policy/abac.rego, and Enter out of habit
    said "no outcome flips" as if of the candidate."""
    cand = write(tmp_path, "allow_acme.rego", CANDIDATE)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_dry_run(pilot, app)
        await run(pilot, screen, cand, "1200")
        assert status(screen).startswith("allow_acme.rego: replayed 1,200 decisions")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
        again = await open_dry_run(pilot, app)
        assert fields(again) == (str(cand), "1200")


async def test_a_refused_candidate_clears_the_last_ones_flips(tmp_path: Path) -> None:
    """Flips shown, then a candidate that does not compile: the status said why, but the
    table kept the last candidate's flips and the bar went back to its animated "--%"."""
    cand = write(tmp_path, "strict.rego", CANDIDATE)
    broken = write(tmp_path, "syntax.rego", BROKEN)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_dry_run(pilot, app)
        assert not progress_shown(screen)  # nothing runs yet
        table = screen.query_one(KeyedTable)
        await run(pilot, screen, cand, "1500")
        assert table.row_count > 0 and progress_shown(screen)
        await pilot.press("shift+tab", "home", "ctrl+k", *str(broken), "enter")
        await wait_for(pilot, lambda: "this is unclosed" in status(screen), what="refused")
        assert f"{broken}:3:10: this is unclosed" in status(screen)
        assert table.row_count == 0 and screen.report is None
        assert not progress_shown(screen) and not screen.running


async def test_the_status_says_which_decisions_and_the_toast_which_way(tmp_path: Path) -> None:
    """Asked for 100,000: "replayed 5,000 in 1.66s", nothing saying these were all there
    were, nor when they were from; the toast said "493 of 5,000 decisions would flip"."""
    cand = write(tmp_path, "candidate.rego", CANDIDATE)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        decisions = await app.sources["access"].recent_decisions(100_000)
        n = len(decisions)
        assert 0 < n < 100_000
        first, last = decisions[0].timestamp, decisions[-1].timestamp
        screen = await open_dry_run(pilot, app)
        await run(pilot, screen, cand, "100000")
        report = screen.report
        assert report is not None
        last_at = f"{last:%H:%M:%S}Z" if first.date() == last.date() else f"{last:%F %T}Z"
        span = f"from {first:%Y-%m-%d %H:%M:%S}Z to {last_at}"
        expected = (
            f"candidate.rego: replayed {n:,} decisions {span} (all {n:,} kept; asked 100,000)"
        )
        assert status(screen).startswith(expected), status(screen)
        a2d, d2a = report.allow_to_deny, report.deny_to_allow
        assert a2d and d2a
        ways = sorted([(d2a, "deny→allow"), (a2d, "allow→deny")], key=lambda w: -w[0])
        said = f"{a2d + d2a:,} of {n:,} decisions would flip: " + ", ".join(
            f"{k:,} {w}" for k, w in ways
        )
        await wait_for(pilot, lambda: any(said in t for t in toasts(app)), what=said)


async def test_decisions_it_cannot_evaluate_name_the_candidate(tmp_path: Path) -> None:
    """A conflicting complete rule: "705 errors (abac/allow: unexpected output '<error>')",
    no file, no line."""
    cand = write(tmp_path, "conflict.rego", CONFLICT)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_dry_run(pilot, app)
        await run(pilot, screen, cand, "5000")
        report = screen.report
        assert report is not None and report.errors
        assert (
            f"{report.errors:,} errors: {cand}: abac/allow: complete rules must not produce"
            " multiple outputs (no line from the evaluator; `allow` is defined at lines 5, 7, 9)"
        ) in status(screen).replace("\n", " ")
        assert any(f"{report.errors:,} could not be evaluated" in t for t in toasts(app))


async def test_a_candidate_without_a_default_is_warned_of(tmp_path: Path) -> None:
    cand = write(tmp_path, "nodefault.rego", CANDIDATE.replace("default allow := false\n", ""))
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_dry_run(pilot, app)
        await run(pilot, screen, cand, "1000")
        report = screen.report
        assert report is not None and report.undefined
        assert (
            f"warning: abac/allow has no `default allow` in the candidate: it was undefined"
            f" for {report.undefined:,} of 1,000 decisions, counted here as deny"
        ) in status(screen).replace("\n", " ")
