"""A pane's backend must provide that pane's capability, and every [backends.X] section
present is checked against X's options, used by a pane or not. Both passed `config check`
and failed later: "backend 'opa' does not provide latency" in `snapshot`, and every grant
refused with "no step-up verifier is configured"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.config_cli import refused, run_on
from tests.conftest import ROOT

NOT_PROVIDED = {
    "latency from opa": (
        '[panes]\nlatency = "opa"\n',
        "panes.latency: backend 'opa' does not provide latency; "
        "backends that do: local, prometheus",
    ),
    "stepup from prometheus": (
        '[panes]\nstepup = "prometheus"\n',
        "panes.stepup: backend 'prometheus' does not provide stepup; backends that do: local",
    ),
}


@pytest.mark.parametrize("case", sorted(NOT_PROVIDED))
def test_a_pane_whose_backend_does_not_provide_it_is_refused(tmp_path: Path, case: str) -> None:
    body, message = NOT_PROVIDED[case]
    for cmd in (("config", "check"), ("snapshot", "--json"), ()):
        cfg, proc = run_on(tmp_path, body, *cmd)
        assert f"{cfg}: {message}" in refused(proc), cmd


UNUSED = {
    "unknown option": (
        '[backends.prometheus]\nurll = "x"\n',
        "unknown key 'backends.prometheus.urll'",
    ),
    "bad value": ("[backends.opa]\ntimeout_s = 'soon'\n", "backends.opa.timeout_s: "),
}


@pytest.mark.parametrize("case", sorted(UNUSED))
def test_a_backend_section_no_pane_uses_is_checked(tmp_path: Path, case: str) -> None:
    body, message = UNUSED[case]
    cfg, proc = run_on(tmp_path, body, "config", "check")
    assert f"{cfg}: {message}" in refused(proc)


def test_an_unused_section_may_leave_out_what_only_its_user_needs(tmp_path: Path) -> None:
    """github needs owner and repo, but only once a pane uses it: a base config may hold
    the owner and the profile that uses github the repo."""
    body = (
        '[backends.github]\nowner = "acme"\n'
        '[profiles.prod.panes]\nrelease = "github"\n'
        '[profiles.prod.backends.github]\nrepo = "shop"\n'
    )
    _, proc = run_on(tmp_path, body, "config", "check")
    assert proc.returncode == 0, proc.stderr


def test_finding_the_backends_that_provide_a_pane_imports_no_heavy_client() -> None:
    """Which backends provide a capability is known by importing their plugin modules,
    which are light: no HTTP, Kubernetes, MQTT or Prometheus client."""
    code = (
        "import sys\n"
        "from backends.config import ConfigError, check_backends, load\n"
        "try:\n"
        "    check_backends(load(env={'WATCHFLOOR_PANES__LATENCY': 'opa'}))\n"
        "except ConfigError as exc:\n"
        "    assert 'backends that do: local, prometheus' in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('accepted')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('kubernetes', 'prometheus_api_client', 'aiomqtt', 'httpx', 'regopy'))\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
