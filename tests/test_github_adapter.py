"""The `github` backend against a local server that follows GitHub's REST API: pagination,
ETag/304, rate limits with Retry-After, a failed step, a missing SBOM, the audited
rehearsal dispatch, and a token that never shows up anywhere."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backends.alerts import derive
from backends.config import ConfigError, check_backends, load
from backends.contracts import ActionRefused
from backends.github.options import DEFAULT_ARTEFACTS, DEFAULT_STAGES, GitHubOptions
from backends.models import Actor, AlertKind, HealthState, StageStatus, Verification
from backends.wiring import Sources, build_sources
from tests.conftest import ROOT
from tests.fake_github import FakeGitHub, serve
from tests.github_payloads import (
    OK,
    OWNER,
    REHEARSAL,
    REPO,
    TRAIN,
    rehearsal_jobs,
    scenario,
    train_jobs,
)

TOKEN = "ghp_s3cr3tT0kenNeverToBeShown0123456789"
ME = Actor(name="dave")


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with serve(FakeGitHub(token=TOKEN, data=scenario(datetime.now(UTC)))) as fake:
        yield fake


def github_sources(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, token: str | None = TOKEN, **opts: Any
) -> Sources:
    env = {
        "PANES__RELEASE": "github",
        "BACKENDS__GITHUB__BASE_URL": fake.base_url,
        "BACKENDS__GITHUB__OWNER": OWNER,
        "BACKENDS__GITHUB__REPO": REPO,
        "BACKENDS__GITHUB__POLL_S": "0.05",
        "BACKENDS__GITHUB__TIMEOUT_S": "5",
        **{f"BACKENDS__GITHUB__{k.upper()}": str(v) for k, v in opts.items()},
    }
    for k, v in env.items():
        monkeypatch.setenv(f"WATCHFLOOR_{k}", v)
    if token is None:
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    else:
        monkeypatch.setenv("GITHUB_TOKEN", token)
    return build_sources(load())


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


async def test_retry_after_backs_off_keeps_data_and_shows_budget(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    good = await release.snapshot()
    gh.throttle(429, retry_after=1)
    limited = await release.snapshot()
    assert limited.health.state is HealthState.ERROR
    assert "rate limit" in (limited.health.last_error or "")
    assert limited.current == good.current and limited.recent == good.recent  # last data kept
    assert limited.rate_limit is not None and limited.rate_limit.retry_at is not None
    assert limited.rate_limit.remaining == gh.remaining  # the budget is still shown
    sent = len(gh.seen)
    again = await release.snapshot()  # inside the Retry-After window: nothing is sent
    assert len(gh.seen) == sent and again.health.state is HealthState.ERROR
    with pytest.raises(ActionRefused, match="rate limit"):
        await release.trigger_rehearsal(ME, "rehearse the rollback of m46")
    for _ in range(40):  # bounded: Retry-After is 1 s
        await asyncio.sleep(0.05)
        if datetime.now(UTC) >= limited.rate_limit.retry_at:
            break
    recovered = await release.snapshot()
    assert recovered.health.state is HealthState.OK and len(gh.seen) > sent
    assert recovered.rate_limit is not None and recovered.rate_limit.retry_at is None
    await src.aclose()


async def test_exhausted_budget_waits_for_the_reset(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    gh.remaining = 3  # not enough for one full poll
    src = github_sources(gh, monkeypatch)
    snap = await src["release"].snapshot()
    assert snap.health.state is HealthState.ERROR and "rate limit" in str(snap.health.last_error)
    rl = snap.rate_limit
    assert rl is not None and rl.remaining == 0 and rl.limit == 5000
    assert rl.retry_at is not None and rl.reset_at is not None and rl.retry_at == rl.reset_at
    assert (rl.retry_at - datetime.now(UTC)).total_seconds() > 3000
    # x-ratelimit-remaining said 0: the client stopped before GitHub had to refuse it
    assert [s.status for s in gh.seen] == [200, 200, 200]
    await src["release"].snapshot()
    assert len(gh.seen) == 3  # no request until the reset
    await src.aclose()
    # a client that did not know (a fresh one): GitHub's 403 says when to come back
    src = github_sources(gh, monkeypatch)
    snap = await src["release"].snapshot()
    assert [s.status for s in gh.seen[3:]] == [403]
    rl = snap.rate_limit
    assert rl is not None and rl.remaining == 0 and rl.retry_at == rl.reset_at
    assert rl.retry_at is not None and (rl.retry_at - datetime.now(UTC)).total_seconds() > 3000
    await src.aclose()


async def test_a_failed_step_fails_its_stage_and_raises_the_alert(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch)
    snap = await src["release"].snapshot()
    failed_run = gh.data["runs"][TRAIN][1]
    failed = next(r for r in snap.recent if r.id == str(failed_run["id"]))
    steps = {s["name"]: s for s in gh.data["jobs"][failed_run["id"]][0]["steps"]}
    assert steps["Verify digests & provenance"]["conclusion"] == "failure"
    assert failed.status is StageStatus.FAILURE
    assert [(s.name, s.status) for s in failed.stages] == [
        ("verify digests & provenance", StageStatus.FAILURE),
        ("generate notes", StageStatus.SKIPPED),
        ("attach SBOM", StageStatus.SKIPPED),
        ("publish", StageStatus.SKIPPED),
    ]
    alerts = derive({"release": snap}, datetime.now(UTC))
    assert [a.kind for a in alerts] == [AlertKind.RELEASE_FAILURE]
    assert "verify digests & provenance" in alerts[0].message
    await src.aclose()


async def test_a_failed_rehearsal_is_shown_with_its_failing_job(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    reh = gh.data["runs"][REHEARSAL][0]
    reh["conclusion"] = "failure"
    start = datetime.fromisoformat(reh["run_started_at"])
    gh.data["jobs"][reh["id"]] = rehearsal_jobs(reh["id"], start, "failure")
    src = github_sources(gh, monkeypatch)
    snap = await src["release"].snapshot()
    assert snap.rehearsal is not None and snap.rehearsal.status is StageStatus.FAILURE
    assert [(s.name, s.status) for s in snap.rehearsal.stages] == [
        ("rollback", StageStatus.FAILURE),
        ("evidence", StageStatus.SKIPPED),
    ]
    assert snap.rehearsal.finished_at is not None and snap.rehearsal.started_at == start
    keys = {a.key for a in derive({"release": snap}, datetime.now(UTC))}
    assert f"rehearsal:{reh['id']}" in keys
    await src.aclose()


@pytest.mark.parametrize("sbom", [False, True])
async def test_sbom_missing_or_only_listed_is_never_verified(
    sbom: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(FakeGitHub(token=TOKEN, data=scenario(datetime.now(UTC), sbom=sbom))) as gh:
        src = github_sources(gh, monkeypatch)
        snap = await src["release"].snapshot()
        cut = gh.data["runs"][TRAIN][2]  # the run that published the latest release
        run = next(r for r in snap.recent if r.id == str(cut["id"]))
        assert run.version == gh.data["release"]["tag_name"]
        names = [a["name"] for a in gh.data["release"]["assets"]]
        assert any(n.endswith(".spdx.json") for n in names) is sbom
        assert run.artifacts == {
            "digests": Verification.VERIFIED,
            "provenance": Verification.VERIFIED,
            "sbom": Verification.UNVERIFIED if sbom else Verification.MISSING,
            "notes": Verification.UNVERIFIED,
        }
        assert snap.release is not None and snap.release.notes == gh.data["release"]["body"]
        assert [a.digest for a in snap.release.assets] == [
            a["digest"] for a in gh.data["release"]["assets"]
        ]
        # the current cut is still running and has published nothing: nothing verified
        assert snap.current is not None
        assert Verification.VERIFIED not in snap.current.artifacts.values()
        await src.aclose()


async def test_rehearsal_dispatch_is_validated_and_audited(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch, rehearsal_ref="release/stage")
    release, audit = src["release"], src["audit"]
    before = await release.snapshot()
    assert before.rehearsal is not None and before.rehearsal.status is StageStatus.SUCCESS
    with pytest.raises(ActionRefused, match="reason"):
        await release.trigger_rehearsal(ME, "too short")
    await release.trigger_rehearsal(ME, "  stage rollback drill for m47  ")
    posts = gh.requests("POST", f"/workflows/{REHEARSAL}/dispatches")
    assert [p.body for p in posts] == [{"ref": "release/stage"}]
    records = [r for r in await audit.records(limit=100) if r.action == "rollback-rehearsal"]
    assert [(r.phase, r.outcome, r.actor) for r in records] == [
        ("request", "", "dave"),
        ("outcome", "applied", "dave"),
    ]
    assert records[0].details["reason"] == "stage rollback drill for m47"
    after = await release.snapshot()
    assert after.rehearsal is not None and after.rehearsal.status is StageStatus.PENDING
    with pytest.raises(ActionRefused, match="already running"):
        await release.trigger_rehearsal(ME, "a second drill on top of the first")
    assert len(gh.requests("POST")) == 1
    await src.aclose()


async def test_rehearsal_refused_without_token_or_audit(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch, token=None)
    await src["release"].snapshot()
    with pytest.raises(ActionRefused, match="token"):
        await src["release"].trigger_rehearsal(ME, "stage rollback drill for m47")
    await src.aclose()
    src = github_sources(gh, monkeypatch)
    src["release"].ctx.audit = None  # fail closed: no audit, no action
    with pytest.raises(ActionRefused, match="audit"):
        await src["release"].trigger_rehearsal(ME, "stage rollback drill for m47")
    assert gh.requests("POST") == []
    await src.aclose()


async def test_the_token_never_shows(gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    gh.token = "ghp_someoneElsesToken"  # our token is refused: 401 Bad credentials
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    texts = [repr(release), repr(release.options), repr(release.client), str(release.options)]
    bad = await release.snapshot()
    assert bad.health.state is HealthState.ERROR and "401" in str(bad.health.last_error)
    texts += [bad.model_dump_json(), str(bad.health.last_error)]
    gh.token = TOKEN
    gh.throttle(403, retry_after=0)
    limited = await release.snapshot()
    texts += [limited.model_dump_json()]
    await src.aclose()
    # configured in the file/env instead of GITHUB_TOKEN: the same
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__GITHUB__TOKEN", TOKEN)
    src = github_sources(gh, monkeypatch, token=None)
    texts += [repr(src["release"].options), src["release"].options.model_dump_json()]
    assert (await src["release"].snapshot()).health.state is HealthState.OK
    await src.aclose()
    # unreachable server: the error names the request, not the headers
    src = github_sources(gh, monkeypatch, base_url="http://127.0.0.1:9")
    down = await src["release"].snapshot()
    texts += [down.model_dump_json()]
    assert down.health.state is HealthState.ERROR
    await src.aclose()
    assert any(s.headers.get("authorization") == f"Bearer {TOKEN}" for s in gh.seen)
    leaked = [t for t in texts if TOKEN in t or "s3cr3t" in t]
    assert not leaked, leaked


def test_plugin_import_and_build_load_no_httpx() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from backends.registry import BackendContext, load_plugin\n"
        "p = load_plugin('github')\n"
        "opts = p.options_model.model_validate({'owner': 'a', 'repo': 'b'})\n"
        "src = p.factories['release'](opts, BackendContext(data_dir=Path('.')))\n"
        "assert 'httpx' not in sys.modules, 'httpx imported before the first request'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_example_config_is_valid_and_spells_out_the_defaults() -> None:
    loaded = load(ROOT / "config" / "examples" / "github.toml", env={})
    opts = check_backends(loaded)["github"]
    assert isinstance(opts, GitHubOptions) and loaded.config.panes.release == "github"
    assert opts.stages == DEFAULT_STAGES and opts.artefacts == DEFAULT_ARTEFACTS
    with pytest.raises(ConfigError, match="owner"):
        check_backends(load(env={"WATCHFLOOR_PANES__RELEASE": "github"}))


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
