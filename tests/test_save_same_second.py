"""Two saves in the same second: the file name is the time to the second, and the second
save replaced the first (two dashboards on one data dir, both pressing `x`), while both
toasts named the same file. Now the second gets -2, and its toast names it."""

from __future__ import annotations

from pathlib import Path

from backends.clock import FrozenClock
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_read_only import toasts

STAMP = f"{T0:%Y%m%dT%H%M%SZ}"


def names(where: Path, pattern: str) -> set[str]:
    return {p.name for p in where.glob(pattern)}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


async def test_x_and_ctrl_s_twice_in_one_second_write_two_files_each(tmp_path: Path) -> None:
    app = local_app(FrozenClock(T0))  # the clock never leaves T0's second
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        for key in ("x", "x", "ctrl+s", "ctrl+s"):
            await pilot.press(key)
            await pilot.pause()
        saved = [t for t in toasts(app) if t.startswith("Saved ")]
    reports = [f"gameday-{STAMP}.md", f"gameday-{STAMP}-2.md"]
    shots = [f"watchfloor-{STAMP}.svg", f"watchfloor-{STAMP}-2.svg"]
    assert names(tmp_path, "gameday-*.md") == set(reports)
    assert names(tmp_path, "watchfloor-*.svg") == set(shots)
    assert saved == [f"Saved {n}\nin {tmp_path}" for n in reports + shots]
    exported = [e.text for e in app.timeline.events if e.text.startswith("game-day report")]
    assert set(exported) == {f"game-day report exported to {tmp_path / n}" for n in reports}
    assert all(read(tmp_path / n).startswith("# ") for n in reports)


async def test_another_dashboards_report_of_the_same_second_is_not_replaced(
    tmp_path: Path,
) -> None:
    theirs = tmp_path / f"gameday-{STAMP}.md"
    write(theirs, "the other dashboard's report\n")
    app = local_app(FrozenClock(T0))
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("x")
        await wait_for(pilot, lambda: any(t.startswith("Saved ") for t in toasts(app)), what="x")
        assert f"Saved gameday-{STAMP}-2.md\nin {tmp_path}" in toasts(app)
    assert read(theirs) == "the other dashboard's report\n"
    assert names(tmp_path, "gameday-*.md") == {theirs.name, f"gameday-{STAMP}-2.md"}
