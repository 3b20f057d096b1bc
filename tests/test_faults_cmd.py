"""`watchfloor faults schedule` as a person types it: units, and every bad flag named."""

from __future__ import annotations

import pytest

from backends.contracts import ActionRefused
from tui.cli import parser
from tui.commands.faults_cmd import request_from

BASE = ["faults", "schedule", "--host", "docs-api", "-n", "stage"]


def test_a_delay_without_its_unit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # the fault-window form reads a bare 800 as ms, a duration flag as seconds: ask instead
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args([*BASE, "--delay", "800", "--reason", "game day latency"])
    assert exit_.value.code == 2
    assert "'800' needs a unit" in capsys.readouterr().err


def test_delay_units_reach_the_request() -> None:
    for typed, ms in (("800ms", 800), ("2s", 2000), ("1.5s", 1500)):
        args = parser().parse_args([*BASE, "--delay", typed, "--reason", "game day latency"])
        assert request_from(args).spec.delay_ms == ms


def test_every_bad_flag_is_named_at_once() -> None:
    args = parser().parse_args(
        [*BASE, "--delay", "80s", "--delay-percent", "150", "--reason", "game day"]
    )
    with pytest.raises(ActionRefused) as refused:
        request_from(args)
    message = str(refused.value)
    assert "--delay (in ms): Input should be less than or equal to 60000 (got 80000)" in message
    assert "--delay-percent: Input should be less than or equal to 100 (got 150.0)" in message
    assert "--reason: String should have at least 10 characters" in message
    assert "spec." not in message  # flags, not the model's field paths
