"""`d`: the recent denied decisions, newest first, with a filter.

The filter (tui.screens.denials_filter) takes words: `key=value` matches a field by
substring (`tenant=acme`, the table's short headings too: `env=prod`), a bare word
matches anywhere; every word must match, and a key that is no field is said so. The App
pushes fresh denials in (`decisions`) while the screen is open; the count line says which
they are: the last 50 denials, from when to when (the pane's rows count a whole window,
of which these are the latest part).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import var
from textual.widgets import Input, Static

from backends.clock import utc_now
from backends.models import Decision, HealthState, SourceHealth
from backends.timeline_words import stamp
from tui.fmt import HEALTH_STYLE, duration
from tui.footer import KeyFooter
from tui.panes.access import denial_kind, last_denials, rule_names
from tui.panes.keyed_table import Column, KeyedTable
from tui.screens.denials_filter import matches, unknown_keys
from tui.screens.field import Field
from tui.screens.form import TypeAheadModal


def source_note(health: SourceHealth | None, newest: Decision | None, now: datetime) -> Text:
    """What the list's top line says while the access source is not answering: the
    newest row may be minutes old ("" while it answers: the list is live, or without
    `health`: not told).

        ✖ source down since 12:58:27Z · newest denial 1m12s old · connection refused (…)
    """
    state = health.effective_state(now) if health is not None else HealthState.OK
    if health is None or state is HealthState.OK:
        return Text()
    since, error = health.last_ok_at, health.last_error
    if state is HealthState.NO_DATA:  # what it says of it ("no decisions received on ...")
        head, error = error or "waiting for the source", None
    elif since is None:
        head = "source down: it has not answered yet"
    elif state is HealthState.STALE:
        head = f"no news from the source since {stamp(since, now.date())}"
    else:
        head = f"source down since {stamp(since, now.date())}"
    parts = [head]
    if newest is not None:
        parts.append(f"newest denial {duration(now - newest.timestamp)} old")
    if error:
        parts.append(error)
    glyph, style = HEALTH_STYLE[state]
    return Text(f"{glyph} " + " · ".join(parts), style=f"bold {style}")


class DenialsScreen(TypeAheadModal[None]):
    FIRST_FOCUS = "Input"
    DEFAULT_CSS = """
    DenialsScreen { align: center middle; }
    #denials-box {
        width: 95%; height: 90%;
        border: round $error; background: $surface; padding: 0 1;
    }
    #denials-box KeyedTable { height: 1fr; }
    #denials-count { color: $text-muted; }
    #denials-source { height: auto; display: none; }
    #denials-detail { height: auto; max-height: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="denials.close", priority=True),
    ]
    decisions: var[tuple[Decision, ...]] = var((), init=False, always_update=True)
    query_text: var[str] = var("", init=False)

    def __init__(
        self,
        decisions: tuple[Decision, ...],
        source: str = "",
        query: str = "",
        health: SourceHealth | None = None,
        now: datetime | None = None,
    ) -> None:
        """`query`: the filter to open with (Enter on an access row: `tenant=acme`),
        with a space after it, so a word typed next is one more term ("tenant=acme docs",
        not "tenant=acmedocs"); `health`: the access source's, at `now` (`show_source`)."""
        super().__init__()
        self._initial = decisions
        self._health = health
        self._now = now or utc_now()
        self._note: Text | None = None
        self._query = f"{query.strip()} " if query.strip() else ""
        self.source = source
        self._by_key: dict[str, Decision] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="denials-box") as box:
            box.border_title = "Recent denials" + (f" · {self.source}" if self.source else "")
            yield Static("", id="denials-source")  # while the source is down: since when
            yield Field(
                self._query,
                placeholder="e.g. tenant=acme service=docs restricted",
                select_on_focus=False,  # a filter opened with: what is typed adds to it
                id="denials-filter",
            )
            yield Static("", id="denials-count")
            yield KeyedTable(  # the rules first: at 80 columns they fit beside the time
                "time · decision",
                Column("why", max_width=32),
                "service",
                "tenant",
                "data_class",
                "region",
                "env",
                "role",
                Column("detail", max_width=400),  # the last column: as wide as the screen
                id="denials-table",
                zebra_stripes=True,
            )
            yield Static("", id="denials-detail")  # the row under the cursor, whole
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_text = self._query
        self.decisions = self._initial
        self.show_source(self._health, self._now)
        self.watch(self.query_one(KeyedTable), "cursor", self._show_detail, init=False)

    def show_source(self, health: SourceHealth | None, now: datetime) -> None:
        """The access source's health, pushed in by the App with the time, once a second."""
        self._health, self._now = health, now
        if not self.query("#denials-source"):  # not composed yet
            return
        note = source_note(health, self.decisions[0] if self.decisions else None, now)
        if note != self._note:  # while the source answers: no repaint
            self._note = note
            line = self.query_one("#denials-source", Static)
            line.display = bool(note)
            line.update(note)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(KeyedTable).focus()

    def character_typed(self) -> None:
        """A character typed while the table has the focus (a row was clicked, or Enter
        left the filter) is for the filter: it takes the focus, the cursor after its text,
        and the key goes there (tui/typed_characters.py). j k h l are letters here too."""
        field = self.query_one("#denials-filter", Field)
        if self.focused is self.query_one(KeyedTable):
            field.end_on_focus = True
            self.set_focus(field, scroll_visible=False)

    def watch_query_text(self, _: str) -> None:
        self._render_rows()

    def watch_decisions(self, _: tuple[Decision, ...]) -> None:
        self._render_rows()

    def shown(self) -> list[Decision]:
        return [d for d in self.decisions if matches(d, self.query_text)]

    def _render_rows(self) -> None:
        if not self.query(KeyedTable):  # not composed yet
            return
        shown = self.shown()
        rows: dict[str, tuple[str | Text, ...]] = {}
        self._by_key = {}
        today = self._now.date()
        for d in shown:
            # UTC, as the count says; with its date when not today's
            key = f"{stamp(d.timestamp, today)} {d.decision_id[:12]}"
            if key in rows:
                continue
            self._by_key[key] = d
            a = d.attrs
            why = denial_kind(d)
            rows[key] = (
                key,
                Text(rule_names(why), style="red"),
                a.service,
                a.tenant,
                a.data_class,
                a.region,
                a.environment,
                a.role,
                why,
            )
        with self.app.batch_update():
            self.query_one(KeyedTable).set_rows(rows)
            self.query_one("#denials-count", Static).update(self._count_text(len(shown)))
            self._show_detail()

    def _count_text(self, shown: int) -> Text:
        """How many rows of which denials: 'the last 50 denials, 16:58:02Z to 16:58:17Z'
        (the pane's rows count a whole window; these are fewer, and more recent)."""
        ds = self.decisions
        if not ds:
            span = "no recent denials"
        else:
            # by their own times (the list is newest first by arrival)
            today = self._now.date()
            newest = stamp(max(d.timestamp for d in ds), today)
            oldest = stamp(min(d.timestamp for d in ds), today)
            when = f"at {newest}" if newest == oldest else f"{oldest} to {newest}"
            span = f"the {last_denials(ds)}, {when}"
        query = self.query_text.strip()
        if not ds:
            return Text(span)
        if not query:
            hint = "type above to filter: key=value or any word"
            return Text(f"{span[0].upper()}{span[1:]} · {hint}")
        text = Text(f"{shown:,} of {span}, match {query!r}")
        for hint in unknown_keys(query):
            text.append(f" · {hint}", "bold yellow")
        return text

    def _show_detail(self, _: int | None = None) -> None:
        """Under the table, the whole of what the row under the cursor was denied for: a
        policy's reason runs to 190 characters, more than its column shows."""
        d = self._by_key.get(self.query_one(KeyedTable).selected_key or "")
        text = Text()
        if d is not None:
            text.append(f"{d.decision_id} ", "bold")
            text.append(f"{d.attrs.role} asked {d.path} for ")
            text.append(f"{d.request_tenant}/{d.request_data_class}: ")
            text.append(denial_kind(d), "red")
        self.query_one("#denials-detail", Static).update(text)
