"""`watchfloor faults schedule` as a person types it: units, and every bad flag named."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from backends.contracts import ActionRefused
from tests.conftest import watchfloor_cmd
from tui.cli import parser
from tui.commands.fault_flags import request_from

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


def test_every_bad_flag_the_model_refuses_is_named_at_once() -> None:
    # what argparse can check alone (a delay over a minute, a percentage over 100, a guard
    # of 0 or below, an error ratio over 1) is a usage error before this (test_cli_values);
    # what is left is named as flags
    for bad in (["--guard-p999-ms", "-5"], ["--guard-error-rate", "2"]):
        with pytest.raises(SystemExit):
            parser().parse_args([*BASE, *bad, "--reason", "game day drill"])
    args = parser().parse_args([*BASE, "--reason", "game day"])
    with pytest.raises(ActionRefused) as refused:
        request_from(args)
    message = str(refused.value)
    assert "--reason: String should have at least 10 characters" in message
    assert "guards." not in message and "spec." not in message  # flags, not field paths


def test_schedule_says_when_in_the_time_the_panes_use() -> None:
    flags = ["--delay", "800ms", "--delay-percent", "40", "--start-in", "2m", "--duration", "5m"]
    proc = subprocess.run(
        [*watchfloor_cmd(), *BASE, *flags, "--reason", "game day latency drill"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    m = re.fullmatch(  # near midnight UTC, with the date: 23:59:00 to 03-17 00:04:00Z
        r"([0-9a-f]{8}) scheduled: stage/docs-api"
        r" ((?:\d\d-\d\d )?(\d\d:\d\d:\d\d)(?:-| to \d\d-\d\d )(\d\d:\d\d:\d\d)Z)"
        r" \(5m00s, starts in (1m5\ds|2m00s)\)\n",
        proc.stdout,
    )
    assert m, proc.stdout
    start, end = (datetime.strptime(t, "%H:%M:%S").replace(tzinfo=UTC) for t in m.group(3, 4))
    assert (end - start) % timedelta(days=1) == timedelta(minutes=5)
    listed = subprocess.run(
        [*watchfloor_cmd(), "faults", "list"], capture_output=True, text=True, timeout=60
    )
    assert f"{m.group(1)}  scheduled  stage/docs-api" in listed.stdout
    assert f"  {m.group(2)}  " in listed.stdout


def test_a_negative_start_in_is_named_not_taken_for_a_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # argparse read '-5m' as an option: '--start-in: expected one argument'
    from tui.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([*BASE, "--start-in", "-5m", "--delay", "1s", "--reason", "game day drill"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "expected one argument" not in err
    assert "--start-in: '-5m' is negative" in err


def test_the_fence_names_the_flag_of_each_problem(capsys: pytest.CaptureFixture[str]) -> None:
    # it said 'a window lasts more than 0 and at most 1h' after another problem, no flag
    from tui.cli import main

    flags = ["--duration", "0", "--delay", "1s", "--delay-percent", "80"]
    assert main([*BASE, *flags, "--reason", "game day drill"]) == 1
    err = capsys.readouterr().err
    assert "--delay-percent: delay 80% is over the cap of 50%" in err
    assert "--duration: a window lasts more than 0 and at most 1h (got 0s)" in err
