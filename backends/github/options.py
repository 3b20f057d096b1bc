"""Options of the `github` backend ([backends.github] in the config).

The defaults follow the sprint plan's `release-train.yml`: one job whose steps are
"Verify digests & provenance", "Generate notes", "Attach SBOM" (and a publish step).
Step and asset names are matched case-insensitively as shell-style globs.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from backends.option_types import HttpUrl, Options


class _Strict(Options):
    pass


class StageRule(_Strict):
    """One stage of the train row: the workflow steps that make it up."""

    name: str = Field(min_length=1)
    steps: tuple[str, ...] = Field(min_length=1)


class ArtefactRule(_Strict):
    """How to tell whether an artefact is there, and which step verifies it.

    Present: a release asset matches `assets`, or (`asset_digests`) the release's assets
    carry digests, or (`release_body`) the release has notes. Verified: a step matching
    `verify_steps` concluded success. Without a verify step it can only be "unverified".
    """

    assets: tuple[str, ...] = ()
    verify_steps: tuple[str, ...] = ()
    asset_digests: bool = False
    release_body: bool = False


DEFAULT_STAGES: tuple[StageRule, ...] = (
    StageRule(name="verify digests & provenance", steps=("verify digests*", "verify provenance*")),
    StageRule(name="generate notes", steps=("generate notes*", "generate release notes*")),
    StageRule(name="attach SBOM", steps=("attach sbom*", "upload sbom*")),
    StageRule(name="publish", steps=("publish*", "create release*")),
)

DEFAULT_ARTEFACTS: dict[str, ArtefactRule] = {
    "digests": ArtefactRule(
        assets=("*checksums*", "*sha256sums*", "*.sha256"),
        verify_steps=("verify digests*",),
        asset_digests=True,
    ),
    "provenance": ArtefactRule(
        assets=("*.intoto.jsonl", "*provenance*"),
        verify_steps=("verify*provenance*",),
    ),
    "sbom": ArtefactRule(
        assets=("*.spdx.json", "*.spdx", "*.cdx.json", "*sbom*"),
        verify_steps=("verify*sbom*",),
    ),
    "notes": ArtefactRule(release_body=True, verify_steps=("verify*notes*",)),
}


class GitHubOptions(_Strict):
    base_url: HttpUrl = "https://api.github.com"
    owner: str = Field(min_length=1)
    repo: str = Field(min_length=1)
    release_workflow: str = "release-train.yml"
    rehearsal_workflow: str = "rollback-rehearsal.yml"
    rehearsal_ref: str = "main"
    rehearsal_inputs: dict[str, str] = Field(default_factory=dict)
    reason_input: str = ""  # if set, the rehearsal's reason is passed as this input
    # Who may trigger a rehearsal (actor names); empty: anyone with a name.
    rehearsal_actors: tuple[str, ...] = ()
    token: SecretStr | None = None  # default: $GITHUB_TOKEN
    poll_s: float = Field(default=15.0, gt=0, le=3600)
    timeout_s: float = Field(default=10.0, gt=0, le=120)  # the adaptive timeout's ceiling
    per_page: int = Field(default=10, ge=1, le=100)
    max_pages: int = Field(default=3, ge=1, le=10)
    recent: int = Field(default=5, ge=1, le=20)
    stages: tuple[StageRule, ...] = DEFAULT_STAGES
    artefacts: dict[str, ArtefactRule] = Field(default_factory=lambda: dict(DEFAULT_ARTEFACTS))
