"""GitHub REST payloads shaped as GitHub documents them (API version 2022-11-28), trimmed
to the fields a client may rely on, and a release-train scenario built from them.

Workflow run: docs "List workflow runs for a workflow"; job with steps: "List jobs for a
workflow run"; release with assets (and their `digest`): "Get the latest release".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

OWNER, REPO = "acme", "platform"
TRAIN, REHEARSAL = "release-train.yml", "rollback-rehearsal.yml"
API = "https://api.github.com"


def ts(t: datetime | None) -> str | None:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t is not None else None


def step(
    name: str,
    number: int,
    status: str,
    conclusion: str | None,
    started: datetime | None,
    completed: datetime | None,
) -> dict[str, Any]:
    return {
        "name": name,
        "status": status,
        "conclusion": conclusion,
        "number": number,
        "started_at": ts(started),
        "completed_at": ts(completed),
    }


def job(run_id: int, job_id: int, name: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    statuses = {s["status"] for s in steps}
    conclusions = {s["conclusion"] for s in steps}
    done = statuses == {"completed"}
    status = "completed" if done else "in_progress" if "completed" in statuses else "queued"
    conclusion = None
    if done:
        conclusion = "failure" if "failure" in conclusions else "success"
        conclusion = "skipped" if conclusions == {"skipped"} else conclusion
    return {
        "id": job_id,
        "run_id": run_id,
        "workflow_name": "release-train",
        "head_branch": "main",
        "run_url": f"{API}/repos/{OWNER}/{REPO}/actions/runs/{run_id}",
        "run_attempt": 1,
        "node_id": f"CR_{job_id}",
        "head_sha": f"{run_id:040x}",
        "url": f"{API}/repos/{OWNER}/{REPO}/actions/jobs/{job_id}",
        "html_url": f"https://github.com/{OWNER}/{REPO}/actions/runs/{run_id}/job/{job_id}",
        "status": status,
        "conclusion": conclusion,
        "created_at": steps[0]["started_at"],
        "started_at": steps[0]["started_at"],
        "completed_at": steps[-1]["completed_at"] if done else None,
        "name": name,
        "steps": steps,
        "check_run_url": f"{API}/repos/{OWNER}/{REPO}/check-runs/{job_id}",
        "labels": ["ubuntu-latest"],
        "runner_id": 1,
        "runner_name": "GitHub Actions 1",
        "runner_group_id": 2,
        "runner_group_name": "GitHub Actions",
    }


def run(
    run_id: int,
    number: int,
    workflow: str,
    status: str,
    conclusion: str | None,
    started: datetime,
    updated: datetime,
) -> dict[str, Any]:
    name = workflow.removesuffix(".yml")
    return {
        "id": run_id,
        "name": name,
        "node_id": f"WFR_{run_id}",
        "head_branch": "main",
        "head_sha": f"{run_id:040x}",
        "path": f".github/workflows/{workflow}",
        "display_title": name,
        "run_number": number,
        "event": "workflow_dispatch",
        "status": status,
        "conclusion": conclusion,
        "workflow_id": 161335 if workflow == TRAIN else 161336,
        "check_suite_id": run_id * 10,
        "url": f"{API}/repos/{OWNER}/{REPO}/actions/runs/{run_id}",
        "html_url": f"https://github.com/{OWNER}/{REPO}/actions/runs/{run_id}",
        "created_at": ts(started),
        "updated_at": ts(updated),
        "run_attempt": 1,
        "run_started_at": ts(started),
        "jobs_url": f"{API}/repos/{OWNER}/{REPO}/actions/runs/{run_id}/jobs",
        "workflow_url": f"{API}/repos/{OWNER}/{REPO}/actions/workflows/{workflow}",
    }


def asset(asset_id: int, name: str, size: int, digest: str | None) -> dict[str, Any]:
    return {
        "url": f"{API}/repos/{OWNER}/{REPO}/releases/assets/{asset_id}",
        "browser_download_url": f"https://github.com/{OWNER}/{REPO}/releases/download/x/{name}",
        "id": asset_id,
        "node_id": f"RA_{asset_id}",
        "name": name,
        "label": "",
        "state": "uploaded",
        "content_type": "application/json",
        "size": size,
        "digest": digest,
        "download_count": 0,
        "created_at": "2026-03-16T08:00:00Z",
        "updated_at": "2026-03-16T08:00:00Z",
    }


def release(
    tag: str, body: str, assets: list[dict[str, Any]], sha: str, created: datetime
) -> dict[str, Any]:
    return {
        "url": f"{API}/repos/{OWNER}/{REPO}/releases/1",
        "html_url": f"https://github.com/{OWNER}/{REPO}/releases/tag/{tag}",
        "id": 1,
        "tag_name": tag,
        "target_commitish": sha,
        "name": tag,
        "body": body,
        "draft": False,
        "prerelease": False,
        "created_at": ts(created),
        "published_at": ts(created + timedelta(seconds=5)),
        "assets": assets,
    }


# --- the release-train scenario ---------------------------------------------------------

STEPS = ("Verify digests & provenance", "Generate notes", "Attach SBOM", "Publish release")
NOTES = "## What's changed\n\n### gateway\n- adaptive inflight limit (PERF4-7302)\n"


def train_jobs(
    run_id: int, start: datetime, outcome: list[tuple[str, str | None]]
) -> list[dict[str, Any]]:
    """One "cut" job: checkout, then the plan's steps with the given (status, conclusion)."""
    steps = [step("Set up job", 1, "completed", "success", start, start + timedelta(seconds=2))]
    steps.append(
        step(
            "Run actions/checkout@v4",
            2,
            "completed",
            "success",
            start + timedelta(seconds=2),
            start + timedelta(seconds=5),
        )
    )
    t = start + timedelta(seconds=5)
    for i, (name, (status, conclusion)) in enumerate(zip(STEPS, outcome, strict=True)):
        began = t if status != "queued" else None
        ended = t + timedelta(seconds=30) if status == "completed" else None
        steps.append(step(name, i + 3, status, conclusion, began, ended))
        t += timedelta(seconds=30)
    return [job(run_id, run_id * 100 + 1, "cut", steps)]


