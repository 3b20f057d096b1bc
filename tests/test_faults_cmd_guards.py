"""`watchfloor faults schedule` checks what the `f` form checks: units, and guards.

Before: the command line took `--guard-route "GET /serch"` (or "get /search") and the
window ran its whole length though p99.9 was ten times its guard (the reconciler compares
routes exactly); it took a route with no guard, a guard p99.9 is over already, and
`--guard-error-rate 1` (100%: a guard that can never trip, where the form's "1" is 1%);
and `--duration 10` was a 10-second drill, where the form's "10" is 10 minutes. Nothing
it printed named the guards."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest

from backends.contracts import ActionRefused
from backends.models import FaultGuards, FaultRequest, FaultSpec, LatencySnapshot
from tests.conftest import watchfloor_cmd
from tests.helpers import local_sources
from tui.cli import parser
from tui.commands.fault_flags import guards_checked
from tui.fault_requests import BadFaultInput, fault_request

BASE = ["faults", "schedule", "--host", "search-api", "-n", "stage", "--delay", "800ms"]
REASON = ["--delay-percent", "30", "--reason", "game day guard drill"]


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--duration", "10"], "--duration: '10' needs a unit: 10m or 90s"),
        (["--start-in", "5"], "--start-in: '5' needs a unit: 5m or 90s"),
        (["--guard-error-rate", "1"], "--guard-error-rate: '1' is 100%"),
        (["--guard-error-rate", "100%"], "--guard-error-rate: '100%' is 100%"),
    ],
)
def test_what_the_form_reads_otherwise_is_a_usage_error(
    flags: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args([*BASE, *REASON, *flags])
    assert exit_.value.code == 2
    assert said in capsys.readouterr().err


def test_units_and_ratios_under_one_still_pass() -> None:
    args = parser().parse_args(
        [*BASE, *REASON, "--duration", "90s", "--start-in", "2m", "--guard-error-rate", "0.99"]
    )
    assert (args.duration, args.start_in, args.guard_error_rate) == (90.0, 120.0, 0.99)


def request(**guards: object) -> FaultRequest:
    spec = FaultSpec(target_host="search-api", namespace="stage", delay_ms=800, delay_percent=30)
    return FaultRequest(spec=spec, reason="game day guard drill", guards=FaultGuards(**guards))


async def latency_now() -> LatencySnapshot:
    snap = await local_sources()["latency"].snapshot()
    assert isinstance(snap, LatencySnapshot) and snap.routes
    return snap


async def test_a_guard_route_is_taken_as_the_latency_source_spells_it() -> None:
    latency = await latency_now()
    checked = guards_checked(request(p999_ms_above=60_000, route="get   /search"), latency)
    assert checked.guards.route == "GET /search"


@pytest.mark.parametrize(
    ("guards", "said"),
    [
        ({"p999_ms_above": 60_000, "route": "GET /serch"}, "--guard-route: 'GET /serch' is not"),
        ({"route": "GET /search"}, "--guard-route: it needs --guard-p999-ms or"),
        ({"p999_ms_above": 1}, "--guard-p999-ms: GET /"),
    ],
)
async def test_a_guard_that_could_never_or_would_at_once_end_it_is_refused(
    guards: dict[str, object], said: str
) -> None:
    latency = await latency_now()
    with pytest.raises(ActionRefused) as refused:
        guards_checked(request(**guards), latency)
    assert str(refused.value).startswith(said), refused.value


async def test_a_guard_over_now_is_fine_for_a_window_that_starts_later() -> None:
    latency = await latency_now()
    later = request(p999_ms_above=1).model_copy(update={"start_in": timedelta(minutes=5)})
    assert guards_checked(later, latency).guards.p999_ms_above == 1
    assert guards_checked(request(p999_ms_above=1), None).guards.route == ""  # not known


def test_the_form_refuses_a_guard_of_100_percent_errors() -> None:
    typed = {
        "host": "search-api",
        "namespace": "stage",
        "delay": "800ms",
        "delay_percent": "30",
        "reason": "game day guard drill",
        "guard_error_percent": "100",
    }
    with pytest.raises(BadFaultInput) as refused:
        fault_request(typed)
    assert refused.value.field == "guard_error_percent"
    assert "never end the window" in str(refused.value)
    assert fault_request({**typed, "guard_error_percent": "99"}).guards.error_rate_above == 0.99


def wf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_schedule_names_its_guards_and_a_mistyped_route_schedules_nothing() -> None:
    typo = wf(*BASE, *REASON, "--guard-p999-ms", "60000", "--guard-route", "GET /serch")
    assert typo.returncode == 1 and "--guard-route: 'GET /serch' is not a route" in typo.stderr
    ok = wf(*BASE, *REASON, "--guard-p999-ms", "60000", "--guard-route", "get /search")
    assert ok.returncode == 0, ok.stderr
    assert "  guards: p99.9 above 60000 ms on GET /search ends it early\n" in ok.stdout
    listed = wf("faults", "list", "--json")
    windows = json.loads(listed.stdout)["windows"]
    assert [w["guards"]["route"] for w in windows] == ["GET /search"]  # the typo: none
