"""`n`: the latest release's notes in a Markdown viewer, with its assets and digests.
Esc, `q` or `n` again closes it (the footer shows all three)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import MarkdownViewer

from backends.models import PublishedRelease
from tui.footer import KeyFooter


def size_text(n: int) -> str:
    size, unit = float(n), "B"
    for bigger in ("KiB", "MiB", "GiB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"


def notes_markdown(release: PublishedRelease) -> str:
    """The notes as published, then the assets the forge lists, with their digests."""
    head = f"# {release.name or release.tag}\n\n"
    if release.published_at is not None:
        head += f"*published {release.published_at:%Y-%m-%d %H:%M}Z*"
        head += f" · {release.url}\n\n" if release.url else "\n\n"
    body = release.notes.strip() or "*This release has no notes.*"
    lines = ["", "", "## Assets", ""]
    if release.assets:
        for a in release.assets:
            lines.append(f"- **{a.name}** ({size_text(a.size)})  ")
            lines.append(f"  `{a.digest}`" if a.digest else "  *no digest listed*")
    else:
        lines.append("*No assets are attached.*")
    return head + body + "\n".join(lines) + "\n"


class NotesScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    NotesScreen { align: center middle; }
    #notes-viewer {
        width: 90%; height: 90%;
        border: round $accent; background: $surface;
    }
    """
    # Any of the three closes it; the footer shows them as one key ("esc/q/n Close").
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,n", "close", "Close", key_display="esc/q/n", id="notes.close"),
    ]

    def __init__(self, release: PublishedRelease) -> None:
        super().__init__()
        self.release = release
        self.markdown = notes_markdown(release)

    def compose(self) -> ComposeResult:
        viewer = MarkdownViewer(self.markdown, show_table_of_contents=False, id="notes-viewer")
        viewer.border_title = f"Release notes · {self.release.tag}"
        yield viewer
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)
