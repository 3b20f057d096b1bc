"""Enter on a cut in the release pane: that run, whole. The table shows its status, when it
finished, how long it took, the stage it failed at and its artefacts as glyphs; here are
its stages one per line with their times, each artefact's verification in words, when it
started and finished (UTC), the run's address (to open or paste into a ticket) and its id.

Read-only: Esc closes. The App pushes the time and the run as the release snapshot lists it
once a second (see DetailsModal); a cut that drops out of the recent runs says so.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from backends.models import ReleaseRun, StageStatus
from tui.fmt import ago, duration
from tui.panes.release import STAGE_GLYPH, artefact_text
from tui.screens.details import DetailsModal, Lines, Rows, utc


class ReleaseDetailsScreen(DetailsModal[ReleaseRun]):
    BOX_TITLE = "Release cut"
    GONE_WHY = "no longer among the source's recent runs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="release-details.close", priority=True),
    ]

    def stages(self) -> Lines:
        """A stage a line (the dialog keeps the lines: details.safe_lines)."""
        run = self.item
        if not run.stages:
            return (Text("not known", "grey50"),)
        lines = []
        for st in run.stages:
            glyph, style = STAGE_GLYPH[st.status]
            text = Text(f"{glyph} {st.name}", style)
            elapsed = st.elapsed(self.now)
            if elapsed is not None:
                text.append(f"  {duration(elapsed)}", "grey62")
            if st.status in (StageStatus.SKIPPED, StageStatus.PENDING, StageStatus.FAILURE):
                text.append(f"  {st.status.value}", style)  # a glyph alone is easy to misread
            lines.append(text)
        return tuple(lines)

    def artefacts(self) -> Lines:
        if not self.item.artifacts:
            return (Text("not known", "grey50"),)
        return tuple(artefact_text(*item) for item in sorted(self.item.artifacts.items()))

    def rows(self) -> Rows:
        run = self.item
        glyph, style = STAGE_GLYPH[run.status]
        started = Text(utc(run.started_at))
        if self.listed:
            started.append(f"  {ago(self.now - run.started_at)} ago", "grey50")
        if run.finished_at is not None:
            finished = Text(utc(run.finished_at))
            finished.append(f"  run took {duration(run.finished_at - run.started_at)}", "grey62")
        else:
            finished = Text(f"not yet, running {duration(self.now - run.started_at)}", "yellow")
        rows: Rows = [
            ("version", Text(run.version, "bold")),
            ("status", Text(f"{glyph} {run.status.value}", style)),
            ("started", started),
            ("finished", finished),
            ("stages", self.stages()),
            ("artefacts", self.artefacts()),
        ]
        if run.url:
            rows.append(("run", run.url))
        rows.append(("id", run.id))
        return rows
