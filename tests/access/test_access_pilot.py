"""The access pane's keys driven like a user: `d` drill-down with a filter, `p` dry-run."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, Static

from backends.clock import FrozenClock
from backends.models import AccessSnapshot, Decision
from tests.access.test_replay import CANDIDATE
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.access import denial_kind, rule_names
from tui.panes.keyed_table import KeyedTable
from tui.screens.denials import DenialsScreen
from tui.screens.denials_filter import matches
from tui.screens.replay import ReplayScreen


def candidate_says(d: Decision) -> bool:
    """CANDIDATE, worked out in Python."""
    a = d.attrs
    return a.role == "admin" or (
        a.tenant == d.request_tenant
        and a.data_class == d.request_data_class
        and a.data_class != "restricted"
    )


async def open_denials(app: WatchfloorApp, pilot: Pilot[None]) -> tuple[DenialsScreen, KeyedTable]:
    """Press d; the drill-down once its table has rows."""
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DenialsScreen), what="denials")
    screen = app.screen
    assert isinstance(screen, DenialsScreen)
    table = screen.query_one(KeyedTable)
    await wait_for(pilot, lambda: table.row_count > 0, what="rows")
    return screen, table


def test_rule_names_leave_out_the_explanations() -> None:
    why = (
        "data_residency: acme restricted data is not homed in ap-south-1; "
        "environment_data_class: dev holds no restricted data; tenant_mismatch"
    )
    assert rule_names(why) == "data_residency, environment_data_class, tenant_mismatch"
    assert rule_names("acme asked for globex") == "acme asked for globex"


async def test_at_80_columns_each_denial_shows_why_beside_its_time() -> None:
    """The rules that denied it come right after the time; the full reason is the last
    column (it used to be the only one, last, out of sight at 80 columns)."""
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen, table = await open_denials(app, pilot)
        await pilot.pause()
        shown = {d.decision_id[:12]: d for d in screen.shown()}
        for y in range(1, min(table.row_count, table.size.height - 1)):
            line = table.render_line(y).text
            d = shown[line.split()[1]]
            assert rule_names(denial_kind(d))[:20] in line, line


async def test_the_row_under_the_cursor_shows_its_whole_reason_below_the_table() -> None:
    """A policy's reason runs to 190 characters; its column shows a part at 80 columns."""
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen, table = await open_denials(app, pilot)
        await pilot.press("tab", "down", "down")
        await pilot.pause()
        key = table.selected_key
        assert table.cursor == 2 and key is not None
        (d,) = [d for d in screen.shown() if d.decision_id.startswith(key.split()[1])]
        detail = str(screen.query_one("#denials-detail", Static).render())
        assert d.decision_id in detail and denial_kind(d) in " ".join(detail.split())


async def test_d_opens_recent_denials_and_filters_them() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        snap = app.snapshots["access"]
        assert isinstance(snap, AccessSnapshot) and snap.recent_denied
        _, table = await open_denials(app, pilot)
        assert table.row_count == len(snap.recent_denied)
        tenant = snap.recent_denied[0].attrs.tenant
        await pilot.press(*f"tenant={tenant}")
        want = [d for d in snap.recent_denied if d.attrs.tenant == tenant]
        await wait_for(pilot, lambda: table.row_count == len(want), what="filtered rows")
        col = [table.get_row_at(i)[3] for i in range(table.row_count)]
        assert set(col) == {tenant}
        assert len(want) < len(snap.recent_denied)  # the filter did remove something
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DenialsScreen)


def test_filter_words_all_have_to_match() -> None:
    from backends.access_events import decision_of, event_from
    from tests.access.events import opa_event

    ev = opa_event(service="docs-api", tenant="acme", request_tenant="globex", allowed=False)
    d = decision_of(event_from(ev), T0)
    assert matches(d, "tenant=acme service=docs")
    assert matches(d, "globex")  # the tenant it asked for: request_tenant
    assert not matches(d, "tenant=acme service=billing")
    assert not matches(d, "tenant=glob")


async def test_p_replays_recent_decisions_through_a_candidate(tmp_path: Path) -> None:
    cand = tmp_path / "candidate.rego"
    cand.write_text(CANDIDATE)
    broken = tmp_path / "broken.rego"
    broken.write_text("package abac\n\nallow if {\n")
    app = local_app(FrozenClock(T0))  # a frozen simulation: the same decisions throughout
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        screen.query_one("#replay-file", Input).value = str(tmp_path / "nope.rego")
        screen.query_one("#replay-file", Input).focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert "no such file" in str(screen.query_one("#replay-status").render())
        assert screen.report is None and not screen.running
        screen.query_one("#replay-file", Input).value = str(cand)
        screen.query_one("#replay-limit", Input).value = "1500"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.report is not None, what="the report", within=30)
        report = screen.report
        assert report is not None
        decisions = await app.sources["access"].recent_decisions(1500)
        assert report.replayed == len(decisions) == 1500
        expected: dict[tuple[str, str], list[int]] = {}
        for d in decisions:
            after = candidate_says(d)
            if after != d.allowed:
                c = expected.setdefault((d.attrs.service, d.attrs.tenant), [0, 0])
                c[0 if d.allowed else 1] += 1
        got = {(g.service, g.tenant): [g.allow_to_deny, g.deny_to_allow] for g in report.groups}
        assert got == expected and expected
        table = screen.query_one(KeyedTable)
        assert table.row_count == len(report.groups)
        assert screen.progress == (1500, 1500)
        status = str(screen.query_one("#replay-status").render())
        assert f"{report.allow_to_deny:,} allow→deny" in status
        # a candidate that does not parse: where, in one line, and no 100 % left from the run
        screen.query_one("#replay-file", Input).value = str(broken)
        await pilot.press("enter")
        await pilot.pause(0.2)
        status = str(screen.query_one("#replay-status").render())
        assert f"{broken}:3:10: this is unclosed" in status and "rego-errorseq" not in status
        assert screen.query_one(ProgressBar).percentage is None
        await pilot.press("escape")


async def test_enter_on_a_deny_rate_row_opens_the_denials_with_that_key() -> None:
    """3, down, Enter: the denials behind the second-worst key, its filter typed in and
    editable (before, Enter there did nothing)."""
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        rates = app.query_one("#access-table", KeyedTable)
        await pilot.press("3", "down")
        await pilot.pause()
        help_rows = {(desc, bid) for _, _, desc, bid in app._binding_rows()}
        assert ("Denials for this key", "access.key_denials") in help_rows  # in `?`, with its id
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DenialsScreen), what="denials")
        screen = app.screen
        assert isinstance(screen, DenialsScreen)
        key = rates.selected_key
        assert key is not None and rates.cursor == 1
        dimension, _, value = key.partition("=")
        snap = app.snapshots["access"]
        assert isinstance(snap, AccessSnapshot)
        want = [d for d in snap.recent_denied if value in getattr(d.attrs, dimension)]
        table = screen.query_one(KeyedTable)
        await wait_for(pilot, lambda: table.row_count == len(want) > 0, what="filtered rows")
        assert len(want) < len(snap.recent_denied)  # the filter did remove something
        assert screen.query_one(Input).value == f"{key} "  # a space: the next word adds
        count = str(screen.query_one("#denials-count", Static).render())
        assert f"match {key!r}" in count
        await pilot.press(*"zzz")  # typed words add to it, as a term of their own
        await wait_for(pilot, lambda: screen.query_text == f"{key} zzz", what="edited filter")
        await wait_for(pilot, lambda: table.row_count == 0, what="no rows")
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is rates  # back where Enter was pressed
