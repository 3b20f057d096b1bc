"""The audited rollback-rehearsal dispatch of the `github` backend (local GitHub server):
validated, audited, and refused without a token or an audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.contracts import ActionRefused
from backends.github.options import GitHubOptions
from backends.github.source import GitHubRelease
from backends.models import StageStatus
from backends.registry import BackendContext
from tests.fake_github import FakeGitHub
from tests.github_helpers import ME, github_sources
from tests.github_payloads import OWNER, REHEARSAL, REPO


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
    assert records[0].details == {  # what it rolled back, and where, as the dialog named them
        "os_user": "dave",  # who ran it (tests/conftest.py)
        "reason": "stage rollback drill for m47",
        "ref": "release/stage",
        "release": gh.data["release"]["tag_name"],
        "target": f"{OWNER}/{REPO} {REHEARSAL} @ release/stage (workflow_dispatch)",
    }
    after = await release.snapshot()
    assert after.rehearsal is not None and after.rehearsal.status is StageStatus.PENDING
    with pytest.raises(ActionRefused, match=r"already running \(run \d+, queued since .*Z\)"):
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


def test_the_rehearsal_target_names_the_inputs_it_is_dispatched_with(tmp_path: Path) -> None:
    """The confirmation shows it: the environment is usually one of the inputs."""
    opts = GitHubOptions(
        owner=OWNER, repo=REPO, rehearsal_ref="release/stage", rehearsal_inputs={"env": "stage"}
    )
    src = GitHubRelease(opts, BackendContext(data_dir=tmp_path))
    assert src.rehearsal_target == (
        f"{OWNER}/{REPO} {REHEARSAL} @ release/stage (workflow_dispatch, env=stage)"
    )
