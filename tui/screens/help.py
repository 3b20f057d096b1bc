"""`?`: every key that works right now, and what the panes mean."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.footer import KeyFooter

ABOUT = (
    "Panes: Latency (p99.9 per route vs SLO and baseline, adaptive inflight limit), "
    "Faults (fault-injection windows), Access (ABAC deny rates), Break-glass grants "
    "(live countdowns), Release train (stages, artefacts, rollback rehearsal).\n"
    "Each pane's border shows its source's health; a failing source keeps its last data "
    "and shows how old it is. {palette} opens the command palette."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark", "dismiss", "Close", key_display="esc/q/?", id="help.close"
        ),
    ]

    def __init__(self, rows: list[tuple[str, str, str, str]], palette: str = "Ctrl+P") -> None:
        """rows: (section, key, what it does, binding id), grouped by section; `palette`:
        the key that opens the command palette, as [keys] has it (`app.palette`)."""
        super().__init__()
        self.rows = rows
        self.palette = palette

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        # Text, not str: a str is Rich markup, and "[keys]" (the config table the ids go
        # in) read as a style tag was gone; so would a key "[" or a description with one
        table.add_column(Text("id for [keys]"), style="grey50", no_wrap=True)
        section = ""
        for row_section, key, desc, bid in self.rows:
            if row_section != section:
                section = row_section
                table.add_row(Text(section, style="bold"), "", "", end_section=False)
            table.add_row(Text(f"  {key}"), Text(desc), Text(bid))
        with VerticalScroll(id="help-box"):
            yield Static(Text("Watchfloor keys", style="bold"))
            yield Static(table)
            about = ABOUT.format(palette=self.palette)
            yield Static(Text(about, style="grey70"), id="help-about")
        yield KeyFooter()  # its own keys, not the dashboard's (off while it is open)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
