"""A key and value the denials filter reads as plain words gets a hint, as a mistyped key
does ("no key 'tenat': did you mean tenant?"); and refresh_s has a floor.

Before: "tenant:acme" and "tenant = acme" matched nothing, with no word on why; and
refresh_s = 0.0001 was taken, and kept a core busy polling."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import watchfloor_cmd
from tui.screens.denials_filter import unknown_keys


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("tenant:acme", "'tenant:acme' is one word: write tenant=acme"),
        ("tenant = acme", "no spaces around '=': write tenant=acme"),
        ("tenant= acme", "no spaces around '=': write tenant=acme"),
        ("tenant =acme docs", "no spaces around '=': write tenant=acme"),
    ],
)
def test_a_key_and_value_spelled_apart_get_a_hint(typed: str, hint: str) -> None:
    assert unknown_keys(typed) == [hint]


def test_filters_as_meant_get_no_hint() -> None:
    assert unknown_keys("tenant=acme docs") == []
    assert unknown_keys("acme: docs") == []  # not a key: a word with a colon
    assert unknown_keys("tenat=acme") == ["no key 'tenat': did you mean tenant?"]


def test_refresh_s_has_a_floor() -> None:
    env = {**os.environ, "WATCHFLOOR_UI__REFRESH_S": "0.0001"}
    proc = subprocess.run(
        [*watchfloor_cmd(), "config", "check"], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 2 and "WATCHFLOOR_UI__REFRESH_S" in proc.stderr, proc.stderr
    assert "0.1" in proc.stderr
