"""A third-party adapter, registered through the `watchfloor.backends` entry-point group and
written from backends/contracts.py alone, takes the same path as the built-ins.

Its `grant()` just returned a Grant: `g` said "Checked by policy, needs a step-up code, and
recorded in the audit trail before it applies", yet cluster-admin with code 000000 was
"Break-glass granted" and the audit trail stayed empty. `R` on its release source said
"failed: KeyError: 'rehearsal_workflow'. Nothing was started." of a rehearsal it had
started, unaudited. Now the core wraps a plugin's actions (backends/guarded.py) unless it
declares that it runs that path itself; the built-ins do, and are audited once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from backends.contracts import ActionRefused
from backends.models import Actor, AuditRecord, FaultGuards, FaultRequest, FaultSpec
from backends.wiring import Sources
from tests.grant_helpers import code_at, enroll
from tests.helpers import SIZE, local_sources, wait_for
from tests.thirdparty_plugin import NAME, installed
from tui.app import WatchfloorApp
from tui.screens.grant import GrantScreen
from tui.screens.rehearsal import RehearsalScreen

REASON = "INC-77 gateway on fire"


@pytest.fixture
def plugged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sources]:
    """Sources with the grants, release and faults panes on the third-party backend."""
    with installed(tmp_path / "site", monkeypatch):
        for pane in ("GRANTS", "RELEASE", "FAULTS"):
            monkeypatch.setenv(f"WATCHFLOOR_PANES__{pane}", NAME)
        monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.5")
        yield local_sources()


def said(screen: GrantScreen | RehearsalScreen, widget: str) -> str:
    return str(screen.query_one(widget, Static).render())


async def records(sources: Sources) -> list[AuditRecord]:
    return list(await sources["audit"].records(100))


def of(recs: list[AuditRecord], action: str, target: str = "") -> list[tuple[str, str]]:
    """Phase and outcome of each record of `action` (on `target`, if given)."""
    return [
        (r.phase, r.outcome)
        for r in recs
        if r.action == action and r.target == (target or r.target)
    ]


async def open_grant(pilot: Pilot[None], app: WatchfloorApp) -> GrantScreen:
    await pilot.press("g")
    await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the grant form")
    assert isinstance(app.screen, GrantScreen)
    return app.screen


async def send(pilot: Pilot[None], form: GrantScreen, role: str, code: str) -> None:
    """Fill the form as typed (30m kept) and press Enter in the code."""
    for field, text in (("subject", "erin"), ("role", role), ("reason", REASON), ("code", code)):
        form.query_one(f"#{field}", Input).value = text
    form.query_one("#code", Input).focus()
    await pilot.press("enter")


async def test_a_plugin_grant_needs_policy_and_a_valid_step_up_code(plugged: Sources) -> None:
    secret = await enroll(plugged, plugged.ctx.actor)
    app = WatchfloorApp(plugged)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_grant(pilot, app)
        hint = said(form, "#grant-checks")  # what applies to this plugin, said
        assert f"The {NAME} backend is a plugin: watchfloor checks a grant" in hint
        assert f"{plugged.ctx.actor} counts as oncall" in hint

        await send(pilot, form, "cluster-admin", "000000")  # the policy says no first
        await wait_for(pilot, lambda: "may not grant" in said(form, "#grant-error"), 5)
        good = code_at(secret, app.clock.now())
        wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
        await send(pilot, form, "db-reader", wrong)
        await wait_for(pilot, lambda: "wrong" in said(form, "#grant-error"), 5)
        assert app.screen is form
        assert plugged["grants"].grants == []  # the plugin was never asked

        await send(pilot, form, "db-reader", good)
        await wait_for(pilot, lambda: app.screen is not form, 5, what="the form to close")
        [g] = plugged["grants"].grants
        assert (g.subject, g.role) == ("erin", "db-reader")
        assert plugged["grants"].codes_seen == [""]  # verified (spent) here, not passed on


async def test_a_plugin_grant_writes_its_request_and_outcome(plugged: Sources) -> None:
    secret = await enroll(plugged, plugged.ctx.actor)
    app = WatchfloorApp(plugged)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_grant(pilot, app)
        await send(pilot, form, "sre-oncall", code_at(secret, app.clock.now()))
        await wait_for(pilot, lambda: app.screen is not form, 5, what="the form to close")
    recs = await records(plugged)
    assert of(recs, "grant") == [("request", ""), ("outcome", "applied")]
    request = next(r for r in recs if r.action == "grant")
    assert request.actor == plugged.ctx.actor and request.target == "erin:sre-oncall"
    assert request.details["backend"] == NAME and request.details["step_up"] == "verified"
    assert request.details["reason"] == REASON


async def test_with_the_audit_sink_failing_a_plugin_grant_applies_nothing(
    plugged: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = await enroll(plugged, plugged.ctx.actor)

    async def broken(*_: object, **__: object) -> AuditRecord:
        raise OSError("disk full")

    audit = plugged["audit"]
    monkeypatch.setattr(audit, "append", broken)
    app = WatchfloorApp(plugged)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_grant(pilot, app)
        await send(pilot, form, "sre-oncall", code_at(secret, app.clock.now()))
        await wait_for(pilot, lambda: "could not be written" in said(form, "#grant-error"), 5)
        assert "disk full" in said(form, "#grant-error") and app.screen is form
        assert plugged["grants"].grants == []
        monkeypatch.undo()  # the trail is back: the same code works (it was given back)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not form, 5, what="the form to close")
    assert len(plugged["grants"].grants) == 1
    assert of(await records(plugged), "grant") == [("request", ""), ("outcome", "applied")]


async def test_a_built_in_grant_is_audited_once() -> None:
    sources = local_sources()
    secret = await enroll(sources, sources.ctx.actor)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_grant(pilot, app)
        assert "Checked by policy, needs a step-up code" in said(form, "#grant-checks")
        await send(pilot, form, "sre-oncall", code_at(secret, app.clock.now()))
        await wait_for(pilot, lambda: app.screen is not form, 5, what="the form to close")
    erin = of(await records(sources), "grant", "erin:sre-oncall")  # not the demo grants
    assert erin == [("request", ""), ("outcome", "applied")]


async def test_a_plugin_rehearsal_that_raised_partway_may_have_started(plugged: Sources) -> None:
    app = WatchfloorApp(plugged)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "release" in app.snapshots, what="release data")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="dialog")
        screen = app.screen
        assert isinstance(screen, RehearsalScreen)
        await pilot.press(*"monthly rollback drill", "enter", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: "KeyError" in said(screen, "#rehearsal-error"), 5)
        text = said(screen, "#rehearsal-error")
        assert text.startswith("failed while it was being started: KeyError: 'rehearsal_workflow'")
        assert "The rehearsal may have started" in text and "Nothing was started" not in text
        assert "Enter sends again" not in text
        assert screen.query_one("#rehearsal-confirm", Input).value == ""  # ROLLBACK afresh
    assert plugged["release"].started == ["monthly rollback drill"]
    recs = await records(plugged)
    assert of(recs, "rollback-rehearsal") == [
        ("request", ""),
        ("outcome", "failed: KeyError: 'rehearsal_workflow'"),
    ]


async def test_plugin_faults_are_checked_and_audited(plugged: Sources) -> None:
    faults, me = plugged["faults"], Actor(name=plugged.ctx.actor)
    spec = FaultSpec(target_host="checkout", namespace="prod", delay_ms=800, delay_percent=10)
    req = FaultRequest(spec=spec, reason="game day: checkout latency", guards=FaultGuards())
    with pytest.raises(ActionRefused, match="'prod' is protected"):
        await faults.schedule(req, me)
    ok = req.model_copy(update={"spec": spec.model_copy(update={"namespace": "shop"})})
    with pytest.raises(ActionRefused, match="at most 1h"):
        await faults.schedule(ok.model_copy(update={"duration": timedelta(hours=3)}), me)
    assert faults.windows == []
    w = await faults.schedule(ok, me)
    assert [x.id for x in faults.windows] == [w.id]
    assert await faults.halt_all(me, "pager fired: checkout errors") == 1
    recs = await records(plugged)
    assert of(recs, "fault-schedule") == [("request", ""), ("outcome", "applied")]
    assert of(recs, "fault-halt-all") == [("request", ""), ("outcome", "applied")]
    assert next(r for r in recs if r.action == "fault-schedule").target == "shop/checkout"


async def test_a_plugin_revoke_is_audited(plugged: Sources) -> None:
    grants, me = plugged["grants"], Actor(name=plugged.ctx.actor)
    with pytest.raises(ActionRefused, match="needs a reason"):
        await grants.revoke("abc", me, "done")
    await grants.revoke("abc", me, "INC-77 mitigated, no longer needed")
    assert of(await records(plugged), "revoke") == [("request", ""), ("outcome", "applied")]
