"""What the `github` backend makes of the runs on a local GitHub server: a failed step
fails its stage and alerts, a failed rehearsal shows its job, a missing or merely listed
SBOM is never verified."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backends.alerts import derive
from backends.models import AlertKind, StageStatus, Verification
from tests.fake_github import FakeGitHub, serve
from tests.github_helpers import TOKEN, github_sources
from tests.github_payloads import REHEARSAL, TRAIN, rehearsal_jobs, scenario


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
