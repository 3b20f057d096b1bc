"""The config's [keys] and ui.theme: `watchfloor config check` and the dashboard refuse the
same things, naming the key and the file (exit 2, no traceback)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import watchfloor_cmd


def check(tmp_path: Path, body: str, *cmd: str) -> subprocess.CompletedProcess[str]:
    cfg = tmp_path / "c.toml"
    cfg.write_text(body)
    args = [*watchfloor_cmd(), "--config", str(cfg), *cmd]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


BAD = {
    # a typo passed `config check` (exit 0) and then stopped the dashboard
    "unknown id": ('[keys]\n"app.timelin" = "T"\n', "keys.app.timelin: no such binding id"),
    # q opened the timeline, and Quit vanished from the footer and help
    "key taken": (
        '[keys]\n"app.timeline" = "q"\n',
        "keys.app.timeline: 'q' is already the key of app.quit (Quit)",
    ),
    "two ids one key": (
        '[keys]\n"app.timeline" = "T"\n"app.report" = "T"\n',
        "keys.app.timeline: 'T' is already the key of app.report",
    ),
    # ctrl+p opened the timeline, and the command palette could not be opened at all
    "palette key": (
        '[keys]\n"app.timeline" = "ctrl+p"\n',
        "keys.app.timeline: 'ctrl+p' is already the key of app.palette (palette)",
    ),
    # the palette's key works over every form: typed into a field, it would open
    "character for the palette": (
        '[keys]\n"app.palette" = "P"\n',
        "keys.app.palette: 'P' types a character",
    ),
    "focus key": (
        '[keys]\n"app.report" = "tab"\n',
        "keys.app.report: 'tab' is already the key of Textual's Focus Next",
    ),
    # a key Textual never reports did nothing, and the binding's own key was gone
    "not a key name": (
        '[keys]\n"app.timeline" = "notakey!!"\n',
        "keys.app.timeline: 'notakey!!' is not a key name",
    ),
    "modifiers out of order": (
        '[keys]\n"app.timeline" = "shift+ctrl+x"\n',
        "keys.app.timeline: 'shift+ctrl+x' is not a key name: Textual spells it ctrl+shift+x",
    ),
    "empty key": ('[keys]\n"app.timeline" = "T,"\n', "keys.app.timeline: 'T,' has an empty key"),
    # a form's keys act before its field gets the key: typing liz@example.com in the grant
    # form's subject closed it at the z, the rest went to the dashboard (p, e...)
    "character in a form": (
        '[keys]\n"grant.cancel" = "escape,z"\n',
        "keys.grant.cancel: 'z' types a character, and grant.cancel is a key of GrantScreen,"
        " a dialog with text fields",
    ),
    "space in the revoke dialog": (
        '[keys]\n"revoke.enter" = "enter,space"\n',
        "keys.revoke.enter: 'space' types a character",
    ),
    "punctuation in the palette": (
        '[keys]\n"palette.close" = "escape,slash"\n',
        "keys.palette.close: 'slash' types a character",
    ),
    # names Textual has, for bytes a terminal sends for another key: they never fired
    "ctrl+i is tab": (
        '[keys]\n"app.report" = "ctrl+i"\n',
        "keys.app.report: 'ctrl+i' never reaches the dashboard: terminals send it as Tab",
    ),
    "ctrl+m is enter": ('[keys]\n"app.report" = "ctrl+m"\n', "send it as Enter"),
    "ctrl+[ is escape": ('[keys]\n"app.report" = "ctrl+["\n', "send it as Escape"),
    # it suggested ctrl+S, which Textual never reports either
    "capital with ctrl": (
        '[keys]\n"app.report" = "Ctrl+S"\n',
        "keys.app.report: 'Ctrl+S' is not a key name: Textual spells it ctrl+s\n",
    ),
    "ctrl+S": ('[keys]\n"app.report" = "ctrl+S"\n', "Textual spells it ctrl+s\n"),
    # a key a focused table takes first (j moves its cursor): it never exported
    "a table's key": (
        '[keys]\n"app.report" = "j"\n',
        "keys.app.report: 'j' is already the key of table.down (Down)",
    ),
    # a typo was ignored without a word: the default theme, and no one the wiser
    "unknown theme": ('[ui]\ntheme = "nosuchtheme"\n', "ui.theme: no theme 'nosuchtheme'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_config_check_refuses_what_the_dashboard_would(tmp_path: Path, case: str) -> None:
    body, message = BAD[case]
    for cmd in (("config", "check"), ()):  # () is the dashboard: it stops before the UI
        proc = check(tmp_path, body, *cmd)
        assert proc.returncode == 2, (cmd, proc.stdout, proc.stderr)
        assert message in proc.stderr and str(tmp_path / "c.toml") in proc.stderr
        assert "Traceback" not in proc.stderr


def test_pane_and_dialog_binding_ids_can_be_remapped(tmp_path: Path) -> None:
    """`r` in the grants list has the id grants.revoke, and `?` shows it; the check knew
    only the app's and the panes' own ids and refused it."""
    body = '[keys]\n"grants.revoke" = "X"\n"help.close" = "escape"\n"app.timeline" = "T"\n'
    body += '"grant-details.revoke" = "ctrl+r"\n"fault-details.end" = "E"\n'  # the details'
    body += '"grant.enter" = "f2"\n"end.enter" = "f2"\n"replay.run" = "f2"\n'  # forms' Enter
    body += '"app.palette" = "f6"\n"app.report" = "ctrl+p"\n'  # the palette's key moved
    proc = check(tmp_path, body, "config", "check")
    assert proc.returncode == 0, proc.stderr
    # the dashboard gets past its config checks: without a terminal, that is what stops it
    proc = check(tmp_path, body)
    assert "needs a terminal" in proc.stderr and "keys." not in proc.stderr, proc.stderr


def test_key_names_textual_reports_are_accepted(tmp_path: Path) -> None:
    """Several keys for one binding ("T,t"), named keys, characters and modifiers."""
    body = '[keys]\n"app.timeline" = "T,t"\n"app.report" = "f2"\n"app.help" = "question_mark"\n'
    body += '"app.screenshot" = "ctrl+shift+x"\n"focus.latency" = "alt+1"\n"pane.filter" = "%"\n'
    proc = check(tmp_path, body, "config", "check")
    assert proc.returncode == 0, proc.stderr


def test_keys_never_active_together_may_be_shared(tmp_path: Path) -> None:
    """A dialog's close key and the dashboard key that opens it (the defaults give t to
    both), a dialog's keys and the dashboard's, two widgets never focused together, and
    letters for a dialog with no text field: each was refused as "already the key of"."""
    body = '[keys]\n"release.notes" = "N"\n"notes.close" = "escape,q,N"\n'  # q: Quit's
    body += '"app.timeline" = "T"\n"timeline.close" = "escape,T"\n'
    body += '"grants.details" = "o"\n"table.select" = "o"\n'  # the grants list, a table
    body += '"grant-details.close" = "escape,c"\n"alerts-list.close" = "escape,x"\n'
    proc = check(tmp_path, body, "config", "check")
    assert proc.returncode == 0, proc.stderr
