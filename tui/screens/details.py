"""What the read-only details dialogs share (Enter on a grant or a fault window row): one
item's fields as label and value, long values wrapped rather than cut with "…", and the
dialog's own keys on the bottom line.

Attributes down: while the dialog is open the App pushes in, once a second, the time and
the item as the latest snapshot lists it (`update`); the dialog never calls a backend. Once
the snapshot no longer lists the item, a red line says so and the fields are dimmed, as
last seen, with no countdown running on as if they were current. The action keys (revoke,
end) call back into the App, which refuses them in read-only mode as everywhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.footer import KeyFooter
from tui.safe_text import safe, safe_text

ItemT = TypeVar("ItemT")
Lines = tuple[str | Text, ...]  # a value of several lines: each from the data, shown safe
Rows = list[tuple[str, str | Text | Lines]]
LABEL_W = 11
GONE = "no longer listed"


def utc(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z"


def safe_lines(lines: Lines) -> Text:
    """Each line shown safe (a newline in the data reads ⏎), the lines joined by the
    line breaks the screen meant."""
    return Text("\n").join(safe_text(v if isinstance(v, Text) else Text(v)) for v in lines)


class DetailsModal(ModalScreen[None], Generic[ItemT]):
    """Subclasses give the title, the rows and why an item stops being listed, and bind
    Esc (and their action key) with their own ids."""

    BOX_TITLE: ClassVar[str] = ""
    GONE_WHY: ClassVar[str] = ""  # why an item is no longer listed, e.g. "revoked elsewhere"
    DEFAULT_CSS = """
    DetailsModal { align: center middle; }
    DetailsModal #details-box {
        width: 80; height: auto; max-width: 100%; max-height: 100%;
        padding: 0 1; border: round $accent; background: $surface;
    }
    DetailsModal #details-status { height: auto; display: none; }
    DetailsModal.-gone #details-status { display: block; }
    DetailsModal.-gone #details-box { border: round $error; }
    """

    def __init__(self, item: ItemT, now: datetime) -> None:
        super().__init__()
        self.item = item  # as the snapshot last listed it
        self.now = now
        self.seen_at = now
        self.gone_at = now
        self.listed = True

    def rows(self) -> Rows:
        raise NotImplementedError

    def update(self, now: datetime, current: ItemT | None) -> None:
        """The time, and the item as the latest snapshot lists it (None: not listed)."""
        self.now = now
        if current is None and self.listed:
            self.gone_at = now  # when it was first seen gone
        self.listed = current is not None
        if current is not None:
            self.item, self.seen_at = current, now
        if self.is_mounted:
            self.set_class(not self.listed, "-gone")
            self.query_one("#details-status", Static).update(self.status())
            self.query_one("#details-body", Static).update(self.body())

    def gone_why(self) -> str:
        """Why the item is no longer listed (a grant past its expiry: it expired)."""
        return self.GONE_WHY

    def status(self) -> Text:
        return safe_text(
            Text(
                f"{GONE} ({self.gone_why()}): below is how it was at {self.seen_at:%H:%M:%S}Z,"
                " not how it is now",
                style="bold red",
            )
        )

    def body(self) -> Table:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style="bold", no_wrap=True, width=LABEL_W)
        grid.add_column(ratio=1, overflow="fold")  # words wrap; an unbroken id folds
        for label, value in self.rows():  # from the data: shown safe (tui/safe_text.py)
            grid.add_row(label, safe_lines(value) if isinstance(value, tuple) else safe(value))
        if not self.listed:
            grid.style = "dim"
        return grid

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details-box") as box:
            box.border_title = self.BOX_TITLE
            yield Static(self.status(), id="details-status")
            yield Static(self.body(), id="details-body")
        yield KeyFooter()  # its own keys, not the dashboard's (off while it is open)

    def on_mount(self) -> None:
        self.set_class(not self.listed, "-gone")

    def action_close(self) -> None:
        self.dismiss()
