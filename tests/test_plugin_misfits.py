"""A third-party adapter that breaks the contract breaks its own pane, never the
dashboard: it was a full-screen traceback and exit 1 (a dict yielded, the wrong snapshot
type, a plain generator, watch() raising at once, a snapshot built with model_construct
and a naive time). Now that pane says what is wrong and names the plugin (backend and
entry point), and the rest keeps running; one that held the event loop is a warning."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.config import load
from backends.models import AlertKind
from backends.wiring import build_sources
from tests import plugin_misfits
from tests.helpers import SIZE, wait_for
from tui.app import WatchfloorApp


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    plugin_misfits.installed(tmp_path, monkeypatch)
    yield tmp_path
    plugin_misfits.forget()


def app_on(site: Path, backend: str, options: str = "") -> WatchfloorApp:
    section = f"[backends.{backend}]\n{options}\n" if options else ""
    cfg = plugin_misfits.config(site, f'[panes]\nrelease = "{backend}"\n{section}')
    return WatchfloorApp(build_sources(load(cfg)))


def subtitle(app: WatchfloorApp, cap: str) -> str:
    return str(app.pane(cap).border_subtitle)


def stages_text(app: WatchfloorApp) -> str:
    return str(app.pane("release").query_one("#release-stages").render())


@pytest.mark.parametrize(
    ("backend", "options", "said"),
    [
        ("dicts", "", "✖ answered with bad data: yielded dict, expected ReleaseSnapshot"),
        ("dicts", "good = 2", "✖ answered with bad data: yielded dict, expected ReleaseSnapshot"),
        ("wrongkind", "", "yielded LatencySnapshot, expected ReleaseSnapshot"),
        ("syncgen", "", "✖ watch() must be an async generator"),
        ("raises", "", "✖ watch() raised RuntimeError: statuspage token not set"),
    ],
)
async def test_a_plugin_that_breaks_the_contract_is_its_panes_error(
    site: Path, backend: str, options: str, said: str
) -> None:
    app = app_on(site, backend, options)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "✖" in subtitle(app, "release"), what="the error")
        shown = subtitle(app, "release")
        assert said in shown, shown
        assert f"(plugin '{backend}', wf_misfits:{backend})" in shown
        down = [a for a in app.alert_strip.alerts if a.kind is AlertKind.SOURCE_DOWN]
        assert [a.key for a in down] == ["source:release"]
        assert "● ok" in subtitle(app, "latency")  # the rest keeps running
        await pilot.press("5")  # and answers keys: the broken pane takes the focus too
        await pilot.pause()
        focused = app.focused
        assert focused is not None and app.pane("release") in focused.ancestors_with_self
        assert app.is_running and app.return_code is None


async def test_good_data_then_a_dict_keeps_the_last_good_answer(site: Path) -> None:
    app = app_on(site, "dicts", "good = 2")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "✖" in subtitle(app, "release"), what="the error")
        assert "Failing now: answered with bad data: yielded dict" in stages_text(app)


@pytest.mark.parametrize("backend", ["naive", "constructed"])
async def test_a_naive_time_says_the_field_and_that_the_source_answered_with_bad_data(
    site: Path, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_on(site, backend)
    with caplog.at_level(logging.ERROR, logger="watchfloor.plugins"):
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "✖" in subtitle(app, "release"), what="the error")
            text = stages_text(app)
            assert text.startswith(
                "unknown: the source answered with bad data: "
                "ReleaseSnapshot observed_at: needs a timezone"
            ), text
            assert "ValidationError" not in text and "has not answered" not in text
            assert app.is_running and app.return_code is None
    assert "answered with bad data: ReleaseSnapshot observed_at: needs a timezone" in caplog.text


async def test_a_plugin_that_held_the_event_loop_is_a_warning_on_its_pane(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # it holds the loop 0.8 s once; the guard reports a step over 0.5 s (a generous margin
    # either way: a sleep is never shorter, and nothing else here holds it that long)
    app = app_on(site, "statuspage", "block_s = 0.8")
    with caplog.at_level(logging.WARNING, logger="watchfloor.plugins"):
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "⚠" in subtitle(app, "release"), what="the warning")
            shown = subtitle(app, "release")
            assert "⚠ statuspage blocked the dashboard for " in shown, shown
            assert "s: watch() must not block" in shown
            warned = [a for a in app.alert_strip.alerts if a.kind is AlertKind.SOURCE_WARNING]
            assert len(warned) == 1 and warned[0].severity == "warning"
            assert "release (statuspage): statuspage blocked the dashboard" in warned[0].message
    assert "plugin 'statuspage' (wf_misfits:statuspage)" in caplog.text
    assert "held the event loop" in caplog.text
