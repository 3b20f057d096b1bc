"""Config layering and refusal: the key and the file named, exit 2, no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from backends.config import ConfigError, check_backends, load
from tests.conftest import ROOT, watchfloor_cmd


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [*watchfloor_cmd(), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_default_config_loads_and_uses_local_everywhere() -> None:
    loaded = load(env={})
    assert loaded.files[0].name == "default.toml"
    cfg = loaded.config
    assert {
        cfg.backend_for(c) for c in ("access", "grants", "release", "latency", "faults", "audit")
    } == {"local"}
    assert cfg.backends["local"]["seed"] == 35


def test_user_file_then_env_override(tmp_path: Path) -> None:
    user = tmp_path / "xdg" / "watchfloor" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('environment = "stage"\n[ui]\nrefresh_s = 2.5\n')
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "WATCHFLOOR_UI__REFRESH_S": "4",
        "WATCHFLOOR_BACKENDS__LOCAL__SEED": "7",
    }
    loaded = load(env=env)
    assert loaded.files[-1] == user
    assert loaded.config.environment == "stage"
    assert loaded.config.ui.refresh_s == 4.0
    assert loaded.config.backends["local"]["seed"] == "7"  # validated by the plugin later
    assert loaded.where(("ui", "refresh_s")) == "environment variable WATCHFLOOR_UI__REFRESH_S"
    assert loaded.where(("environment",)) == str(user)


def test_env_names_a_hyphenated_backend_with_underscores(tmp_path: Path) -> None:
    """A variable name cannot hold a hyphen: PROMETHEUS_ACCESS is prometheus-access."""
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "WATCHFLOOR_PANES__ACCESS": "prometheus-access",
        "WATCHFLOOR_BACKENDS__PROMETHEUS_ACCESS__URL": "http://prom.example:9090",
    }
    loaded = load(env=env)
    assert loaded.config.backends["prometheus-access"]["url"] == "http://prom.example:9090"
    assert "prometheus_access" not in loaded.config.backends
    options = check_backends(loaded)  # validated by the plugin, as from a file
    assert str(options["prometheus-access"].url).startswith("http://prom.example:9090")  # type: ignore[attr-defined]
    assert loaded.where(("backends", "prometheus-access", "url")) == (
        "environment variable WATCHFLOOR_BACKENDS__PROMETHEUS_ACCESS__URL"
    )


def test_unknown_key_names_key_and_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[ui]\nrefresh_seconds = 2\n")
    with pytest.raises(ConfigError) as err:
        load(bad, env={})
    assert str(bad) in str(err.value)
    assert "ui.refresh_seconds" in str(err.value)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[ui]\nrefresh_s = -1\n", "ui.refresh_s"),
        ('[ui]\nrefresh_s = "soon"\n', "ui.refresh_s"),
        ("[backends.local]\nseed = 'abc'\n", "backends.local.seed"),
        ("[backends.local]\nspeed = 2\n", "backends.local.speed"),
        ('[panes]\nlatency = "nosuch"\n', "panes.latency"),
        ('[backends.nosuch]\nurl = "x"\n', "backends.nosuch"),
    ],
)
def test_bad_values_exit_2_without_traceback(tmp_path: Path, body: str, key: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(body)
    proc = run("--config", str(bad), "config", "check")
    assert proc.returncode == 2, proc.stderr
    assert key in proc.stderr
    assert str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr
    # the same refusal when starting the dashboard: no UI is started
    proc = run("--config", str(bad))
    assert proc.returncode == 2 and key in proc.stderr


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (
            '[panes]\nlatency = "prometheus"\n[backends.prometheus]\nurl = "prom:9090"\n',
            "backends.prometheus.url",
        ),
        ('[panes]\ngrants = "opa"\n[backends.opa]\nurl = "http://:8181"\n', "backends.opa.url"),
        (
            '[panes]\nlatency = "prometheus"\n[backends.prometheus]\nurl = "http://h:99999"\n',
            "backends.prometheus.url",
        ),
    ],
)
def test_a_server_address_that_is_not_one_is_refused_at_check(
    tmp_path: Path, body: str, key: str
) -> None:
    """A typo in a URL read as "connection refused" in the pane, at the first request."""
    bad = tmp_path / "bad.toml"
    bad.write_text(body)
    proc = run("--config", str(bad), "config", "check")
    assert proc.returncode == 2, proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if key in x]
    assert line.startswith(f"{bad}: {key}: ") and "Value error" not in line
    assert "http://" in line or "port" in line
    good = tmp_path / "good.toml"  # a path prefix is fine (Prometheus behind a proxy)
    good.write_text(
        '[panes]\nlatency = "prometheus"\n'
        '[backends.prometheus]\nurl = "https://mon.example.com/prometheus"\n'
    )
    assert run("--config", str(good), "config", "check").returncode == 0


def test_unknown_backend_lists_available(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[panes]\nfaults = "istio-typo"\n')
    proc = run("config", "check", str(bad))
    assert proc.returncode == 2
    assert "unknown backend 'istio-typo'" in proc.stderr
    assert "available: " in proc.stderr and "local" in proc.stderr


def test_env_override_error_names_variable() -> None:
    proc = run("config", "check", env={"WATCHFLOOR_UI__REFRESH_S": "fast"})
    assert proc.returncode == 2
    assert "WATCHFLOOR_UI__REFRESH_S" in proc.stderr


def test_a_required_backend_option_names_what_chose_that_backend(tmp_path: Path) -> None:
    """github needs owner and repo. Chosen by a variable, the error blamed
    config/default.toml, which only holds the nearest [backends] table."""
    proc = run("config", "check", env={"WATCHFLOOR_PANES__RELEASE": "github"})
    assert proc.returncode == 2 and "default.toml" not in proc.stderr
    assert (
        "environment variable WATCHFLOOR_PANES__RELEASE (panes.release = 'github'): "
        "backends.github.owner is required: set it under [backends.github] in your config "
        "file, or as WATCHFLOOR_BACKENDS__GITHUB__OWNER"
    ) in proc.stderr
    chosen = tmp_path / "c.toml"
    chosen.write_text('[panes]\nrelease = "github"\n[backends.github]\nowner = "acme"\n')
    proc = run("config", "check", str(chosen))
    assert proc.returncode == 2 and "owner" not in proc.stderr
    assert f"{chosen} (panes.release = 'github'): backends.github.repo is required" in proc.stderr


def test_a_data_dir_that_is_a_file_is_refused_without_traceback(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("")
    for args in (("snapshot", "--json"), ()):  # a headless command, and the dashboard
        proc = run(*args, env={"WATCHFLOOR_DATA_DIR": str(a_file)})
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert (
            f"WATCHFLOOR_DATA_DIR: data_dir: {a_file} cannot be used: a file, not a directory"
            in proc.stderr
        )


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[ui\nrefresh_s = 1\n")
    proc = run("config", "check", str(bad))
    assert proc.returncode == 2 and "not valid TOML" in proc.stderr
    proc = run("config", "check", str(tmp_path / "missing.toml"))
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_config_check_ok() -> None:
    proc = run("config", "check")
    assert proc.returncode == 0, proc.stderr
    assert "latency  -> local" in proc.stdout


EXAMPLES = sorted((ROOT / "config" / "examples").glob("*.toml"))


def test_the_examples_are_found() -> None:
    assert {p.name for p in EXAMPLES} >= {"github.toml", "kube.toml", "mqtt.toml"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_config_checks(example: Path) -> None:
    """What the README points people at is valid, backends and options included."""
    loaded = load(example, env={})
    check_backends(loaded)
    assert any(
        loaded.config.backend_for(pane) != "local"
        for pane in ("access", "grants", "release", "latency", "faults")
    )


PROFILES = """
environment = "dev"
[backends.local]
seed = 1
[profiles.stage]
environment = "stage"
[profiles.stage.backends.local]
seed = 2
[profiles.prod]
environment = "prod"
[profiles.prod.ui]
refresh_s = 5
"""


def test_profiles_override_and_do_not_leak(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(PROFILES)
    base = load(cfg, env={})
    assert base.config.environment == "dev" and base.config.backends["local"]["seed"] == 1
    stage = load(cfg, env={}, profile="stage")
    assert stage.config.environment == "stage" and stage.config.backends["local"]["seed"] == 2
    assert stage.where(("backends", "local", "seed")).endswith("(profile stage)")
    prod = load(cfg, env={"WATCHFLOOR_PROFILE": "prod"})
    assert prod.config.environment == "prod" and prod.config.ui.refresh_s == 5
    assert prod.config.backends["local"]["seed"] == 1  # stage's override did not leak


def test_unknown_or_bad_profile_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(PROFILES)
    with pytest.raises(ConfigError, match="profile 'qa' is not defined; defined: prod, stage"):
        load(cfg, env={}, profile="qa")
    cfg.write_text(PROFILES + "[profiles.prod.panes]\nlatency = 3\n")
    with pytest.raises(ConfigError) as err:
        load(cfg, env={})  # an inactive profile is checked too
    assert "panes.latency" in str(err.value) and "(profile prod)" in str(err.value)
    cfg.write_text(PROFILES + '[profiles.qa]\nprofiles = "x"\n')
    with pytest.raises(ConfigError, match="cannot set profiles"):
        load(cfg, env={})
