"""The crash report, without local variables.

Textual prints an unhandled exception as a Rich traceback with every frame's locals
(`show_locals=True`, and no setting turns them off). A form's handler has in its locals
what was typed, the step-up code too, and a crash report gets pasted into bug reports and
chat. So the dashboard prints the same traceback without them: the code, the lines and
the exception say what went wrong; the values stay in the process that had them.
"""

from __future__ import annotations

from textual.app import App


class CrashReport(App[None]):
    """Mixed into WatchfloorApp: overrides App._fatal_error (textual 8), locals off."""

    def _fatal_error(self) -> None:
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()