OK = ("completed", "success")
FAILED = ("completed", "failure")
SKIPPED = ("completed", "skipped")
RUNNING = ("in_progress", None)
QUEUED = ("queued", None)


def scenario(now: datetime, *, sbom: bool = False, runs: int = 7) -> dict[str, Any]:
    """`runs` release-train runs, newest first: #N in progress (notes being generated),
    #N-1 failed at its verify step, the rest green; the latest release is #N-2's, with a
    checksums file, provenance and (only if `sbom`) an SBOM; one green rehearsal."""
    out: dict[str, Any] = {"runs": {TRAIN: [], REHEARSAL: []}, "jobs": {}, "release": None}
    for k in range(runs):
        number = 40 + runs - k
        run_id = 9000 + number
        start = now - timedelta(minutes=60 * k + 2)
        if k == 0:
            outcome, status, concl = [OK, RUNNING, QUEUED, QUEUED], "in_progress", None
        elif k == 1:
            outcome, status, concl = [FAILED, SKIPPED, SKIPPED, SKIPPED], "completed", "failure"
        else:
            outcome, status, concl = [OK, OK, OK, OK], "completed", "success"
        out["jobs"][run_id] = train_jobs(run_id, start, outcome)
        updated = start + timedelta(seconds=130) if status == "completed" else now
        out["runs"][TRAIN].append(run(run_id, number, TRAIN, status, concl, start, updated))
        if k == 2:
            files = [
                asset(11, "checksums.txt", 412, "sha256:" + "a" * 64),
                asset(12, "watchfloor.intoto.jsonl", 9031, "sha256:" + "b" * 64),
            ]
            if sbom:
                files.append(asset(13, "watchfloor.spdx.json", 50211, "sha256:" + "c" * 64))
            out["release"] = release(
                f"v2026.03.16-m{number}",
                NOTES,
                files,
                f"{run_id:040x}",
                start + timedelta(seconds=120),
            )
    reh_start = now - timedelta(minutes=50)
    out["runs"][REHEARSAL].append(
        run(8001, 7, REHEARSAL, "completed", "success", reh_start, reh_start + timedelta(minutes=3))
    )
    out["jobs"][8001] = rehearsal_jobs(8001, reh_start, "success")
    return out


def rehearsal_jobs(run_id: int, start: datetime, conclusion: str) -> list[dict[str, Any]]:
    """The rehearsal: roll stage back to the previous release, then capture evidence."""
    t = [start + timedelta(seconds=s) for s in (0, 2, 90, 170)]
    roll = [
        step("Set up job", 1, "completed", "success", t[0], t[1]),
        step("Roll back stage to the previous release", 2, "completed", conclusion, t[1], t[2]),
    ]
    evidence = [step("Capture evidence", 1, "completed", "success", t[2], t[3])]
    if conclusion != "success":
        evidence = [step("Capture evidence", 1, "completed", "skipped", t[2], t[2])]
    return [
        job(run_id, run_id * 100 + 1, "rollback", roll),
        job(run_id, run_id * 100 + 2, "evidence", evidence),
    ]
