"""Every profile is checked by `config check` and at start, not only the active one: a
typo in a profile passed (exit 0) and showed only when switched to in the palette."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.config_cli import refused, run_on

BAD = {
    "pane names a backend not installed": (
        '[profiles.prod.panes]\nlatency = "promethues"\n',
        "(profile prod): panes.latency: unknown backend 'promethues'; available: ",
    ),
    "option typo in a backend section": (
        '[profiles.stage.backends.prometheus]\nurll = "http://prom:9090"\n',
        "(profile stage): unknown key 'backends.prometheus.urll'",
    ),
    "required option of a backend the profile uses": (
        '[profiles.stage.panes]\nrelease = "github"\n',
        "(profile stage) (panes.release = 'github'): backends.github.owner is required",
    ),
    "theme": (
        '[profiles.prod.ui]\ntheme = "nosuchtheme"\n',
        "(profile prod): ui.theme: no theme 'nosuchtheme'",
    ),
    "key taken": (
        '[profiles.prod.keys]\n"app.timeline" = "q"\n',
        "(profile prod): keys.app.timeline: 'q' is already the key of app.quit (Quit)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_inactive_profile_is_refused_at_check_and_at_start(tmp_path: Path, case: str) -> None:
    body, message = BAD[case]
    for cmd in (("config", "check"), ()):  # () is the dashboard: it stops before the UI
        cfg, proc = run_on(tmp_path, body, *cmd)
        err = refused(proc)
        assert f"{cfg} {message}" in err, (cmd, err)


def test_the_ok_line_says_which_profiles_were_checked(tmp_path: Path) -> None:
    body = '[profiles.stage]\nenvironment = "stage"\n[profiles.prod]\nenvironment = "prod"\n'
    _, proc = run_on(tmp_path, body, "config", "check")
    assert proc.returncode == 0, proc.stderr
    assert "< environment; profiles checked: prod, stage\n" in proc.stdout
    _, proc = run_on(tmp_path, body, "--profile", "prod", "config", "check")
    assert "; profiles checked: prod, stage (active: prod)\n" in proc.stdout
    _, proc = run_on(tmp_path, "", "config", "check")
    assert "< environment; profiles checked: none defined\n" in proc.stdout


@pytest.mark.parametrize("body", ["profiles = 3\n", 'profiles = "ab"\n'])
def test_profiles_that_is_not_a_table_is_refused_by_key(tmp_path: Path, body: str) -> None:
    """`profiles = 3` failed with a TypeError (exit 1); "ab" read as profiles a and b."""
    cfg, proc = run_on(tmp_path, body, "config", "check")
    said = f"{cfg}: profiles: should be a table of named profiles, e.g. [profiles.prod]"
    assert said in refused(proc)
