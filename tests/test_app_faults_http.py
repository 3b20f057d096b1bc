"""Fault tests of the whole app (issue #8), HTTP side: the Release pane on the `github`
backend, reading a GitHub-shaped server through a proxy that answers 500s, then slow
replies (slower than the adapter's timeout), then garbage (not JSON), then JSON of the
wrong shape, with a healthy spell between each. The app stays up throughout; each time
the pane keeps its last data with its age and the error, the alert strip says so, and it
is back within two poll intervals of the server being healthy again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from backends.models import ReleaseSnapshot
from tests.fake_github import FakeGitHub, serve
from tests.flaky_proxy import FlakyProxy, Mode
from tests.github_payloads import OWNER, REPO, scenario
from tests.helpers import SIZE
from tests.test_app_faults import (
    TICK_S,
    Faulty,
    assert_app_up,
    assert_in_time,
    health_class,
    others_carry_on,
    recovery,
    shown,
    shown_age_s,
    source_alert,
    strip_text,
    subtitle,
    until,
    use,
)

TOKEN = "ghp_faultTestToken0000000000000000000000"
POLL_S = 1.0  # backends.github.poll_s: the release pane's refresh interval
TIMEOUT_S = 0.5  # backends.github.timeout_s
SLOW_S = 4 * TIMEOUT_S  # how long the proxy holds a request in "slow"

# What the subtitle (and the alert) should say for each fault.
EXPECTED: dict[Mode, str] = {
    "500": "HTTP 500 from 127.0.0.1:",  # the status and the host, then GitHub's message
    "slow": "read timed out after 0.5 s (127.0.0.1:",  # the cause, its limit and the host
    "garbage": "not JSON",
    "shape": "unexpected answer to GET",
}


@pytest.fixture
def proxy() -> Iterator[FlakyProxy]:
    with (
        serve(FakeGitHub(token=TOKEN, data=scenario(datetime.now(UTC)))) as gh,
        FlakyProxy(gh.base_url, slow_s=SLOW_S) as proxy,
    ):
        yield proxy


def release(snap: object) -> ReleaseSnapshot:
    assert isinstance(snap, ReleaseSnapshot), snap
    return snap


def github_app(proxy: FlakyProxy, monkeypatch: pytest.MonkeyPatch) -> Faulty:
    """The app with its release pane on GitHub, reached through the proxy."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return use(
        monkeypatch,
        PANES__RELEASE="github",
        BACKENDS__GITHUB__BASE_URL=proxy.url,
        BACKENDS__GITHUB__OWNER=OWNER,
        BACKENDS__GITHUB__REPO=REPO,
        BACKENDS__GITHUB__POLL_S=str(POLL_S),
        BACKENDS__GITHUB__TIMEOUT_S=str(TIMEOUT_S),
    )


@pytest.mark.slow
async def test_release_pane_rides_out_500s_slow_replies_and_garbage(
    proxy: FlakyProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = github_app(proxy, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: health_class(app, "release") == "ok", within=10, what="first data"
        )
        good = release(shown(app, "release"))
        assert good.source == "github" and good.current is not None and good.recent
        assert source_alert(app, "release") is None

        for mode, expected in EXPECTED.items():
            proxy.set_mode(mode)
            await until(
                pilot,
                lambda: health_class(app, "release") == "error",
                within=4 * POLL_S + SLOW_S,
                what=f"error state on {mode}",
            )
            assert proxy.count(mode) > 0  # the adapter really met the fault
            await until(  # the data's age ticks on in the subtitle
                pilot,
                lambda: (shown_age_s(app, "release") or 0) >= 1,
                within=3,
                what=f"an age on {mode}",
            )
            down = release(shown(app, "release"))
            last = release(app.last_good("release"))
            # the last data is kept, not blanked nor replaced by what the proxy sent
            assert (down.current, down.recent, down.release) == (
                last.current,
                last.recent,
                last.release,
            ), mode
            assert last.current == good.current and last.release == good.release
            assert expected in (down.health.last_error or ""), (mode, down.health)
            text = subtitle(app, "release")
            assert text.startswith("✖ ") and expected in text, text  # the cause first
            assert " · data " in text and text.endswith(" old · github"), text
            alert = source_alert(app, "release")
            assert alert is not None and expected in alert.message, (mode, alert)
            assert "release (github)" in strip_text(app)
            assert_app_up(app)
            await others_carry_on(pilot, app)

            proxy.set_mode("ok")
            data_s, shown_s = await recovery(pilot, app, "release", within=6 * POLL_S + SLOW_S)
            back = release(shown(app, "release"))
            assert back.current == good.current and back.release == good.release
            assert subtitle(app, "release").startswith("● ok · github")
            assert source_alert(app, "release") is None
            assert "release (github)" not in strip_text(app)
            assert_app_up(app)
            assert_in_time(f"release after {mode}", data_s, shown_s, POLL_S)


async def test_a_json_object_of_the_wrong_shape_keeps_the_last_data(
    proxy: FlakyProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = github_app(proxy, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: health_class(app, "release") == "ok", within=10, what="first data"
        )
        good = release(shown(app, "release"))
        assert good.current is not None
        proxy.shape_body = {"workflow_runs": "not a list", "message": "ok"}
        proxy.set_mode("shape")
        answered = proxy.count("shape")
        await until(  # one whole poll met the fault, and the next tick painted it
            pilot, lambda: proxy.count("shape") >= answered + 3, within=3 * POLL_S, what="polls"
        )
        await pilot.pause(TICK_S + 0.1)
        assert_app_up(app)
        assert release(shown(app, "release")).current == good.current  # not blanked
        assert health_class(app, "release") == "error"
