"""The `github` backend's token never shows: not in reprs, snapshots or errors, whether
refused, rate-limited, configured in the file or unreachable (local GitHub server)."""

from __future__ import annotations

import pytest

from backends.models import HealthState
from tests.fake_github import FakeGitHub
from tests.github_helpers import TOKEN, github_sources


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
