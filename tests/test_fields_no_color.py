"""Form fields stay visible without colour. With NO_COLOR (and in the ANSI theme of a
16-colour terminal) the one-line field under "type ROLLBACK to confirm" was a blank line
until the cursor landed there, and a placeholder ("e.g. sre-oncall") differed from a value
only by a grey level: now a bar marks every field and a placeholder is italic."""

from __future__ import annotations

import pytest
import textual.constants
from textual.geometry import Region

from backends.clock import FrozenClock
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tui.screens.field import Field
from tui.screens.grant import GrantScreen
from tui.screens.rehearsal import RehearsalScreen


def first_line(field: Field) -> list[tuple[str, bool]]:
    """The field's line as drawn: (text, italic) runs."""
    (line,) = field.render_lines(Region(0, 0, field.size.width, 1))
    return [(seg.text, bool(seg.style and seg.style.italic)) for seg in line if seg.text]


@pytest.mark.parametrize("terminal", ["NO_COLOR", "16 colours"])
async def test_an_empty_field_is_marked_and_a_placeholder_is_not_a_value(
    monkeypatch: pytest.MonkeyPatch, terminal: str
) -> None:
    if terminal == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="R")
        await pilot.pause()
        confirm = first_line(app.screen.query_one("#rehearsal-confirm", Field))
        assert confirm[0][0].startswith("▌"), confirm  # not a blank line
        reason = first_line(app.screen.query_one("#reason", Field))
        assert any("monthly rollback" in t and italic for t, italic in reason), reason
        await pilot.press("escape", "g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="g")
        await pilot.pause()
        role = first_line(app.screen.query_one("#role", Field))
        assert any("e.g. " in t and italic for t, italic in role), role  # a placeholder
        ttl = first_line(app.screen.query_one("#ttl", Field))
        assert ttl[0][0].startswith("▌") and not any(i for t, i in ttl if "30m" in t), ttl
