"""Numbers no form can take (nan, inf, 1e999, 99999999999999h) are refused in the form,
naming the field; nothing crashes, and a crash report never shows what was typed."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from backends.faults_core import HARD_MAX_PERCENT
from tests.helpers import SIZE, local_app, wait_for
from tui.fault_requests import DEFAULTS, FIELDS, BadFaultInput, fault_request
from tui.parse import percent
from tui.requests import BadInput, grant_request, parse_ttl
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen

GOOD = {
    **DEFAULTS,
    "host": "docs-api",
    "namespace": "stage",
    "abort_percent": "5",
    "reason": "game day: docs-api drill",
}


@pytest.mark.parametrize(
    "ttl", ["99999999999999h", pytest.param("9" * 400, id="400 digits"), "25h"]
)
def test_a_ttl_past_any_cap_is_refused_not_an_overflow(ttl: str) -> None:
    with pytest.raises(BadInput, match="TTL must be at most 24h"):
        parse_ttl(ttl)


def test_a_ttl_within_bounds_still_parses() -> None:
    req = grant_request("erin", "sre-oncall", "INC-77 fix it", "24h", "000000")
    assert req.ttl.total_seconds() == 24 * 3600


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("abort_status", "nan", "abort status must be between 200 and 599"),
        ("abort_status", "inf", "abort status must be between 200 and 599"),
        ("abort_status", "503.5", "abort status must be a whole number"),
        ("abort_percent", "nan", "abort % must be between 0 and 50"),
        ("delay_percent", "-inf", "delay % must be between 0 and 50"),
        ("guard_p999_ms", "inf", "guard p99.9 ms must be above 0 and at most 600000"),
        ("guard_error_percent", "nan", "guard errors % must be above 0 and at most 100"),
        pytest.param(  # and, as every problem is said at once, it has no delay %
            "delay",
            "99999999999999h",
            "delay must be at most 1m · a delay needs both a delay (e.g. 800ms) and a delay %"
            " above 0",
            id="delay",
        ),
        ("start_in", "99999999999999h", "start in must be at most 24h"),
        ("duration", "99999999999999h", "duration must be at most 1h"),
        pytest.param("duration", "9" * 400, "duration must be at most 1h", id="400 digits"),
    ],
)
def test_a_fault_field_out_of_range_is_named(field: str, typed: str, message: str) -> None:
    with pytest.raises(BadFaultInput) as refused:
        fault_request({**GOOD, field: typed})
    assert str(refused.value) == message


def test_the_good_fault_form_still_makes_a_request() -> None:
    req = fault_request(GOOD)
    assert req.spec.abort_status == 503 and req.spec.abort_percent == 5
    assert set(GOOD) <= set(FIELDS)


def error_of(screen: object, selector: str) -> str:
    """The refusal shown, without its hint that Enter now sends again."""
    shown = str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]
    return shown.removesuffix(" · Enter sends again")


async def type_in(pilot: Pilot[None], values: list[str | None]) -> None:
    """Each field in order (None keeps what is there); Enter moves on, then submits."""
    for text in values:
        keys = [] if text is None else ["home", "ctrl+k", *text]
        await pilot.press(*keys, "enter")


async def test_a_huge_ttl_is_refused_in_the_grant_form() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        form = app.screen
        await type_in(pilot, ["erin", "sre-oncall", "INC-77 fix it", "99999999999999h", "123"])
        await wait_for(pilot, lambda: "TTL" in error_of(form, "#grant-error"), what="error")
        assert error_of(form, "#grant-error") == "TTL must be at most 24h"
        assert app.screen is form and app.is_running  # no crash, still open
        assert form.query_one("#ttl", Input).value == "99999999999999h"  # kept as typed


async def test_a_nan_abort_status_is_refused_in_the_fault_form() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        form = app.screen
        typed = ["docs-api", "stage", None, None, "nan", "5", None, None, None, None, None]
        await type_in(pilot, [*typed, "game day: docs-api drill"])
        await wait_for(pilot, lambda: "abort" in error_of(form, "#fault-error"), what="error")
        assert error_of(form, "#fault-error") == "abort status must be between 200 and 599"
        assert app.screen is form and app.is_running
        assert form.query_one("#abort_status", Input).value == "nan"


async def test_a_crash_report_does_not_show_the_step_up_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(subject: str, role: str, reason: str, ttl: str, code: str) -> None:
        raise OverflowError("something nobody caught")

    monkeypatch.setattr("tui.screens.grant.grant_request", broken)
    app = local_app()
    with pytest.raises(OverflowError):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("g")
            await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="form")
            await type_in(pilot, ["erin", "sre-oncall", "INC-77 fix it", None, "314159"])
            await pilot.pause()
    report = capsys.readouterr().err  # Textual prints the report as it exits
    assert "OverflowError: something nobody caught" in report
    assert "314159" not in report


@pytest.mark.parametrize("typed", ["30", "30%", " 30 % ", "30 %", "30.0%"])
def test_a_percentage_may_end_in_a_percent_sign(typed: str) -> None:
    assert percent(typed, "delay %") == 30.0
    req = fault_request({**GOOD, "delay": "800ms", "delay_percent": typed, "abort_percent": typed})
    assert req.spec.delay_percent == 30.0 and req.spec.abort_percent == 30.0


@pytest.mark.parametrize("typed", ["259", "60", "50.5%"])
def test_a_fault_percentage_over_the_cap_is_told_the_cap_the_first_time(typed: str) -> None:
    """259 said "delay % must be between 0 and 100"; 60 then said "delay 60% is over the
    cap of 50%": two round trips to learn the cap. Both say it now."""
    with pytest.raises(BadFaultInput) as refused:
        fault_request({**GOOD, "delay": "800ms", "delay_percent": typed})
    assert str(refused.value) == f"delay % must be between 0 and {HARD_MAX_PERCENT:g}"
    assert refused.value.field == "delay_percent"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("nan%", "abort % must be between 0 and 50"),
        ("inf %", "abort % must be between 0 and 50"),
        ("150%", "abort % must be between 0 and 50"),
        ("-1%", "abort % must be between 0 and 50"),
        ("%", "abort %: '%' is not a number"),
        ("30%%", "abort %: '30%%' is not a number"),
        ("% 30", "abort %: '% 30' is not a number"),
    ],
)
def test_a_percentage_with_a_sign_is_still_checked(typed: str, message: str) -> None:
    with pytest.raises(BadFaultInput) as refused:
        fault_request({**GOOD, "abort_percent": typed})
    assert str(refused.value) == message
    assert refused.value.field == "abort_percent"


async def test_the_fault_form_takes_30_percent() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        typed = ["docs-api", "stage", "800ms", "30%", None, " 1 % ", None, None, None, None, None]
        await type_in(pilot, [*typed, "game day: docs-api drill"])
        await wait_for(pilot, lambda: not isinstance(app.screen, FaultWindowScreen), what="sent")
        (w,) = (await app.sources["faults"].snapshot()).windows
        assert (w.spec.delay_percent, w.spec.abort_percent) == (30.0, 1.0)
