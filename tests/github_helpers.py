"""Helpers for the `github` backend tests: a token to spot anywhere it leaks, and sources
pointed at the local GitHub server (tests/fake_github.py) through the environment."""

from __future__ import annotations

from typing import Any

import pytest

from backends.config import load
from backends.models import Actor
from backends.wiring import Sources, build_sources
from tests.fake_github import FakeGitHub
from tests.github_payloads import OWNER, REPO

TOKEN = "ghp_s3cr3tT0kenNeverToBeShown0123456789"
ME = Actor(name="dave")


def github_sources(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, token: str | None = TOKEN, **opts: Any
) -> Sources:
    github_env(fake, monkeypatch, token, **opts)
    return build_sources(load())


def github_env(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, token: str | None = TOKEN, **opts: Any
) -> None:
    """The environment that points the release pane at `fake` (a command run now sees it)."""
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
