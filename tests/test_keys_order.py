"""Remapped keys keep their place in the footer and in `?`: by binding id, not by key.
Textual moves a binding [keys] remaps to the end of its keys, so remapping the incident
keys (F, E, G, g, K) put them after Screenshot: at 120x36 the footer had no room left for
them, and `?` listed them last."""

from __future__ import annotations

from tests.helpers import local_sources, wait_for
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.screens.help import HelpScreen

INCIDENT = {
    "faults.schedule": "F",
    "faults.end": "E",
    "grants.grant": "G",
    "grants.revoke": "g",
    "alerts.ack": "K",
}


async def footer_and_help(keymap: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(the footer's descriptions, its keys, `?`'s binding ids), top to bottom."""
    app = WatchfloorApp(local_sources(), keymap=keymap)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        footer.render()
        drawn = footer.drawn
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert isinstance(app.screen, HelpScreen)
        ids = [bid for _, _, _, bid in app.screen.rows]
    return [d.description for d in drawn], [d.display for d in drawn], ids


async def test_remapped_incident_keys_keep_their_place() -> None:
    described, keys, ids = await footer_and_help(INCIDENT)
    default_described, _, default_ids = await footer_and_help({})
    assert described == default_described
    assert {"Fault window", "End window", "Revoke grant"} <= set(described), described
    assert {"F", "E", "g"} <= set(keys), keys
    assert ids == default_ids
    assert ids.index("alerts.ack") < ids.index("app.screenshot"), ids
