"""The Prometheus backend's own options as a new user writes them: query templates with
PromQL's braces in them, and SLOs per route.

Before, `limit_query = 'max by (route) (my_limit{job="lab"})'` passed `config check` and
the Latency pane died at start ("failed to start: KeyError: 'job="lab"'": the templates
were str.format's), and `slo_ms = { "GET /serch" = 400.0 }` passed too, leaving both
routes on default_slo_ms.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.prom.options import PromOptions
from backends.prom.queries import build
from backends.prom.source import PromLatency
from backends.registry import BackendContext
from tests.config_cli import refused, run_on

PLAIN = 'max by (route) (watchfloor_adaptive_concurrency_limit{job="watchfloor-lab"})'
DEFAULT_LIMIT = build(PromOptions()).limit  # the preset's, written str.format's way


@pytest.mark.parametrize(
    "query",
    [
        PLAIN,
        'max by (route) (watchfloor_adaptive_concurrency_limit{job="a{"})',  # a single {
        'max(my_limit{path="/docs/{id}"})',  # a {name} inside a PromQL string
    ],
)
def test_plain_promql_is_sent_as_written(query: str, tmp_path: Path) -> None:
    opts = PromOptions(limit_query=query, inflight_query=query, blocked_query=query)
    q = build(opts)
    assert q.limit == q.inflight == q.blocked == query
    PromLatency(opts, BackendContext(data_dir=tmp_path, interval_s=60))  # starts


@pytest.mark.parametrize(
    "template",
    [
        # str.format's doubled braces (the presets, and configs written for them)
        "max by ({adaptive_label}) (watchfloor_adaptive_concurrency_limit"
        '{{{adaptive_label}=~"{routes}"}})',
        # the same with PromQL's braces as they are
        "max by ({adaptive_label}) (watchfloor_adaptive_concurrency_limit"
        '{{adaptive_label}=~"{routes}"})',
    ],
)
def test_placeholders_are_filled_either_way_braces_are_written(template: str) -> None:
    assert build(PromOptions(limit_query=template)).limit == DEFAULT_LIMIT
    assert DEFAULT_LIMIT == (
        'max by (route) (watchfloor_adaptive_concurrency_limit{route=~"GET /docs/:id|GET /search"})'
    )


def test_the_dashboard_starts_with_a_plain_promql_query(tmp_path: Path) -> None:
    """What the user ran: config check said ok, and the pane said "failed to start"."""
    body = f"[panes]\nlatency = \"prometheus\"\n[backends.prometheus]\nlimit_query = '{PLAIN}'\n"
    _, proc = run_on(tmp_path, body, "config", "check")
    assert proc.returncode == 0 and proc.stdout.startswith("ok:"), proc.stderr
    env = {"WATCHFLOOR_BACKENDS__PROMETHEUS__URL": "http://127.0.0.1:9"}
    _, proc = run_on(tmp_path, body, "snapshot", "--json", env=env)
    assert "failed to start" not in proc.stdout + proc.stderr
    assert "connection refused (127.0.0.1:9)" in proc.stdout + proc.stderr


def test_a_misspelt_placeholder_is_refused_naming_the_key_and_file(tmp_path: Path) -> None:
    """Left as it was, `{adaptive_lable}` is PromQL no Prometheus takes, at every poll."""
    body = (
        '[panes]\nlatency = "prometheus"\n[backends.prometheus]\n'
        "limit_query = 'max by (route) (my_limit{{adaptive_lable}=~\"{routes}\"})'\n"
    )
    cfg, proc = run_on(tmp_path, body, "config", "check")
    assert (
        f"{cfg}: backends.prometheus.limit_query: unknown placeholder {{adaptive_lable}}; "
        "the placeholders are {window}, {route_label}, {adaptive_label}, {routes}, {quantile}"
        in refused(proc)
    )


def test_a_route_not_in_routes_is_refused_naming_the_routes(tmp_path: Path) -> None:
    body = (
        '[panes]\nlatency = "prometheus"\n[backends.prometheus]\n'
        'slo_ms = { "GET /serch" = 400.0 }\n'
    )
    cfg, proc = run_on(tmp_path, body, "config", "check")
    assert (
        f"{cfg}: backends.prometheus.slo_ms: no route 'GET /serch' in routes; "
        "the routes are: 'GET /docs/:id', 'GET /search'" in refused(proc)
    )


def test_an_slo_for_one_route_keeps_the_others() -> None:
    """It replaced the whole table: /docs fell from its 250 ms to default_slo_ms."""
    opts = PromOptions(slo_ms={"GET /search": 500.0})
    assert opts.slo_for("GET /search") == 500.0
    assert opts.slo_for("GET /docs/:id") == 250.0
    mine = PromOptions(routes=("GET /a", "GET /search"), slo_ms={"GET /a": 100.0})
    assert mine.slo_for("GET /a") == 100.0 and mine.slo_for("GET /search") == 400.0
    assert mine.slo_ms == {"GET /a": 100.0, "GET /search": 400.0}
