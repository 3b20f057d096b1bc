"""The release train's models: cuts and their stages, rollback rehearsals, the latest
published release. Re-exported from backends.models, where everyone imports them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, Field

from backends.models_base import Model, Snapshot


class StageStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"
    SKIPPED = "skipped"


class Verification(StrEnum):
    MISSING = "missing"
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    FAILED = "failed"


def not_missing_yet(artifacts: dict[str, Verification]) -> dict[str, Verification]:
    """A cut still running: an artefact not there yet may still come, so it is
    "unverified", never "missing" (said of a cut that has finished). The one rule of both
    release backends: on GitHub a running cut has no release yet, and read "∅ digests
    missing" right after "✔ verify digests & provenance" had passed."""
    return {
        name: Verification.UNVERIFIED if state is Verification.MISSING else state
        for name, state in artifacts.items()
    }


class ReleaseStage(Model):
    name: str
    status: StageStatus
    started_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None

    def elapsed(self, now: datetime) -> timedelta | None:
        if self.started_at is None:
            return None
        return (self.finished_at or now) - self.started_at


class ReleaseRun(Model):
    id: str
    version: str
    status: StageStatus
    started_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    stages: tuple[ReleaseStage, ...] = ()
    artifacts: dict[str, Verification] = Field(default_factory=dict)
    url: str = ""


class Rehearsal(Model):
    status: StageStatus
    finished_at: AwareDatetime | None = None
    run_id: str = ""
    started_at: AwareDatetime | None = None
    url: str = ""
    stages: tuple[ReleaseStage, ...] = ()  # its jobs, when the source knows them
    # what it rolls back (a release tag), who started it and why; None: not known
    release: str | None = None
    actor: str | None = None
    reason: str | None = None


class ReleaseAsset(Model):
    name: str
    size: int = 0
    digest: str = ""  # "sha256:..." as the forge computed it, "" when unknown
    url: str = ""


class PublishedRelease(Model):
    """The latest published release: its notes (Markdown) and its assets."""

    tag: str
    name: str = ""
    notes: str = ""
    url: str = ""
    published_at: AwareDatetime | None = None
    assets: tuple[ReleaseAsset, ...] = ()


class RateLimit(Model):
    """The API budget of a rate-limited source, as its last response reported it."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: AwareDatetime | None = None
    retry_at: AwareDatetime | None = None  # backing off: no request before this


class ReleaseSnapshot(Snapshot):
    current: ReleaseRun | None = None
    recent: tuple[ReleaseRun, ...] = ()
    rehearsal: Rehearsal | None = None  # the one started last
    # every recent one, newest first, when the source knows more than the last: a manual
    # one still running when an automatic one starts is here until it has finished
    rehearsals: tuple[Rehearsal, ...] = ()
    release: PublishedRelease | None = None
    rate_limit: RateLimit | None = None
    rehearsal_target: str = ""  # what a triggered rollback rehearsal runs on
