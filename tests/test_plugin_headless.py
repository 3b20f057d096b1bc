"""`snapshot --json` and `config check` with third-party adapters that misbehave, as a
script sees them. `snapshot` crashed on a dict ("'dict' object has no attribute
'model_dump'", exit 1) and on a naive time, and hid a failing or broken plugin behind
"no update within the time given" after ~11 s, exit 0, no alert. `config check` said ok
for a plugin that cannot be imported, and for a typo its options model ignored."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests import plugin_misfits
from tests.conftest import ROOT, watchfloor_cmd


@pytest.fixture
def site(tmp_path: Path) -> Path:
    plugin_misfits.install(tmp_path)
    return tmp_path


def run(site: Path, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    cfg = plugin_misfits.config(site, body)
    # this checkout's code first (the console script may be another checkout's install)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(site), str(ROOT)))}
    return subprocess.run(
        [*watchfloor_cmd(), "--config", str(cfg), *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )


def snapshot(site: Path, backend: str) -> dict[str, Any]:
    proc = run(site, f'[panes]\nrelease = "{backend}"\n', "snapshot", "--json")
    assert proc.returncode == 0, proc.stderr  # as for any pane whose source fails
    doc: dict[str, Any] = json.loads(proc.stdout)
    assert doc["latency"]["health"]["state"] == "ok"  # the rest as ever
    return doc


def release_down(doc: dict[str, Any]) -> str:
    """The release pane's error, which its source-down alert says too."""
    health = doc["release"]["health"]
    assert health["state"] == "error", health
    down = [a for a in doc["alerts"] if a["kind"] == "source down"]
    assert [a["key"] for a in down] == ["source:release"]
    assert health["last_error"] in down[0]["message"]
    error: str = health["last_error"]
    return error


@pytest.mark.parametrize(
    ("backend", "said"),
    [
        ("dicts", "answered with bad data: yielded dict, expected ReleaseSnapshot"),
        ("syncgen", "watch() must be an async generator (async def with yield)"),
        ("raises", "watch() raised RuntimeError: statuspage token not set"),
        ("constructed", "answered with bad data: ReleaseSnapshot observed_at: needs a timezone"),
    ],
)
def test_a_plugin_that_breaks_the_contract_is_its_panes_error(
    site: Path, backend: str, said: str
) -> None:
    error = release_down(snapshot(site, backend))
    assert error.startswith(said), error
    assert error.endswith(f"(plugin '{backend}', wf_misfits:{backend})")


def test_a_failing_plugin_is_reported_as_the_dashboard_shows_it(site: Path) -> None:
    # it was {"state": "no-data", "last_error": "no update within the time given"}, after
    # the 10 s grace, exit 0 and no alert
    error = release_down(snapshot(site, "refused"))
    assert error == "connection refused (status.example:443)"


def test_bad_data_is_logged_with_the_field(site: Path, data_dir: Path) -> None:
    release_down(snapshot(site, "naive"))
    log = (data_dir / "watchfloor.log").read_text()
    assert "plugin 'naive' (wf_misfits:naive): answered with bad data: ReleaseSnapshot" in log
    assert "observed_at: needs a timezone" in log


@pytest.mark.parametrize(
    ("backend", "error"),
    [
        ("typo", "ModuleNotFoundError: No module named 'wf_misfits_typo'"),
        ("noattr", "AttributeError: module 'wf_misfits' has no attribute 'plugn'"),
        ("brokenimport", "ImportError: libstatus.so: cannot open shared object file"),
        ("notaplugin", "is not a BackendPlugin but object"),
    ],
)
def test_config_check_refuses_a_plugin_that_cannot_be_loaded(
    site: Path, backend: str, error: str
) -> None:
    proc = run(site, f'[panes]\nrelease = "{backend}"\n', "config", "check")
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout == ""
    cfg = site / "c.toml"
    entry = plugin_misfits.ENTRY_POINTS[backend]
    assert f"{cfg}: panes.release: backend {backend!r} " in proc.stderr
    assert entry in proc.stderr and error in proc.stderr


def test_the_dashboard_still_shows_an_unloadable_plugin_as_its_panes_error(site: Path) -> None:
    """Only `config check` stops for it: `snapshot` (and the dashboard) run the rest."""
    error = release_down(snapshot(site, "typo"))
    assert "failed to import (wf_misfits_typo:plugin)" in error


def test_an_unknown_option_is_refused_whatever_the_plugins_model_says(site: Path) -> None:
    # the plugin's options model is plain BaseModel (extra ignored): `urll` was dropped
    # and the backend ran on its default url
    body = '[panes]\nrelease = "lax"\n[backends.lax]\nurll = "https://status.example"\n'
    for args in (("config", "check"), ("snapshot", "--json")):
        proc = run(site, body, *args)
        assert proc.returncode == 2, (args, proc.stdout)
        assert f"{site / 'c.toml'}: unknown key 'backends.lax.urll'" in proc.stderr


def test_a_known_option_of_a_lax_model_still_works(site: Path) -> None:
    proc = run(site, '[panes]\nrelease = "lax"\n[backends.lax]\nurl = "x"\n', "config", "check")
    assert proc.returncode == 0, proc.stderr


def pane_error(site: Path, pane: str, backend: str) -> str:
    """The pane's error as the dashboard shows it (`snapshot --json`: what every pane sees)."""
    doc = json.loads(run(site, f'[panes]\n{pane} = "{backend}"\n', "snapshot", "--json").stdout)
    error: str = doc[pane]["health"]["last_error"]
    assert error.endswith(f"(plugin '{backend}', wf_misfits:{backend})"), error
    return error


@pytest.mark.parametrize("backend", ["dicts", "raises", "naive"])
@pytest.mark.parametrize(
    ("pane", "says"), [("faults", "source error: "), ("grants", "watchfloor: grants source: ")]
)
def test_faults_and_grants_list_say_a_plugins_stream_error_as_its_pane_does(
    site: Path, pane: str, says: str, backend: str
) -> None:
    """They said "watchfloor: failed: ... (details: watchfloor.log)", as for a crash, and
    printed no JSON with --json; a source's error (a broken store) reads as below."""
    error = pane_error(site, pane, backend)
    body = f'[panes]\n{pane} = "{backend}"\n'
    listed = run(site, body, pane, "list")
    assert listed.returncode == 1
    assert listed.stderr.splitlines() == [f"{says}{error}"]
    as_json = run(site, body, pane, "list", "--json")
    assert as_json.returncode == 1, as_json.stderr
    health = json.loads(as_json.stdout)["health"]
    assert (health["state"], health["last_error"]) == ("error", error)
