"""HALT ALL that the audit trail could not record. Taking faults out never waits on the
trail, so HALT ALL runs with the signing key gone; but it said plain success: `faults halt`
printed "HALT ALL: 1 window(s) ended", exit 0, nothing on stderr, nothing in the log, and
the dashboard's toast read as any other HALT ALL. Now it still runs, and says that it was
not audited and why: on stderr (exit 1), in the dashboard's toast, and in watchfloor.log."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from backends.contracts import ActionRefused, UnauditedRemoval
from backends.fault_policy import removal_audited
from tests.conftest import watchfloor_cmd
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_read_only import toasts
from tui.app import WatchfloorApp
from tui.screens.halt import HaltScreen

DRILL = ("faults", "schedule", "--host", "docs-api", "-n", "stage", "--abort-percent", "1")
# the actor: tests run as LOGNAME=dave (tests/conftest.py)
KEY_GONE = "the audit record could not be written (SigningKeyMissing: the audit signing key"


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*watchfloor_cmd(), *argv], capture_output=True, text=True, timeout=60)


def log_of(data_dir: Path) -> str:
    path = data_dir / "watchfloor.log"
    return path.read_text() if path.exists() else ""


def test_faults_halt_with_the_signing_key_gone_halts_and_says_it_was_not_audited(
    data_dir: Path,
) -> None:
    assert run(*DRILL, "--reason", "game day drill now").returncode == 0
    (data_dir / "audit-signing.key").unlink()
    proc = run("faults", "halt", "--reason", "pager fired: stop the drills")
    assert proc.stdout == "HALT ALL: 1 window(s) ended\n"  # it ran
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"watchfloor: HALT ALL done, but not audited: {KEY_GONE}")
    assert f"(logged in {data_dir / 'watchfloor.log'})" in proc.stderr
    assert "fault-halt-all by dave on * was carried out but not audited" in log_of(data_dir)
    listed = run("faults", "list").stdout.splitlines()[1]
    assert "ended" in listed and "HALT ALL by dave: pager fired: stop the drills" in listed


def test_faults_end_with_the_signing_key_gone_ends_and_says_it_was_not_audited(
    data_dir: Path,
) -> None:
    wid = run(*DRILL, "--reason", "game day drill now").stdout.split()[0]
    (data_dir / "audit-signing.key").unlink()
    proc = run("faults", "end", wid, "--reason", "drill over")
    assert (proc.returncode, proc.stdout) == (1, f"{wid} ended\n")
    assert proc.stderr.startswith("watchfloor: ending the window done, but not audited:")


async def test_the_dashboard_halts_and_its_toast_says_the_audit_failed(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert run(*DRILL, "--reason", "game day drill now").returncode == 0
    (data_dir / "audit-signing.key").unlink()  # then the dashboard starts
    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(app._open_windows()) == 1, what="the window")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
        await pilot.press(*"pager fired", "enter", *"HALT", "enter")
        said = "1 window(s) ended; not audited: " + KEY_GONE
        await wait_for(pilot, lambda: any(t.startswith(said) for t in toasts(app)), what="toast")
        (note,) = [n for n in app._notifications if n.message.startswith(said)]
        assert note.severity == "error"
        await wait_for(pilot, lambda: not app._open_windows(), what="halted all the same")
    # logged (the dashboard's log is watchfloor.log: tui/logsetup.py)
    assert "fault-halt-all by dave on * was carried out but not audited" in caplog.text


class Sink:
    """An audit sink that keeps the phases it records; `fail_outcome`: an outcome fails."""

    def __init__(self, fail_outcome: bool = False) -> None:
        self.phases: list[str] = []
        self.fail_outcome = fail_outcome

    async def append(self, actor: str, action: str, target: str, phase: str, **kw: Any) -> None:
        if phase == "outcome" and self.fail_outcome:
            raise OSError("disk full")
        self.phases.append(phase)


async def test_a_removal_whose_outcome_is_not_recorded_is_done_and_said_unaudited() -> None:
    sink: Any = Sink(fail_outcome=True)

    async def remove() -> int:
        return 3

    with pytest.raises(UnauditedRemoval) as info:
        await removal_audited(
            sink, actor="carol", action="fault-halt-all", target="*", details={}, apply=remove
        )
    assert info.value.result == 3 and sink.phases == ["request"]
    assert str(info.value) == "not audited: its outcome record could not be written (disk full)"


async def test_a_removal_that_fails_still_fails_and_a_refusal_still_refuses() -> None:
    sink: Any = Sink()

    async def broken() -> int:
        raise ActionRefused("no longer active")

    with pytest.raises(ActionRefused):
        await removal_audited(
            sink, actor="carol", action="fault-end", target="x", details={}, apply=broken
        )
    assert sink.phases == ["request", "outcome"]

    async def remove() -> int:
        return 1

    assert (
        await removal_audited(
            sink, actor="carol", action="fault-end", target="x", details={}, apply=remove
        )
        == 1
    )  # audited: as before


def test_reconcile_with_the_signing_key_gone_ends_every_window_and_says_so(
    data_dir: Path,
) -> None:
    """A removal left unaudited stopped nothing else: each window past its end is ended."""
    for host in ("docs-api", "search-api"):
        drill = (*DRILL[:3], host, *DRILL[4:], "--duration", "1s", "--reason", "short drill")
        assert run(*drill).returncode == 0
    (data_dir / "audit-signing.key").unlink()
    time.sleep(1.2)
    proc = run("faults", "reconcile", "--once")
    lines = proc.stdout.splitlines()
    assert len(lines) == 2, proc.stdout
    assert all(f"ended on time; not audited: {KEY_GONE}" in line for line in lines), lines
