"""Bad values on the command line: one line naming the option, exit 2 (bad usage) or 1 (a
runtime failure such as a port in use), never a traceback."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_cli_help import commands
from tui.cli import main, parser

GRANT = ["grants", "grant", "--subject", "erin", "--role", "sre-oncall", "--code", "123456"]
GRANT += ["--reason", "INC-77 fix it"]
SCHEDULE = ["faults", "schedule", "--host", "docs-api", "-n", "stage", "--abort-percent", "5"]
SCHEDULE += ["--reason", "game day: docs-api drill"]
HUGE = "99999999999999h"


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line printed for argv, on stderr only; it must have exited 2."""
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    (line,) = err.splitlines()  # no usage block before it
    return line


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        ([*GRANT, "--ttl", HUGE], f"--ttl: '{HUGE}' is over 24h"),
        ([*GRANT, "--ttl", "abc"], "--ttl: 'abc' is not a duration (try 30m, 2h, 90s)"),
        ([*SCHEDULE, "--duration", HUGE], f"--duration: '{HUGE}' is over 4h"),
        ([*SCHEDULE, "--start-in", HUGE], f"--start-in: '{HUGE}' is over 24h"),
        ([*SCHEDULE, "--delay", "9" * 400 + "ms"], "is over 1m"),
        ([*SCHEDULE, "--delay", "90s"], "--delay: '90s' is over 1m"),
        (
            [*SCHEDULE, "--abort-status", "700"],
            "--abort-status: '700' is not within 200-599",
        ),
        ([*SCHEDULE, "--abort-status", "5x"], "--abort-status: '5x' is not a number"),
        ([*SCHEDULE, "--abort-status", "503.5"], "--abort-status: '503.5' is not a whole number"),
        (
            [*SCHEDULE, "--delay-percent", "150"],
            "--delay-percent: '150' is not within 0-100",
        ),
        (
            [*SCHEDULE, "--abort-percent", "-1"],
            "--abort-percent: '-1' is not within 0-100",
        ),
        ([*SCHEDULE, "--guard-p999-ms", "inf"], "--guard-p999-ms: 'inf' is not a finite"),
        ([*SCHEDULE, "--guard-error-rate", "nan"], "--guard-error-rate: 'nan' is not a finite"),
        (  # a percentage where a ratio goes: it said "less than or equal to 1", exit 1
            [*SCHEDULE, "--guard-error-rate", "5"],
            "--guard-error-rate: '5' is not a ratio within 0-1 (e.g. 0.05, or 5%)",
        ),
        ([*SCHEDULE, "--guard-error-rate", "0"], "--guard-error-rate: '0': a guard above 0"),
        ([*SCHEDULE, "--guard-p999-ms", "0"], "--guard-p999-ms: '0' is not above 0"),
        (  # it spun a core at 99%
            ["faults", "reconcile", "--interval", "0"],
            "--interval: '0' is under 1s",
        ),
        (["audit", "list", "--limit", "0"], "--limit: '0' is not within 1-1000000"),
        (["snapshot", "--for", "abc"], "--for: 'abc' is not a duration"),
        (["screenshot", "--size", "abc", "out.svg"], "--size: 'abc' is not COLSxROWS"),
        (["screenshot", "--size", "0x0", "out.svg"], "--size: '0x0' is out of range"),
        (["lab", "--metrics-port", "99999"], "--metrics-port: '99999' is not a port"),
        (["lab", "--metrics-port", "0", "--for", "nan"], "--for: 'nan' is not a dur"),
    ],
)
def test_a_bad_value_is_a_usage_error_naming_the_option(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert line in usage_error(argv, capsys)


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            [*SCHEDULE, "--duration", "5h"],
            "watchfloor faults schedule: --duration: '5h' is over 4h (see --help)",
        ),
        (
            ["faults", "schedule", "--host", "docs-api"],
            "watchfloor faults schedule: the following arguments are required:"
            " --namespace/-n, --reason (see --help)",
        ),
        (["faults", "halt"], "watchfloor faults halt: the following arguments are required:"),
        (["faults", "nope"], "watchfloor faults: argument COMMAND: invalid choice: 'nope'"),
        (["nope"], "watchfloor: argument COMMAND: invalid choice: 'nope'"),
        (["faults", "list", "--nope"], "watchfloor faults list: unrecognized arguments: --nope"),
        (["faults", "--nope", "list"], "watchfloor faults: unrecognized arguments: --nope"),
        (["--nope"], "watchfloor: unrecognized arguments: --nope (see --help)"),
        (["grants", "grant", "--ttl", "1h"], "watchfloor grants grant: the following arguments"),
        (["--profile"], "watchfloor: --profile: expected one argument (see --help)"),
    ],
)
def test_bad_usage_is_one_line_naming_the_command_not_a_usage_block(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`faults schedule ... --duration 5h` printed argparse's seven-line usage block, then
    "watchfloor faults schedule: error: argument --duration: '5h' is over 4h"."""
    assert usage_error(argv, capsys).startswith(line)


# what the commands that need more than `--nope` are given: values their types accept
REQUIRED = {"out": "shot.svg", "candidate": "candidate.rego", "--listen": "127.0.0.1:0"}
REQUIRED |= {"--mqtt": "127.0.0.1:1883"}


def required_argv(p: argparse.ArgumentParser) -> list[str]:
    """What `p` cannot do without, so that its usage error is about what comes after."""
    argv = []
    for a in p._actions:
        if a.required and a.option_strings:
            argv += [a.option_strings[0], REQUIRED.get(a.option_strings[0], "some-value")]
        elif a.required:
            argv.append(REQUIRED.get(a.dest, "some-value"))
    return argv


LEAVES = [(path, p) for path, p in commands(parser()) if p._subparsers is None]


@pytest.mark.parametrize(("path", "p"), LEAVES, ids=[" ".join(path) for path, _ in LEAVES])
def test_an_unknown_option_is_named_by_the_command_given_it(
    path: tuple[str, ...], p: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]
) -> None:
    """`watchfloor faults list --nope` said "watchfloor: unrecognized arguments: --nope",
    as if the top level (or every command) knew no --nope, not the one it was given to."""
    argv = [*path[1:], *required_argv(p), "--nope"]
    line = usage_error(argv, capsys)
    assert line == f"{' '.join(path)}: unrecognized arguments: --nope (see --help)"


GROUPS = [(path, p) for path, p in commands(parser()) if p._subparsers is not None]


@pytest.mark.parametrize(("path", "p"), GROUPS[1:], ids=[" ".join(pa) for pa, _ in GROUPS[1:]])
def test_a_command_group_without_its_command_asks_for_command(
    path: tuple[str, ...], p: argparse.ArgumentParser, capsys: pytest.CaptureFixture[str]
) -> None:
    """`watchfloor policy` said "the following arguments are required: policy_command",
    an internal name, where the others say COMMAND, as their --help does."""
    line = usage_error(list(path[1:]), capsys)
    assert line == f"{' '.join(path)}: the following arguments are required: COMMAND (see --help)"


def test_every_command_is_checked_for_unknown_options() -> None:
    named = {" ".join(path[1:]) for path, _ in LEAVES}
    assert {"faults list", "grants grant", "audit verify", "snapshot", "config check"} <= named
    assert {"stepup enroll", "policy replay", "relay", "lab"} <= named


def test_a_screenshot_path_through_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out.svg").write_text("<svg/>")
    target = tmp_path / "out.svg" / "x.svg"
    line = usage_error(["screenshot", str(target)], capsys)
    assert f"argument out: '{target}': {tmp_path / 'out.svg'} is a file, not a directory" in line


def test_a_directory_is_not_a_screenshot_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = usage_error(["screenshot", str(tmp_path)], capsys)
    assert f"argument out: '{tmp_path}' is a directory" in line


def test_a_screenshot_that_cannot_be_written_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = Path("/proc/watchfloor-shot.svg")  # no file can be made there, not even by root
    assert main(["screenshot", "--size", "80x24", "--after", "0", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"watchfloor: screenshot: cannot write {out}: ")
    assert len(err.strip().splitlines()) == 1


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_lab_on_a_port_in_use_fails_in_one_line(
    taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lab", "--metrics-port", str(taken_port), "--for", "5s"]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no URL of a server that never started
    assert err == (
        f"watchfloor: lab: --metrics-port {taken_port}: cannot serve on"
        f" 127.0.0.1:{taken_port}: Address already in use\n"
    )


def test_good_values_still_parse() -> None:
    args = parser().parse_args([*GRANT, "--ttl", "24h"])
    assert args.ttl.total_seconds() == 24 * 3600
    args = parser().parse_args([*SCHEDULE, "--duration", "4h", "--start-in", "90s"])
    assert (args.duration, args.start_in) == (4 * 3600, 90)
    assert parser().parse_args([*SCHEDULE, "--start-in", "0"]).start_in == 0  # 0 in any unit
    assert parser().parse_args(["screenshot", "--size", "80X24", "x.svg"]).size == (80, 24)
    assert parser().parse_args(["lab", "--metrics-port", "9464"]).metrics_port == 9464


def test_the_error_guard_takes_a_ratio_or_a_percentage() -> None:
    for typed in ("0.05", "5%", " 5 % "):
        args = parser().parse_args([*SCHEDULE, "--guard-error-rate", typed])
        assert args.guard_error_rate == pytest.approx(0.05)


def test_a_percentage_may_carry_its_sign() -> None:
    # as in the fault-window form: 30, 30% and " 30 % " are the same
    for typed in ("30", "30%", " 30 % "):
        args = parser().parse_args([*SCHEDULE, "--delay-percent", typed])
        assert args.delay_percent == 30.0
    assert parser().parse_args([*SCHEDULE, "--abort-status", "502"]).abort_status == 502


def test_relay_on_a_port_in_use_fails_in_one_line(
    taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """It exited 2, bad usage, where a port in use is a failure while running (exit 1),
    as for `lab --metrics-port`."""
    argv = ["relay", "--listen", f"127.0.0.1:{taken_port}", "--mqtt", "127.0.0.1:1"]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"watchfloor: relay: --listen 127.0.0.1:{taken_port}: cannot serve there:"
        " Address already in use\n"
    )


def test_relay_help_says_what_path_it_takes(capsys: pytest.CaptureFixture[str]) -> None:
    """The help said "any", the start-up line "/logs": both say any path now."""
    with pytest.raises(SystemExit):
        main(["relay", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(default: any path; OPA posts to /logs unless its service sets another" in help_text


def test_a_negative_value_is_joined_to_its_option_but_not_after_double_dash() -> None:
    from tui.parse import negatives_joined

    assert negatives_joined(["--for", "-2s", "-n", "x"]) == ["--for=-2s", "-n", "x"]
    assert negatives_joined(["--for=1s", "-2s"]) == ["--for=1s", "-2s"]
    assert negatives_joined(["end", "--", "--reason", "-5m"]) == ["end", "--", "--reason", "-5m"]
