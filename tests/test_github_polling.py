"""The `github` backend polling a local server that follows GitHub's REST API:
pagination by Link headers, ETag/304 reuse, a re-run read again, a wrongly shaped release."""

from __future__ import annotations

from datetime import datetime

import pytest

from backends.models import HealthState, StageStatus
from tests.fake_github import FakeGitHub
from tests.github_helpers import TOKEN, github_sources
from tests.github_payloads import OK, OWNER, REPO, TRAIN, train_jobs


async def test_pagination_follows_link_headers(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch, per_page=2, recent=5)
    snap = await src["release"].snapshot()
    assert snap.health.state is HealthState.OK, snap.health.last_error
    pages = [s.query.get("page", "1") for s in gh.requests("GET", f"/workflows/{TRAIN}/runs")]
    assert pages == ["1", "2", "3"]  # 6 runs wanted (current + 5), 2 per page
    runs = gh.data["runs"][TRAIN]
    assert snap.current is not None and snap.current.id == str(runs[0]["id"])
    assert snap.current.status is StageStatus.RUNNING
    assert [r.id for r in snap.recent] == [str(r["id"]) for r in runs[1:6]]
    assert all(s.headers.get("authorization") == f"Bearer {TOKEN}" for s in gh.seen)
    await src.aclose()


async def test_etag_304_reuses_the_body_and_costs_no_budget(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    first = await release.snapshot()
    sent, budget = len(gh.seen), gh.remaining
    assert first.rate_limit is not None and first.rate_limit.remaining == budget
    second = await release.snapshot()
    again = gh.seen[sent:]
    assert again and all(s.status == 304 for s in again)
    assert all(s.headers.get("if-none-match") for s in again)
    assert gh.remaining == budget  # 304s are free
    # a finished run's jobs never change: not even asked for again
    assert {s.path for s in again if s.path.endswith("/jobs")} == {
        f"/repos/{OWNER}/{REPO}/actions/runs/{gh.data['runs'][TRAIN][0]['id']}/jobs"
    }
    assert second.current == first.current and second.recent == first.recent
    assert second.release == first.release and second.health.state is HealthState.OK
    # a change is seen: the body changed, so the ETag did
    gh.data["runs"][TRAIN][0].update(status="completed", conclusion="success")
    third = await release.snapshot()
    assert third.current is not None and third.current.status is StageStatus.SUCCESS
    assert gh.remaining < budget
    await src.aclose()


async def test_a_rerun_is_read_again(gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    src = github_sources(gh, monkeypatch)
    await src["release"].snapshot()
    failed = gh.data["runs"][TRAIN][1]
    start = datetime.fromisoformat(failed["run_started_at"])
    failed.update(run_attempt=2, conclusion="success")  # re-run: green this time
    gh.data["jobs"][failed["id"]] = train_jobs(failed["id"], start, [OK, OK, OK, OK])
    snap = await src["release"].snapshot()
    rerun = next(r for r in snap.recent if r.id == str(failed["id"]))
    assert rerun.status is StageStatus.SUCCESS
    assert {s.status for s in rerun.stages} == {StageStatus.SUCCESS}
    await src.aclose()


async def test_a_release_of_the_wrong_shape_is_an_error_worded_like_the_others(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    gh.data["release"] = ["not", "a", "release"]
    src = github_sources(gh, monkeypatch)
    snap = await src["release"].snapshot()
    assert snap.health.state is HealthState.ERROR
    # the same words as any other wrong-shaped answer (the client's), so one alert reads alike
    assert "unexpected answer to GET releases/latest" in (snap.health.last_error or "")
    await src.aclose()
