"""Fixtures of the access (ABAC) tests: a real Mosquitto per test module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.access.broker import MOSQUITTO, Broker


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    if not Path(MOSQUITTO).exists() and shutil.which("mosquitto") is None:
        pytest.fail("mosquitto is not installed (see .ci/system-deps.sh)")
    b = Broker(tmp_path_factory.mktemp("mosquitto")).start()
    try:
        yield b
    finally:
        b.stop()
