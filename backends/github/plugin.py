"""The `github` backend: the release train from GitHub Actions.

Importing this module is cheap (pydantic options only); httpx is imported when the
source makes its first request.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backends.github.options import GitHubOptions
from backends.registry import BackendContext, BackendPlugin


def _release(options: BaseModel, ctx: BackendContext) -> Any:
    from backends.github.source import GitHubRelease

    assert isinstance(options, GitHubOptions)
    return GitHubRelease(options, ctx)


plugin = BackendPlugin(
    name="github",
    description="release train, rollback rehearsal and release notes from GitHub Actions",
    factories={"release": _release},
    options_model=GitHubOptions,
    audits_itself=("release",),  # its rehearsal is checked, then audited
)
