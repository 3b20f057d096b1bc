"""The house rules of layering, checked rather than hoped for."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# What tui may import from backends: the contracts and the plumbing, never an adapter.
TUI_MAY_IMPORT = {
    "backends.models",
    "backends.contracts",
    "backends.config",
    "backends.config_checks",  # the config's checks beyond its schema, before anything runs
    "backends.registry",
    "backends.wiring",
    "backends.alerts",
    "backends.alert_acks",  # an alert's ack: audited, restored from the trail, in words
    "backends.alert_episodes",  # the alerts going on, kept in the data dir for a restart
    "backends.clock",
    "backends.polling",
    "backends.error_text",  # pure: how an error reads (a plugin's bad data, told apart)
    "backends.timeline",  # pure: diffs snapshots into events
    "backends.timeline_words",  # pure: how a timeline event reads (a grant gone: the alert too)
    "backends.report",  # pure: the game-day report's Markdown
    "backends.report_faults",  # pure: the report's fault windows in words (details too)
    "backends.fault_log",  # pure: every fault window of the game day, for the report
    "backends.latency_peaks",  # pure: the report's worst p99.9 and lowest limit per route
    "backends.durations",  # pure: "4m05s", for the panes and the timeline alike
    "backends.text_safe",  # pure: text from people and backends kept from driving the terminal
    "backends.baseline_store",  # the marked p99.9 baseline's JSON file in the data dir
    "backends.audit_history",  # pure: audit records -> the timeline's first events
    "backends.audit_text",  # pure: how an audit record reads (audit list, timeline)
    "backends.audit_pins",  # pure: a key fingerprint and chain head recorded, parsed
    "backends.fault_times",  # pure: how a window's start and end read (late, planned, dates)
    "backends.faults_core",  # pure fault-window guardrails (no I/O), not an adapter
    "backends.fault_ends",  # pure: how an end and a HALT ALL are said and stored
    "backends.grant_rules",  # pure: what a break-glass reason and TTL must be
    "backends.data_dir",  # making the data dir, owner-only
    "backends.lab",  # the lab runner (`watchfloor lab`), not an adapter
    "backends.replay",  # policy dry-run: pure logic over the embedded Rego engine
    "backends.replay_words",  # pure: a dry-run's report in words (dashboard and CLI)
    "backends.access_nodata",  # pure: what an access source with nothing to count says
    "backends.access_denials",  # pure: a denial's kind (service: rules), counted in a window
    "backends.relay",  # the decision-log relay server (`watchfloor relay`), not an adapter
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_tui_imports_only_contracts_and_plumbing_from_backends() -> None:
    bad = []
    for path in sorted((ROOT / "tui").rglob("*.py")):
        for mod in imports_of(path):
            if mod == "backends" or not mod.startswith("backends."):
                continue
            # `from backends.models import X` yields both the module and module.X
            if not any(mod == ok or mod.startswith(ok + ".") for ok in TUI_MAY_IMPORT):
                bad.append(f"{path.relative_to(ROOT)} imports {mod}")
    assert not bad, bad


def test_backends_never_import_textual_or_tui() -> None:
    bad = []
    for path in sorted((ROOT / "backends").rglob("*.py")):
        for mod in imports_of(path):
            if mod.split(".")[0] in {"textual", "tui"}:
                bad.append(f"{path.relative_to(ROOT)} imports {mod}")
    assert not bad, bad


def test_importing_every_backend_module_loads_no_textual() -> None:
    mods = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "backends").rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui'))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_local_run_imports_no_heavy_client() -> None:
    """kubernetes and prometheus-api-client cost start-up time; only their adapters load them."""
    code = (
        "import sys, asyncio\n"
        "from backends.config import load\n"
        "from backends.wiring import build_sources\n"
        "from tui.headless import collect\n"
        "import tui.app\n"
        "asyncio.run(collect(build_sources(load()), 0))\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('kubernetes', 'prometheus_api_client', 'aiomqtt', 'httpx'))\n"
        "assert not heavy, heavy\n"
        # the wrappers of third-party plugins' actions and reads: the built-ins need neither
        "guards = sorted(m for m in sys.modules if m.startswith('backends.guarded_')"
        " or m == 'backends.plugin_guard')\n"
        "assert not guards, guards\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(
    shutil.which("lint-imports") is None
    and not (Path(sys.executable).parent / "lint-imports").exists(),
    reason="import-linter is a dev dependency",
)
def test_import_linter_contracts_hold() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run(
        [str(exe) if exe.exists() else "lint-imports"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout
