"""A GitHub release and its artefacts: the published release (`GET .../releases/latest`,
REST API 2022-11-28) and whether each configured artefact is attached and verified by
its steps. Pure; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backends.github.options import ArtefactRule
from backends.github.parse import Payload, matches, parse_int, parse_time
from backends.github.stages import all_steps, step_status
from backends.models import PublishedRelease, ReleaseAsset, StageStatus, Verification


def release_from_payload(payload: Payload) -> PublishedRelease:
    assets = tuple(
        ReleaseAsset(
            name=str(a.get("name", "")),
            size=parse_int(a.get("size")) or 0,
            digest=str(a.get("digest") or ""),
            url=str(a.get("browser_download_url") or ""),
        )
        for a in payload.get("assets") or ()
    )
    return PublishedRelease(
        tag=str(payload.get("tag_name", "")),
        name=str(payload.get("name") or ""),
        notes=str(payload.get("body") or ""),
        url=str(payload.get("html_url") or ""),
        published_at=parse_time(payload.get("published_at")),
        assets=assets,
    )


def present(rule: ArtefactRule, release: PublishedRelease | None) -> bool:
    """Is the artefact attached to the release (listed, which is not verified)?"""
    if release is None:
        return False
    if rule.release_body and release.notes.strip():
        return True
    if rule.asset_digests and release.assets and all(a.digest for a in release.assets):
        return True
    return any(matches(a.name, rule.assets) for a in release.assets) if rule.assets else False


def artefact_state(
    rule: ArtefactRule, steps: Sequence[Payload], release: PublishedRelease | None
) -> Verification:
    """failed: its verify step failed. missing: not attached. verified: attached and
    every step verifying it concluded success. Otherwise attached but unverified."""
    verify = [
        step_status(s.get("status"), s.get("conclusion"))
        for s in steps
        if rule.verify_steps and matches(str(s.get("name", "")), rule.verify_steps)
    ]
    if StageStatus.FAILURE in verify:
        return Verification.FAILED
    if not present(rule, release):
        return Verification.MISSING
    if verify and all(v is StageStatus.SUCCESS for v in verify):
        return Verification.VERIFIED
    return Verification.UNVERIFIED


def artefact_states(
    rules: Mapping[str, ArtefactRule], jobs: Sequence[Payload], release: PublishedRelease | None
) -> dict[str, Verification]:
    steps = all_steps(jobs)
    return {name: artefact_state(rule, steps, release) for name, rule in rules.items()}
