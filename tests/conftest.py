from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import textual.constants

from backends.clock import FrozenClock
from tests.fake_github import FakeGitHub, serve
from tests.github_helpers import TOKEN
from tests.github_payloads import scenario
from tests.kube_fake import FakeKube, running

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test reads the developer's config or writes their data dir."""
    for var in list(os.environ):
        if var.startswith("WATCHFLOOR_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("WATCHFLOOR_DATA_DIR", str(tmp_path / "data"))
    # the same Unix user whoever runs the tests (audit records name it as `os_user`, and
    # say it where it is not the actor): dave, the actor most tests act as
    monkeypatch.setenv("LOGNAME", "dave")
    # the same colours whatever terminal runs the tests: on TERM=xterm (16 colours) the
    # dashboard draws in an ANSI theme (tui.look); tests that want that ask for it
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    yield tmp_path / "data"


@pytest.fixture
def data_dir(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    """A fake GitHub API on a free port, serving a release train observed now."""
    with serve(FakeGitHub(token=TOKEN, data=scenario(datetime.now(UTC)))) as fake:
        yield fake


@pytest.fixture
def api() -> Iterator[FakeKube]:
    """A fake Kubernetes API on a free port, checking writes against Istio's schema."""
    with running() as fake:
        yield fake
    assert fake.rejected == [], fake.rejected  # nothing written that the schema refuses


def watchfloor_cmd() -> list[str]:
    """The installed console script, run with this interpreter's environment."""
    script = Path(sys.executable).parent / "watchfloor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]
