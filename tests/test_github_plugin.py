"""The `github` plugin without a server: importing and building it loads no httpx, and
the example config is valid and spells out the defaults."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backends.config import ConfigError, check_backends, load
from backends.github.options import DEFAULT_ARTEFACTS, DEFAULT_STAGES, GitHubOptions
from tests.conftest import ROOT


def test_plugin_import_and_build_load_no_httpx() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from backends.registry import BackendContext, load_plugin\n"
        "p = load_plugin('github')\n"
        "opts = p.options_model.model_validate({'owner': 'a', 'repo': 'b'})\n"
        "src = p.factories['release'](opts, BackendContext(data_dir=Path('.')))\n"
        "assert 'httpx' not in sys.modules, 'httpx imported before the first request'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_example_config_is_valid_and_spells_out_the_defaults() -> None:
    loaded = load(ROOT / "config" / "examples" / "github.toml", env={})
    opts = check_backends(loaded)["github"]
    assert isinstance(opts, GitHubOptions) and loaded.config.panes.release == "github"
    assert opts.stages == DEFAULT_STAGES and opts.artefacts == DEFAULT_ARTEFACTS
    with pytest.raises(ConfigError, match="owner"):
        check_backends(load(env={"WATCHFLOOR_PANES__RELEASE": "github"}))
