"""What `d` and the pane's top-denials line count, and the filter's keys, driven like a
user on the local simulation: before, `d` said "16 of 50 recent denials" (50 denials of
the last 15 s or so) under a pane that counts 60 s, top denials under "in 60s" came from
those same 50 and split one rule by its detail, and `env=prod` matched nothing, silently.
Then the top-denials line said "last 50 denials (11s)": still not the 60 s the header
counts. Now the source counts them over its window, by service and rule.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from textual.widgets import Input, Static

from backends.access_denials import denial_key
from backends.access_events import Event, event_from
from backends.access_window import DenyWindow
from backends.clock import FrozenClock
from backends.models import AccessSnapshot, HealthState, SourceHealth
from tests.access.events import opa_event
from tests.access.test_access_pilot import open_denials
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for

OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)


async def test_top_denials_count_the_window_and_d_says_which_denials_it_lists() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        snap = app.snapshots["access"]
        assert isinstance(snap, AccessSnapshot)
        # every denial of the window the header counts ("of 2,400 decisions in 60s"),
        # not only the last 50 (some 11 s of them): the top denials are those
        decisions = await app.sources["access"].recent_decisions(5000)
        since = snap.observed_at - timedelta(seconds=snap.window_s)
        window = [d for d in decisions if not d.allowed and d.timestamp > since]
        assert len(window) == snap.denied > 2 * len(snap.recent_denied)
        counted = Counter(denial_key(d.attrs.service, d.reason) for d in window)
        top = str(app.pane("access").query_one("#access-top").render())
        assert top.startswith("top denials in 60s: "), top
        shown = top.removeprefix("top denials in 60s: ").split(" · ")
        # what the width leaves out is counted: "+1 more" (test_access_top_fits.py)
        more = int(shown.pop()[1:].split()[0]) if shown[-1].startswith("+") else 0
        # by rule: "billing: data_residency", not one line per tenant and region
        assert shown == [f"{n}x {what}" for what, n in counted.most_common(len(shown))][:3]
        assert len(shown) + more == 3 and all(":" not in w.split(": ", 1)[1] for w in shown)
        recent = snap.recent_denied
        n, newest, oldest = len(recent), recent[0].timestamp, recent[-1].timestamp
        screen, _ = await open_denials(app, pilot)
        count = str(screen.query_one("#denials-count", Static).render())
        span = f"the last {n} denials, {oldest:%H:%M:%S}Z to {newest:%H:%M:%S}Z"
        assert count.startswith(span[0].upper() + span[1:]), count
        await pilot.press(*"tenant=acme")
        acme = [d for d in recent if "acme" in d.attrs.tenant]
        await wait_for(pilot, lambda: len(screen.shown()) == len(acme), what="filtered")
        count = str(screen.query_one("#denials-count", Static).render())
        assert count == f"{len(acme)} of {span}, match 'tenant=acme'"


def test_the_window_counts_every_denial_by_rule_and_forgets_those_it_leaves() -> None:
    """The MQTT source's window: 200 denials over 40 s all count (not the last 50), by
    service and rule; a decision of a second already out of the window does not; those
    of the first seconds leave as the window moves on."""
    w = DenyWindow(window_buckets=60)
    t0 = T0.timestamp()

    def denial(service: str, reason: str, at: float) -> Event:
        doc = opa_event(service=service, tenant="acme", allowed=False)
        doc["result"] = {"allow": False, "reason": reason}
        doc["timestamp"] = f"{datetime.fromtimestamp(at, UTC):%Y-%m-%dT%H:%M:%S.%fZ}"
        return event_from(doc)

    for i in range(200):
        at = t0 + i * 0.2  # 40 s of them
        why = "tenant_mismatch: acme asked for globex" if i % 4 else "data_residency: acme eu"
        w.add(denial("gateway" if i % 2 else "billing", why, at), at)
    snap = w.snapshot(T0 + timedelta(seconds=40), OK, source="mqtt")
    assert snap.top_denials == (
        ("gateway: tenant_mismatch", 100),
        ("billing: data_residency", 50),
        ("billing: tenant_mismatch", 50),
    )
    assert len(snap.recent_denied) == 50  # what `d` lists: the last 50
    w.add(denial("gateway", "late", t0 - 30), t0 + 40)  # 70 s old: out of the window
    later = w.snapshot(T0 + timedelta(seconds=70), OK, source="mqtt")  # t0 .. t0+10 gone
    assert later.top_denials is not None
    assert sum(n for _, n in later.top_denials) == 200 - 55
    assert "gateway: late" not in dict(later.top_denials)
    empty = w.snapshot(T0 + timedelta(seconds=200), OK, source="mqtt")
    assert empty.top_denials == ()


async def test_the_filter_takes_the_column_headings_and_names_a_key_it_lacks() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen, table = await open_denials(app, pilot)
        recent = screen.decisions
        prod = [d for d in recent if d.attrs.environment == "prod"]
        assert 0 < len(prod) < len(recent)
        await pilot.press(*"env=prod")  # the column is headed `env`
        await wait_for(pilot, lambda: table.row_count == len(prod), what="prod rows")
        count = str(screen.query_one("#denials-count", Static).render())
        assert count.startswith(f"{len(prod)} of ") and "no key" not in count
        screen.query_one(Input).value = ""
        await pilot.press(*"enviroment=prod")
        await wait_for(pilot, lambda: table.row_count == 0, what="no rows")
        count = str(screen.query_one("#denials-count", Static).render())
        assert "no key 'enviroment': did you mean environment?" in count, count
