"""The `watchfloor` console script itself, in a real pseudo-terminal (not App.run_test):
it draws the dashboard and quits on `q`; without a terminal it says so and exits 2."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

from tests.conftest import watchfloor_cmd

ANSI = re.compile(rb"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Z]|[=>])")


def read_until(
    fd: int, proc: subprocess.Popen[bytes], wanted: list[bytes], within_s: float
) -> bytes:
    """What the terminal showed (escape codes removed) once every `wanted` text is in it."""
    raw = b""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        shown = ANSI.sub(b"", raw)
        if all(w in shown for w in wanted):
            return shown
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                raw += os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
        elif proc.poll() is not None:
            break
    shown = ANSI.sub(b"", raw)
    missing = [w for w in wanted if w not in shown]
    raise AssertionError(f"not shown within {within_s}s: {missing}; tail: {shown[-400:]!r}")


def start_in_pty() -> tuple[int, subprocess.Popen[bytes]]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        watchfloor_cmd(),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"},
    )
    os.close(slave)
    return master, proc


def exited(fd: int, proc: subprocess.Popen[bytes], within_s: float) -> int | None:
    """The exit status, reading what the dashboard draws meanwhile as a terminal does: a
    pty nobody reads fills up, and the dashboard's last writes (restoring the terminal)
    then wait for ever. None: still running after `within_s`."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return proc.returncode
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                return proc.wait(timeout=5)
    return proc.poll()


def stop(master: int, proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    os.close(master)


def test_the_dashboard_runs_in_a_terminal_and_quits_on_q() -> None:
    master, proc = start_in_pty()
    try:
        shown = read_until(
            master,
            proc,
            [b"local simulation", b"Release train", b"Break-glass grants", b"HALT ALL"],
            within_s=60,
        )
        assert b"Traceback" not in shown
        os.write(master, b"q")
        assert exited(master, proc, within_s=30) == 0
    finally:
        stop(master, proc)


def test_keys_in_one_read_with_the_key_that_opens_the_grant_form_fill_its_subject() -> None:
    """A slow SSH link delivers `g` and what was typed after it in one read."""
    master, proc = start_in_pty()
    try:
        read_until(master, proc, [b"Break-glass grants", b"HALT ALL"], within_s=60)
        os.write(master, b"gdave@example.com")
        shown = read_until(master, proc, [b"Grant break-glass", b"dave@example.com"], 30)
        assert b"Traceback" not in shown
    finally:
        stop(master, proc)


def test_without_a_terminal_the_dashboard_says_so_and_draws_nothing() -> None:
    proc = subprocess.run(
        watchfloor_cmd(), stdin=subprocess.DEVNULL, capture_output=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stdout == b""  # no escape codes written into a pipe or a file
    assert b"needs a terminal; stdin and stdout are not terminals" in proc.stderr
    assert b"watchfloor snapshot --json" in proc.stderr


def test_esc_and_a_key_in_one_read_are_two_keys() -> None:
    """ESC then H in one read is what a terminal sends for Alt+H: Textual read one key,
    alt+shift+h, and its H went into the grant form's subject instead of opening HALT ALL."""
    master, proc = start_in_pty()
    try:
        read_until(master, proc, [b"Break-glass grants", b"HALT ALL"], within_s=60)
        os.write(master, b"g")
        read_until(master, proc, [b"Grant break-glass"], 30)
        os.write(master, b"\x1bH")
        shown = read_until(master, proc, [b"HALT ALL fault injection", b"type HALT to"], 30)
        assert b"Traceback" not in shown
    finally:
        stop(master, proc)


def test_esc_and_a_digit_in_one_read_are_two_keys() -> None:
    """ESC 4 in one read: Textual read it as ¢ (what Option+4 types on a Mac), so from the
    latency pane `esc 4 r` did not reach the grants pane, and r found no grant selected."""
    master, proc = start_in_pty()
    try:
        read_until(master, proc, [b"Break-glass grants", b"HALT ALL"], within_s=60)
        os.write(master, b"1\x1b4r")
        shown = read_until(master, proc, [b"Revoke break-glass access"], 30)
        assert b"Traceback" not in shown
        assert b"No grant selected" not in shown
    finally:
        stop(master, proc)
