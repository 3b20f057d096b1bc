"""Values refused at `config check` as every other command would refuse them, errors that
name the environment variable, and every error of a config in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.config import check_backends, load
from backends.mqtt.options import MqttOptions
from backends.prom.options import PromOptions
from tests.config_cli import refused, run_on

DATA_DIRS = {
    "a number": ("data_dir = 5\n", "data_dir: must be a directory path, as a string (got 5)"),
    "empty": ('data_dir = ""\n', "data_dir: must not be empty (leave it out for the default)"),
    "no such user": (
        'data_dir = "~nosuchuser-wf/data"\n',
        "data_dir: no such user 'nosuchuser-wf' (got '~nosuchuser-wf/data')",
    ),
    "NUL": ('data_dir = "a\\u0000b"\n', "data_dir: must not contain a NUL character"),
}


@pytest.mark.parametrize("case", sorted(DATA_DIRS))
def test_a_bad_data_dir_is_refused_by_check_and_by_every_command(tmp_path: Path, case: str) -> None:
    """WATCHFLOOR_DATA_DIR (set for every test) hid `data_dir = 5` from `config check`, and
    every command run without it said "Input is not a valid path"; a user that does not
    exist failed with a RuntimeError (exit 1)."""
    body, message = DATA_DIRS[case]
    cfg, proc = run_on(tmp_path, body, "config", "check")  # the variable set: still refused
    assert f"{cfg}: {message}" in refused(proc)
    cfg, proc = run_on(tmp_path, body, "snapshot", "--json", env={"WATCHFLOOR_DATA_DIR": None})
    assert f"{cfg}: {message}" in refused(proc)


def test_a_data_dir_of_an_inactive_profile_that_is_a_file_is_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("")
    body = f'[profiles.prod]\ndata_dir = "{a_file}"\n'
    cfg, proc = run_on(tmp_path, body, "config", "check")
    assert (
        f"{cfg} (profile prod): data_dir: {a_file} cannot be used: a file, not a directory"
        in refused(proc)
    )


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_refresh_s_must_be_a_finite_number(tmp_path: Path, value: str) -> None:
    """nan said "should be less than or equal to 60 (got nan)"."""
    cfg, proc = run_on(tmp_path, f"[ui]\nrefresh_s = {value}\n", "config", "check")
    assert f"{cfg}: ui.refresh_s: Input should be a finite number (got {value})" in refused(proc)


ENV = {
    "unknown section": (
        {"WATCHFLOOR_UII__THEME": "x"},
        "environment variable WATCHFLOOR_UII__THEME: unknown key 'uii'",
    ),
    "two variables under an unknown section": (
        {"WATCHFLOOR_UII__THEME": "x", "WATCHFLOOR_UII__ACTOR": "me"},
        "environment variables WATCHFLOOR_UII__ACTOR, WATCHFLOOR_UII__THEME: unknown key 'uii'",
    ),
    "a binding id": (
        {"WATCHFLOOR_KEYS__APP__TIMELINE": "q"},
        "environment variable WATCHFLOOR_KEYS__APP__TIMELINE: keys.app.timeline: 'q' is "
        "already the key of app.quit (Quit)",
    ),
    "a hyphenated binding id": (
        {"WATCHFLOOR_KEYS__GRANT_DETAILS__NOSUCH": "X"},
        "environment variable WATCHFLOOR_KEYS__GRANT_DETAILS__NOSUCH: "
        "keys.grant-details.nosuch: no such binding id",
    ),
    "in a profile": (
        {"WATCHFLOOR_PROFILES__PROD__UI__THEME": "nosuchtheme"},
        "environment variable WATCHFLOOR_PROFILES__PROD__UI__THEME (profile prod): ui.theme: "
        "no theme 'nosuchtheme'",
    ),
}


@pytest.mark.parametrize("case", sorted(ENV))
def test_an_environment_error_names_the_variable(tmp_path: Path, case: str) -> None:
    env, message = ENV[case]
    _, proc = run_on(tmp_path, "", "config", "check", env=env)
    assert message in refused(proc)


def test_a_binding_can_be_remapped_from_the_environment(tmp_path: Path) -> None:
    """A variable cannot hold the dot of "app.timeline" (nor a hyphen): __ and _ stand in."""
    env = {"WATCHFLOOR_KEYS__APP__TIMELINE": "T", "WATCHFLOOR_KEYS__GRANT_DETAILS__REVOKE": "X"}
    _, proc = run_on(tmp_path, "", "config", "check", env=env)
    assert proc.returncode == 0, proc.stderr


def test_every_error_is_reported_in_one_run(tmp_path: Path) -> None:
    """A file with several typos took one run per typo."""
    body = (
        "[ui]\nrefresh_s = 0\ntheme = 3\n"
        '[panes]\nlatency = "nosuch"\n'
        '[backends.prometheus]\nurll = "x"\n'
        '[keys]\n"app.timelin" = "T"\n'
        '[profiles.prod.panes]\nfaults = "opa"\n'
    )
    cfg, proc = run_on(tmp_path, body, "config", "check")
    err = refused(proc)
    for message in (
        "ui.refresh_s: Input should be greater than or equal to 0.1 (got 0)",
        "ui.theme: Input should be a valid string (got 3)",
        "panes.latency: unknown backend 'nosuch'",
        "unknown key 'backends.prometheus.urll'",
        "keys.app.timelin: no such binding id",
        "(profile prod): panes.faults: backend 'opa' does not provide faults",
    ):
        assert f"{cfg}{'' if message.startswith('(') else ':'} {message}" in err, message
    # each error once, though the base config's are in every profile's too
    assert err.count("urll") == 1 and "watchfloor: 6 configuration errors:" in err, err


def test_list_and_table_options_can_be_set_from_the_environment(tmp_path: Path) -> None:
    """As JSON: a list option from a variable was always "Input should be a valid tuple"."""
    env = {
        "WATCHFLOOR_PANES__LATENCY": "prometheus",
        "WATCHFLOOR_BACKENDS__PROMETHEUS__ROUTES": '["GET /search", "GET /a"]',
        "WATCHFLOOR_BACKENDS__PROMETHEUS__SLO_MS": '{"GET /a": 120}',
        # PromQL that starts with a brace is no JSON: it stays the string it is
        "WATCHFLOOR_BACKENDS__PROMETHEUS__LIMIT_QUERY": '{__name__="my_limit"}',
    }
    opts = check_backends(load(env=env))["prometheus"]
    assert isinstance(opts, PromOptions)
    assert opts.routes == ("GET /search", "GET /a")
    assert opts.slo_for("GET /a") == 120 and opts.slo_for("GET /search") == 400
    assert opts.limit_query == '{__name__="my_limit"}'
    _, proc = run_on(tmp_path, "", "config", "check", env=env)
    assert proc.returncode == 0 and "latency  -> prometheus" in proc.stdout, proc.stderr


def test_a_string_option_whose_value_reads_as_json_stays_a_string(tmp_path: Path) -> None:
    """`[12345]` as the MQTT password, `["dave"]` as the actor: valid JSON, so a variable
    holding it was read as a list ("Input should be a valid string"). Only an option that
    takes a list or a table reads its variable as JSON; a string option's is its string."""
    env = {
        "WATCHFLOOR_UI__ACTOR": '["dave"]',
        "WATCHFLOOR_BACKENDS__MQTT__PASSWORD": "[12345]",
        "WATCHFLOOR_BACKENDS__MQTT__TOPIC": '{"a": 1}',
        "WATCHFLOOR_BACKENDS__MQTT__CLIENT_ID": "[]",
        "WATCHFLOOR_PROFILES__PROD__ENVIRONMENT": "[1]",
        "WATCHFLOOR_PROFILES__PROD__BACKENDS__GITHUB__REHEARSAL_REF": '["main"]',
        # a list and tables are still JSON
        "WATCHFLOOR_BACKENDS__PROMETHEUS__ROUTES": '["GET /a"]',
        "WATCHFLOOR_PROFILES__PROD__BACKENDS__GITHUB__REHEARSAL_INPUTS": '{"env": "prod"}',
        "WATCHFLOOR_PROFILES__STAGE": '{"environment": "stage"}',
        "WATCHFLOOR_BACKENDS__GITHUB": '{"owner": "acme", "repo": "docs"}',
    }
    loaded = load(env=env)
    assert loaded.config.ui.actor == '["dave"]'
    mqtt = check_backends(loaded)["mqtt"]
    assert isinstance(mqtt, MqttOptions) and mqtt.password is not None
    assert mqtt.password.get_secret_value() == "[12345]"
    assert (mqtt.topic, mqtt.client_id) == ('{"a": 1}', "[]")
    prod = loaded.profiles["prod"].config
    assert prod.environment == "[1]"
    assert prod.backends["github"]["rehearsal_ref"] == '["main"]'
    assert prod.backends["github"]["rehearsal_inputs"] == {"env": "prod"}
    assert loaded.profiles["stage"].config.environment == "stage"
    assert loaded.config.backends["prometheus"]["routes"] == ["GET /a"]
    assert loaded.config.backends["github"]["owner"] == "acme"
    _, proc = run_on(tmp_path, "", "config", "check", env=env)
    assert proc.returncode == 0, proc.stderr


