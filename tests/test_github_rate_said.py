"""What a GitHub rate limit promises. The client said "retrying in 300s" everywhere: in
`watchfloor snapshot --json`, which exits with that snapshot (nothing retries), and for a
rollback dispatch (a POST, never retried). Now a headless command says until when it is
limited, a dispatch says it was not sent and when to try, and the dashboard, which polls
again, keeps "retrying in"."""

from __future__ import annotations

import html
import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import Static

from backends.contracts import not_applied
from backends.models import ReleaseSnapshot
from tests.conftest import watchfloor_cmd
from tests.fake_github import FakeGitHub
from tests.github_helpers import github_env, github_sources
from tests.github_payloads import REHEARSAL
from tests.helpers import SIZE, wait_for
from tui.app import WatchfloorApp
from tui.screens.rehearsal import RehearsalScreen


def test_a_snapshot_says_until_when_without_promising_a_retry(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_env(gh, monkeypatch)
    gh.throttle(429, retry_after=300)
    proc = subprocess.run(
        [*watchfloor_cmd(), "snapshot", "--json", "--for", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    release = json.loads(proc.stdout)["release"]
    until = datetime.fromisoformat(release["rate_limit"]["retry_at"])
    said = release["health"]["last_error"]
    assert said == f"GitHub: rate limited until {until:%H:%M:%S}Z", said
    assert [s.status for s in gh.seen] == [429]  # and the snapshot did not try again


def said(screen: RehearsalScreen) -> str:
    return str(screen.query_one("#rehearsal-error", Static).render())


def listed(app: WatchfloorApp) -> bool:
    snap = app.snapshots.get("release")
    return isinstance(snap, ReleaseSnapshot) and snap.current is not None


async def test_a_rate_limited_dispatch_says_not_sent_and_when_to_try(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = github_sources(gh, monkeypatch, poll_s=60)  # no poll meets the limit first
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: listed(app), what="release data")
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RehearsalScreen)
        gh.throttle(429, retry_after=300)  # GitHub answers the dispatch 429
        await pilot.press(*"drill before tonight cut", "enter", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: "rate limit" in said(screen), what="the refusal")
        budget = sources["release"].client.budget
        assert budget is not None and budget.retry_at is not None
        text = said(screen)
        assert f"rate limited; not sent; try after {budget.retry_at:%H:%M:%S}Z" in text, text
        assert "retrying" not in text
    posts = gh.requests("POST", f"/workflows/{REHEARSAL}/dispatches")
    assert [p.status for p in posts] == [429]
    records = await sources["audit"].records(limit=50)
    (outcome,) = [r.outcome for r in records if r.action == "rollback-rehearsal" and r.outcome]
    assert "not sent; try after" in outcome and "retrying" not in outcome, outcome


async def test_the_dashboard_keeps_retrying_in_and_a_write_is_not_applied(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    try:
        gh.throttle(429, retry_after=300)
        snap = await release.snapshot()
        assert (snap.health.last_error or "").startswith("GitHub rate limit: retrying in 300s")
        with pytest.raises(Exception, match="not sent; try after") as raised:
            await release.client.post(f"{release._workflow(REHEARSAL)}/dispatches", {})
        assert not_applied(raised.value)
    finally:
        await src.aclose()


def svg_words(path: Path) -> str:
    """The SVG's text as a person reads it (Textual writes a space as &#160;)."""
    return html.unescape(path.read_text(encoding="utf-8")).replace("\xa0", " ")


def test_a_screenshot_says_until_when_without_promising_a_retry(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`watchfloor screenshot` exits with the picture: an SVG that says "retrying in 300s"
    promises a retry nobody will see. It says until when, as `snapshot` does."""
    github_env(gh, monkeypatch)
    gh.throttle(429, retry_after=300)
    out = tmp_path / "shot.svg"
    proc = subprocess.run(
        [*watchfloor_cmd(), "screenshot", str(out), "--after", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    words = svg_words(out)
    assert "rate limited until" in words, words
    assert "retrying" not in words
