"""baselines.json going bad while the dashboard runs (another process, a full disk, a hand
edit): the dashboard that checks it every few seconds said nothing, and `b` then replaced
it without a word, its other profiles' entries gone. Now it warns once (a toast and a
timeline note naming the file and the error), keeps the baseline in memory, leaves the
file as it is, and `b` moves the unreadable file aside before writing, and says so."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from tests.conftest import T0
from tests.helpers import SIZE, wait_for
from tests.test_baseline_restore import DOCS, SEARCH, STORE, feed, lat, messages, new_app, notes
from tui import baseline_follow

BAD = "{not json"


def write(path: Path, body: str) -> None:
    path.write_text(body, encoding="utf-8")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def said(lines: list[str]) -> list[str]:
    return [m for m in lines if STORE in m and "JSONDecodeError" in m]


async def test_a_baselines_file_gone_bad_is_said_once_and_not_overwritten_silently(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(baseline_follow, "CHECK_S", 0.2)
    store = data_dir / STORE
    app, src = new_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, src, lat(T0, 200.0, 320.0))
        await pilot.press("b")
        await wait_for(pilot, store.exists, what="the baseline kept")
        marked = {DOCS: 200.0, SEARCH: 320.0}
        assert app.baselines == marked

        await asyncio.to_thread(write, store, BAD)  # it goes bad while the dashboard runs
        await wait_for(pilot, lambda: bool(said(messages(app))), what="the warning")
        (toast,) = said(messages(app))
        assert str(store) in toast and "keeping GET /docs/:id 200 ms" in toast, toast
        assert len(said(notes(app))) == 1, notes(app)
        assert app.baselines == marked

        await asyncio.to_thread(write, store, BAD + "  ")  # still bad: not said again
        await pilot.pause(1.0)
        assert len(said(messages(app))) == 1 and len(said(notes(app))) == 1
        assert await asyncio.to_thread(read, store) == BAD + "  "  # left as it is
        assert app.baselines == marked

        await feed(pilot, app, src, lat(T0, 210.0, 330.0))
        await pilot.press("b")  # a new one: the bad file is moved aside, and that is said
        await pilot.pause()
        moved = [m for m in messages(app) if "moved to baselines.json.unreadable" in m]
        assert len(moved) == 1 and moved[0].startswith("p99.9 baseline: Baseline marked: ")
        assert any("moved to baselines.json.unreadable" in n for n in notes(app)), notes(app)
    aside = data_dir / f"{STORE}.unreadable"
    assert await asyncio.to_thread(read, aside) == BAD + "  "
    doc = json.loads(await asyncio.to_thread(read, store))
    (entry,) = doc["baselines"].values()
    assert entry["baseline"]["p999_ms"] == {DOCS: 210.0, SEARCH: 330.0}
