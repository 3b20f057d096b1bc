"""A rehearsal dispatch on the `github` backend (local GitHub server): which way it failed,
and which run it started.

A dispatch that timed out was audited "failed" and could be sent again at once: GitHub had
accepted both, and two rollback rehearsals ran. Its outcome is "unknown" now, and the next
one is held back until the polls show whether a run of it appeared. And the rehearsal a
dispatch started said nothing of who triggered it, why, or which release it rolls back
(`rollback rehearsal 8008 pending`): the audit trail says, for every dashboard sharing it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from backends.contracts import ActionRefused, answer_lost, not_applied, while_applying
from backends.github import dispatches
from backends.models import StageStatus
from backends.timeline_words import rehearsal_text
from tests.fake_github import FakeGitHub
from tests.github_helpers import ME, github_sources
from tests.github_payloads import REHEARSAL, run

REASON = "stage rollback drill for m47"


def posts(gh: FakeGitHub) -> int:
    return len(gh.requests("POST", f"/workflows/{REHEARSAL}/dispatches"))


async def outcomes(audit: Any) -> list[str]:
    records = await audit.records(limit=100)
    return [r.outcome for r in records if r.action == "rollback-rehearsal" and r.outcome]


async def test_a_dispatch_whose_answer_was_lost_is_unknown_and_holds_the_next_back(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch, timeout_s=0.5)
    release = src["release"]
    await release.snapshot()
    gh.delay_s = 1.0  # GitHub takes the dispatch and starts a run; its answer comes late
    with pytest.raises(Exception) as caught:
        await release.trigger_rehearsal(ME, REASON)
    gh.heal()
    assert answer_lost(caught.value) and while_applying(caught.value)
    [said] = await outcomes(src["audit"])
    assert said.startswith("unknown: read timed out after 0.5 s (127.0.0.1:"), said
    assert said.endswith(
        "in POST actions/workflows/rollback-rehearsal.yml/dispatches (may have been sent)"
    ), said
    # again at once, GitHub still at it: held back, it may have started one
    with pytest.raises(ActionRefused, match=r"may have started \(its answer was lost\)"):
        await release.trigger_rehearsal(ME, "a second drill on top of the first")
    for _ in range(100):  # GitHub has taken it (the fake records a request once answered)
        if posts(gh):
            break
        await asyncio.sleep(0.02)
    # and again: its run is found first, and it is one already going
    with pytest.raises(ActionRefused, match=r"already running \(run 8008, queued since"):
        await release.trigger_rehearsal(ME, "a second drill on top of the first")
    assert posts(gh) == 1
    await src.aclose()


async def test_no_run_listed_yet_refuses_until_the_polls_have_shown_one_or_none(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 502 to the dispatch: GitHub may or may not have started a run."""
    monkeypatch.setattr(dispatches, "WITHIN", timedelta(seconds=1))
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    await release.snapshot()
    gh.fail_next(1, 502, "POST")
    with pytest.raises(Exception) as caught:
        await release.trigger_rehearsal(ME, REASON)
    assert answer_lost(caught.value)
    with pytest.raises(ActionRefused, match="may have started") as held:
        await release.trigger_rehearsal(ME, REASON)
    assert "its answer was lost" in str(held.value) and "try again after" in str(held.value)
    assert held.value.until is not None and held.value.over.startswith("No run appeared by")
    assert posts(gh) == 1
    await asyncio.sleep(1.2)  # no run within WITHIN, seen by a poll: it did not start one
    await release.trigger_rehearsal(ME, REASON)
    assert posts(gh) == 2
    assert (await outcomes(src["audit"]))[-1] == "applied"
    await src.aclose()


async def test_a_dispatch_refused_or_never_sent_is_failed_and_holds_nothing(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    await release.snapshot()
    gh.fail_next(1, 422, "POST")  # GitHub says no: nothing was started
    with pytest.raises(Exception) as caught:
        await release.trigger_rehearsal(ME, REASON)
    assert not_applied(caught.value) and not while_applying(caught.value)
    said = (await outcomes(src["audit"]))[-1]
    assert said.startswith("failed: HTTP 422 from 127.0.0.1:"), said
    await release.trigger_rehearsal(ME, REASON)  # nothing held back
    assert posts(gh) == 2
    await src.aclose()


async def test_the_run_a_dispatch_started_names_its_release_actor_and_reason(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    before = await release.snapshot()
    tag = gh.data["release"]["tag_name"]
    await release.trigger_rehearsal(ME, REASON)
    snap = await release.snapshot()
    reh = snap.rehearsal
    assert reh is not None and reh.status is StageStatus.PENDING
    # the dashboard's actor, not the token's account GitHub names
    assert (reh.release, reh.actor, reh.reason) == (tag, ME.name, REASON)
    assert rehearsal_text(reh) == (
        f"rollback rehearsal {reh.run_id} of {tag} pending, triggered by {ME.name}: {REASON}"
    )
    # every recent one is listed, newest first, for the timeline and the report
    assert [r.run_id for r in snap.rehearsals] == [
        reh.run_id,
        *(r.run_id for r in before.rehearsals),
    ]
    # another process on the same audit trail (`watchfloor snapshot`) says the same
    other = github_sources(gh, monkeypatch)
    theirs = (await other["release"].snapshot()).rehearsal
    assert theirs is not None and (theirs.actor, theirs.reason, theirs.release) == (
        ME.name,
        REASON,
        tag,
    )
    await other.aclose()
    await src.aclose()


async def test_a_run_dispatched_elsewhere_is_not_taken_for_ours(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From GitHub's web page: who GitHub says, and no reason or release made up."""
    src = github_sources(gh, monkeypatch)
    runs = gh.data["runs"][REHEARSAL]
    newest = runs[0]
    theirs = run(8002, 8, REHEARSAL, "in_progress", None, *_times(newest))
    theirs["triggering_actor"] = {"login": "octocat"}
    runs.insert(0, theirs)
    gh.data["jobs"][8002] = []
    reh = (await src["release"].snapshot()).rehearsal
    assert reh is not None and reh.run_id == "8002"
    assert (reh.actor, reh.reason, reh.release) == ("octocat", None, None)
    await src.aclose()


def _times(newer_than: dict[str, Any]) -> tuple[datetime, datetime]:
    t = datetime.fromisoformat(str(newer_than["updated_at"]).replace("Z", "+00:00"))
    return t + timedelta(minutes=5), t + timedelta(minutes=6)
