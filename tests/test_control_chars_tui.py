"""Escape sequences stored in a grant's reason (by an older version, or another tool) reached
the terminal from the dashboard: Rich and Textual drop BEL and CR but pass ESC on, so the
grant's details (Enter) moved the cursor up and erased a line (its role row was gone) and
the timeline's layout broke. They are shown now, `\\x1b[1A`, and never sent."""

from __future__ import annotations

import re

from textual.pilot import Pilot

from backends.models import Grant
from backends.wiring import Sources
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_control_chars import EVIL, stored_evil_grant
from tests.test_details_pilot import open_details, shown
from tests.test_read_only import toasts
from tests.test_timeline_history import open_timeline, rows
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane

SEEN = "INC-3 \\x1b[8mhidden\\x1b[0m \\x1b]0;pwned\\x07 \\x1b[1A\\x1b[2K spoof"
# what Textual itself never sends, and the stored reason did: conceal, a window title,
# cursor up, erase the line
WIDE = (320, 50)  # the grants pane shows the reason
DRIVING = ("\x1b[8m", "\x1b]0;pwned", "\x1b[1A", "\x1b[2K", "\x07")


def terminal_output(app: WatchfloorApp) -> str:
    """What the app would write to the terminal for the whole screen now (headless
    tests write nothing: this is the compositor's output, as `App._display` writes it)."""
    from textual._compositor import LayoutUpdate

    update = app.screen._compositor.render_update(full=True)
    assert isinstance(update, LayoutUpdate)
    return update.render_segments(app.console)


def visible(out: str) -> str:
    """The text the terminal shows of that output: Textual's own SGR and cursor moves out."""
    return re.sub(r"\x1b\[[0-9;]*[mH]", "", out)


async def stored_grant(sources: Sources) -> Grant:
    """dave's grant with the reason above, as a store written without these checks has it."""
    g = await stored_evil_grant(sources)
    await sources.ctx.audit.append(
        "root",
        "grant",
        "dave:sre-oncall",
        "request",
        record_id="r1",
        details={"reason": EVIL, "grant_id": g.id},
    )
    return g


async def show_grant(pilot: Pilot[None], app: WatchfloorApp, g: Grant) -> None:
    gl = app.query_one(GrantsPane).grant_list()
    await wait_for(pilot, lambda: g.id in [x.id for x in gl.grants], what="dave's grant")
    index = [x.id for x in gl.grants].index(g.id)
    await pilot.press("4", "home", *["down"] * index)


async def test_a_stored_escape_sequence_is_shown_in_the_pane_and_details_not_sent() -> None:
    sources = local_sources()
    g = await stored_grant(sources)
    app = WatchfloorApp(sources)
    async with app.run_test(size=WIDE) as pilot:
        await show_grant(pilot, app, g)
        row = "dave              sre-oncall    root      INC-3 \\x1b[8mhidden\\x1b[0m \\x1b]0;"
        await wait_for(pilot, lambda: row in visible(terminal_output(app)), what="its row")
        out = terminal_output(app)
        assert not [seq for seq in DRIVING if seq in out]
        details = await open_details(pilot, app)
        text = shown(details)
        assert f"reason {SEEN}" in text
        assert "role sre-oncall" in text  # its row is there, not erased by the one below
        out = terminal_output(app)
        assert not [seq for seq in DRIVING if seq in out]


async def test_the_timeline_shows_a_stored_escape_sequence_on_one_row() -> None:
    sources = local_sources()
    await stored_grant(sources)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_timeline(pilot, app, "from the audit trail")
        (row,) = [r for r in rows(screen) if "dave:sre-oncall" in r[2]]
        assert SEEN in row[2]
        await pilot.press("home")
        said = f"dave:sre-oncall requested (no outcome recorded): {SEEN[:40]}"
        await wait_for(pilot, lambda: said in visible(terminal_output(app)), what="the row")
        out = terminal_output(app)
        assert not [seq for seq in DRIVING if seq in out]


async def test_what_no_one_escaped_is_dropped_before_the_terminal() -> None:
    """A toast from the data is shown safe; a widget's own text with an escape in it
    (nothing escaped it) reaches the terminal without it (the line filter)."""
    from textual.widgets import Static

    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        app.notify(f"revoke refused: {EVIL}", title="Grant")
        await app.screen.mount(Static(f"raw {EVIL}", id="raw"))
        await wait_for(pilot, lambda: "raw INC-3" in visible(terminal_output(app)), what="text")
        out = terminal_output(app)
        assert not [seq for seq in DRIVING if seq in out]
        assert "raw INC-3 [8mhidden[0m ]0;pwned [1A[2K spoof" in visible(out)  # ESC dropped
        assert toasts(app) == [f"revoke refused: {SEEN}"]
