"""Every binding id names one binding: the config's [keys] rebinds by id, so an id used
twice would move two keys at once (Enter on an access row and `d` once shared one)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import Counter

from textual.binding import Binding

import tui


def test_binding_ids_are_unique() -> None:
    ids: Counter[str] = Counter()
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or "BINDINGS" not in cls.__dict__:
                continue
            for b in cls.__dict__["BINDINGS"]:
                if isinstance(b, Binding) and b.id:
                    ids[b.id] += 1
    assert len(ids) > 40  # the walk found the app's, the panes' and the dialogs' bindings
    assert [i for i, n in ids.items() if n > 1] == []
