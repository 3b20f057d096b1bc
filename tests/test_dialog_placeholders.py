"""No empty field in a dialog looks filled in. A dim `123456` in the step-up code field, or
`HALT` in the field where HALT must be typed, reads on a tired night as a value already
there.

The rule, for every Input of every dialog, opened with its keys like a user: its
placeholder is
- empty, or
- an example: it starts with "e.g. ", or
- the default the field opens with (shown only once it is cleared, where empty means that
  default: the fault window's abort status, start in and duration), or
- a description the field cannot hold: typed in, the field refuses it (its `restrict`,
  type or length), like "6 digits" in the digits-only code field.
Anything else could be a value, so it must not sit in an empty field.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.screen import ModalScreen, Screen
from textual.widgets import Input

import tui.screens
from backends.clock import FrozenClock
from backends.models import Actor, FaultRequest, FaultSpec
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for

# how a user opens each dialog (one after the other: `4` leaves the grants pane focused)
OPENERS = (
    ("g",),
    ("H",),
    ("f",),
    ("R",),
    ("4", "r"),
    ("4", "enter"),  # a grant's details
    ("2", "enter"),  # a fault window's details (one is scheduled first)
    ("2", "e"),  # end that window: why
    ("5", "enter"),  # a cut's details
    ("slash",),
    ("d",),
    ("p",),
    ("n",),
    ("t",),
    ("A",),  # every current alert
    ("question_mark",),
    ("ctrl+p",),  # the command palette
)


def dialog_classes() -> set[type[ModalScreen[object]]]:
    """Every dialog in tui/screens: the ModalScreens defined there that nothing extends."""
    found: set[type[ModalScreen[object]]] = set()
    for info in pkgutil.iter_modules(tui.screens.__path__, "tui.screens."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ModalScreen) and cls.__module__ == module.__name__:
                found.add(cls)
    return {cls for cls in found if not any(issubclass(o, cls) and o is not cls for o in found)}


def field_takes(field: Input, text: str) -> bool:
    """Would the field hold `text` if it were typed into it (empty)? Restores the value."""
    before = field.value
    field.value = ""
    field.replace(text, 0, 0)
    took = field.value == text
    field.value = before
    return took


def looks_typed(field: Input, opened_with: str) -> bool:
    hint = field.placeholder
    if not hint or hint.startswith("e.g. ") or hint == opened_with:
        return False
    return field_takes(field, hint)


async def test_no_placeholder_in_any_dialog_looks_like_a_value() -> None:
    app = local_app(FrozenClock(T0))
    opened: set[type[Screen[object]]] = set()
    wrong: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        spec = FaultSpec(target_host="docs-api", namespace="stage", abort_percent=5)
        drill = FaultRequest(spec=spec, reason="drill docs errors")
        await app.sources["faults"].schedule(drill, Actor(name="erin"))
        await app.refresh_now("faults")
        main = app.screen
        for keys in OPENERS:
            await pilot.press(*keys)
            await wait_for(pilot, lambda: app.screen is not main, what=f"{keys}'s dialog")
            dialog = app.screen
            await pilot.pause()
            opened.add(type(dialog))
            for field in dialog.query(Input):
                if looks_typed(field, field.value):
                    wrong.append(f"{type(dialog).__name__} #{field.id}: {field.placeholder!r}")
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is main, what=f"{keys}'s dialog to close")
    assert wrong == [], "\n".join(wrong)
    assert opened == dialog_classes()  # a new dialog needs its keys in OPENERS
