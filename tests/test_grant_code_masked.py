"""The step-up code was shown in clear in the `g` form: a ctrl+s screenshot of the form, or
a shared screen, carried a code that works for the rest of its 30 s step. It is masked now,
as a password, and its label counts the digits typed (a TOTP code has 6) to check it by."""

from __future__ import annotations

import html
import re

from textual.widgets import Input, Label

from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.screens.grant import GrantScreen

CODE = "042917"


def drawn(field: Input) -> str:
    return "".join(s.text for strip in field.render_lines(field.region.reset_offset) for s in strip)


def screenshot_text(app: WatchfloorApp) -> str:
    """The text a ctrl+s screenshot (an SVG) shows: its tags and style sheet left out."""
    svg = re.sub(r"<style>.*?</style>", "", app.export_screenshot(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", "", svg))


async def test_the_step_up_code_is_masked_and_its_digits_counted() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the form")
        form = app.screen
        for text in ("erin", "sre-oncall", "INC-77 fix the gateway"):
            await pilot.press(*text, "enter")
        await pilot.press("enter", *CODE[:4])  # keep 30m; four digits of the code
        code = form.query_one("#code", Input)
        await wait_for(pilot, lambda: code.value == CODE[:4], what="the digits")
        assert CODE[:4] not in drawn(code) and "••••" in drawn(code)
        svg = screenshot_text(app)  # what a ctrl+s screenshot of the form keeps
        assert CODE[:4] not in svg and "INC-77" in svg
        label = form.query_one("#code-label", Label)
        said = str(label.render())
        assert said.endswith("(6 digits from your authenticator) · 4 of 6 typed"), said
        await pilot.press(*CODE[4:])
        await wait_for(pilot, lambda: code.value == CODE, what="the code")
        assert str(label.render()).endswith("· 6 of 6 typed")
        assert CODE not in drawn(code) and CODE not in screenshot_text(app)