NOT_A_LIST_OR_TABLE = {
    "a list in a variable": (
        "",
        {"WATCHFLOOR_BACKENDS__PROMETHEUS__ROUTES": "GET /search"},
        "environment variable WATCHFLOOR_BACKENDS__PROMETHEUS__ROUTES: "
        "backends.prometheus.routes: should be a list, e.g. '[\"GET /search\"]' (JSON) "
        "(got 'GET /search')",
    ),
    "a list in a file": (
        '[backends.prometheus]\nroutes = "GET /search"\n',
        {},
        "{cfg}: backends.prometheus.routes: should be a list, "
        "e.g. routes = [\"GET /search\"] (got 'GET /search')",
    ),
    "panes in a variable": (
        "",
        {"WATCHFLOOR_PANES": "foo"},
        "environment variable WATCHFLOOR_PANES: panes: should be a table of pane = backend, "
        'e.g. WATCHFLOOR_PANES__LATENCY=prometheus, or as JSON: \'{"latency": "prometheus"}\' '
        "(got 'foo')",
    ),
    "panes in a file": (
        'panes = "foo"\n',
        {},
        "{cfg}: panes: should be a table of pane = backend, e.g. [panes] latency = "
        "\"prometheus\" (got 'foo')",
    ),
}


@pytest.mark.parametrize("case", sorted(NOT_A_LIST_OR_TABLE))
def test_a_list_or_table_that_is_not_one_says_so_in_the_users_words(
    tmp_path: Path, case: str
) -> None:
    """Not "a valid tuple", nor "a valid dictionary or instance of PanesConfig"."""
    body, env, message = NOT_A_LIST_OR_TABLE[case]
    cfg, proc = run_on(tmp_path, body, "config", "check", env=env)
    assert message.replace("{cfg}", str(cfg)) in refused(proc)


def test_config_check_makes_no_data_dir(tmp_path: Path) -> None:
    """It made the data dir it was checking (with a typo in its path, a stray directory)."""
    data_dir = tmp_path / "not" / "there"
    env = {"WATCHFLOOR_DATA_DIR": str(data_dir)}
    _, proc = run_on(tmp_path, "", "config", "check", env=env)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "not").exists()
    assert f"  data dir: {data_dir} (does not exist yet: made when first used)\n" in proc.stdout
    _, proc = run_on(tmp_path, "", "snapshot", "--json", env=env)
    assert proc.returncode == 0 and data_dir.is_dir(), proc.stderr  # made when first used
    _, proc = run_on(tmp_path, "", "config", "check", env=env)
    assert f"  data dir: {data_dir}\n" in proc.stdout
