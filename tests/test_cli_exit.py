"""The dashboard's exit status: a crash is not a success."""

from __future__ import annotations

from typing import Any

import pytest

from tui import cli
from tui.app import WatchfloorApp


def test_a_crash_of_the_dashboard_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unhandled exception ends the app with Textual's return code 1 and its traceback;
    `watchfloor` returned 0 anyway, so a wrapper script or systemd saw a clean exit."""
    run = WatchfloorApp.run

    def headless(self: WatchfloorApp, **_: Any) -> None:  # no terminal under pytest
        run(self, headless=True)

    def crash(self: WatchfloorApp) -> None:
        raise RuntimeError("a pane fell over")

    monkeypatch.setattr(cli, "missing_terminals", list)
    monkeypatch.setattr(WatchfloorApp, "run", headless)
    monkeypatch.setattr(WatchfloorApp, "on_mount", crash)
    assert cli.main([]) == 1
    out = capsys.readouterr()
    assert "a pane fell over" in out.out + out.err
