"""What a pane footer, the alert strip and a failed dialog say when a backend is down:
the cause first and the host, in one short line, from the real errors each client library
raises against a port that hangs, a closed port and an HTTP 500 (tests/dead_servers.py).

Before, a Prometheus that hung showed "ConnectionError: HTTPConnectionPool(host=…, port=…):
Max retries exceeded with url: /api/v1/query?query=<the whole encoded query>…", the
"Read timed out" past the edge of the screen, and an OPA that hung a bare "TimeoutError".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from backends.github.options import GitHubOptions
from backends.github.source import GitHubRelease
from backends.kube.client import VirtualServices
from backends.kube.options import KubeOptions
from backends.models import HealthState, Snapshot
from backends.mqtt.options import MqttOptions
from backends.mqtt.source import MqttAccess
from backends.opa import OpaGrants, OpaOptions
from backends.polling import describe_error
from backends.prom.options import PromOptions
from backends.prom.source import PromLatency
from backends.prometheus_access import PromAccess, PromAccessOptions
from backends.registry import BackendContext
from tests.dead_servers import closing, failing, hanging, refusing
from tests.fake_github import FakeGitHub
from tests.github_helpers import TOKEN, github_sources
from tests.github_payloads import TRAIN
from tests.helpers import wait_for
from tui.app import WatchfloorApp

LIMIT_S = 0.5  # every backend's timeout here: the floor, so it never adapts away

DOWN: dict[str, tuple[Callable[[], AbstractContextManager[int]], str]] = {
    "hang": (hanging, f"read timed out after {LIMIT_S:g} s (127.0.0.1:{{port}})"),
    "refused": (refusing, "connection refused (127.0.0.1:{port})"),
    "500": (failing, "HTTP 500 from 127.0.0.1:{port}: oops"),
    # requests said "('Connection aborted.', RemoteDisconnected('Remote end closed
    # connection without response'))", httpx "server disconnected without sending a response"
    "closed": (closing, "connection closed without a response (127.0.0.1:{port})"),
    "cut short": (
        partial(closing, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"),
        "connection closed before the whole answer came (127.0.0.1:{port})",
    ),
    "not http": (
        partial(closing, b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
        "answered with something that is not HTTP (127.0.0.1:{port})",
    ),
}


def serve(kind: str) -> Iterator[tuple[int, str]]:
    start, said = DOWN[kind]
    with start() as port:
        yield port, said.format(port=port)


@pytest.fixture(params=list(DOWN))
def down(request: pytest.FixtureRequest) -> Iterator[tuple[int, str]]:
    """A backend down one way: its port, and what the screen should say about it."""
    yield from serve(request.param)


@pytest.fixture(params=["hang", "refused"])
def unreachable(request: pytest.FixtureRequest) -> Iterator[tuple[int, str]]:
    """Down with no HTTP answer at all."""
    yield from serve(request.param)


async def first(stream: AsyncIterator[Snapshot]) -> Snapshot:
    snap = await anext(stream)
    assert snap.health.state is HealthState.ERROR
    return snap


async def test_prometheus_down_says_why_and_where(down: tuple[int, str], tmp_path: Path) -> None:
    """prometheus-api-client (requests, urllib3): the latency pane's error."""
    port, said = down
    opts = PromOptions(url=f"http://127.0.0.1:{port}", timeout_s=LIMIT_S, histogram="classic")
    src = PromLatency(opts, BackendContext(data_dir=tmp_path, interval_s=60))
    snap = await first(src.watch())
    assert snap.health.last_error == said


async def test_opa_down_says_why_and_where(down: tuple[int, str], tmp_path: Path) -> None:
    """httpx, under the client policy's own cut: the grants pane's error."""
    port, said = down
    src = OpaGrants(
        OpaOptions(url=f"http://127.0.0.1:{port}", timeout_s=LIMIT_S),
        BackendContext(data_dir=tmp_path, interval_s=60),
    )
    try:
        snap = await first(src.watch())
    finally:
        await src.aclose()
    assert snap.health.last_error == said


def test_kube_down_says_why_and_where(unreachable: tuple[int, str]) -> None:
    """kubernetes (urllib3): what the faults pane and a failed HALT ALL say. (An answer
    of the API server's is a KubeError, with its status and message.)"""
    port, said = unreachable
    vs = VirtualServices(
        KubeOptions(api_url=f"http://127.0.0.1:{port}", token="t", request_timeout_s=LIMIT_S)
    )
    with pytest.raises(Exception) as caught:
        vs.list_managed()
    assert describe_error(caught.value) == said


async def test_github_down_says_why_and_where(unreachable: tuple[int, str], tmp_path: Path) -> None:
    """httpx, behind the GitHub client's own error: the release pane's error."""
    port, said = unreachable
    opts = GitHubOptions(
        base_url=f"http://127.0.0.1:{port}", owner="o", repo="r", timeout_s=LIMIT_S
    )
    src = GitHubRelease(opts, BackendContext(data_dir=tmp_path, interval_s=60))
    try:
        snap = await first(src.watch())
    finally:
        await src.aclose()
    assert (snap.health.last_error or "").startswith(f"{said}, in GET ")


async def test_github_errors_lead_with_the_cause_and_the_host(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They read "GitHubError: 401 Bad credentials (GET …)" and "RateLimited: GitHub rate
    limit: …": a class name first, and no host."""
    host = gh.base_url.removeprefix("http://")
    src = github_sources(gh, monkeypatch)
    try:
        gh.token = "ghp_rotatedElsewhere"
        snap = await src["release"].snapshot()
        assert snap.health.last_error == (
            f"HTTP 401 from {host}: Bad credentials, in GET actions/workflows/{TRAIN}/runs"
        )
        gh.token = TOKEN
        gh.throttle(429, 30)
        snap = await src["release"].snapshot()
        assert (snap.health.last_error or "").startswith("GitHub rate limit: retrying in 30s")
    finally:
        await src.aclose()


async def test_github_down_keeps_its_host_in_the_border_at_120_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "GitHubError: " in front pushed the host out: the border said "connection
    refused, in GET …" without saying where."""
    with refusing() as port:
        sources = github_sources(FakeGitHub(base_url=f"http://127.0.0.1:{port}"), monkeypatch)
        app = WatchfloorApp(sources)
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.pane("release")
            await wait_for(pilot, lambda: "✖" in str(pane.border_subtitle), what="the error")
            said = Text.from_markup(str(pane.border_subtitle)).plain
    assert said.startswith(f"✖ connection refused (127.0.0.1:{port}), in GET "), said


def _requests_error(port: int) -> BaseException:
    import requests

    try:
        requests.get(f"http://127.0.0.1:{port}/api/v1/query?query=sum%28rate%28x%29%29", timeout=1)
    except Exception as exc:
        return exc
    raise AssertionError("the request did not fail")


async def test_mqtt_down_says_why_and_where(tmp_path: Path) -> None:
    """It read "mqtt 127.0.0.1:1883: MqttError: [Errno 111] Connection refused; retry in
    1.2s": the cause last, past the edge of the Access pane at 80 columns."""
    with refusing() as port:
        options = MqttOptions(port=port, reconnect_min_s=5, reconnect_max_s=10)
        src = MqttAccess(options, BackendContext(data_dir=tmp_path, interval_s=0.1))
        src.start()
        try:
            for _ in range(100):
                if src.last_error is not None:
                    break
                await asyncio.sleep(0.05)
        finally:
            await src.aclose()
    said = src.last_error or ""
    assert said.startswith(f"connection refused (127.0.0.1:{port}); retry in "), said


def test_no_url_with_its_query_string_ever() -> None:
    """Not even for an error this module does not know: the query is cut."""
    with refusing() as port:
        exc: Any = _requests_error(port)
    assert "query=" in str(exc)  # what requests says, all of it
    assert describe_error(exc) == f"connection refused (127.0.0.1:{port})"
    unknown = RuntimeError("gave up on http://prom:9090/api/v1/query?query=sum%28rate%28x")
    assert describe_error(unknown) == "RuntimeError: gave up on http://prom:9090/api/v1/query?…"


def test_errors_of_our_own_keep_their_words() -> None:
    assert describe_error(ValueError("bad\nsecond line")) == "ValueError: bad"
    assert describe_error(KeyError()) == "KeyError"
    assert describe_error(TimeoutError()) == "no answer in time"
    assert describe_error(TimeoutError(), "127.0.0.1:8181") == "no answer in time (127.0.0.1:8181)"


def test_a_dropped_mqtt_link_says_connection_lost_without_pahos_code_128() -> None:
    from aiomqtt import MqttError

    from backends.mqtt.source import lost_words

    assert lost_words(MqttError("[code:128] Unspecified error")) == "connection lost"
    assert lost_words(None) == "connection lost"
    assert lost_words(MqttError("keepalive timeout")) == "connection lost: keepalive timeout"


METRICS = b"# TYPE up gauge\nup 1\n"  # what a /metrics port answers, to any path
WRONG_URL = {
    # OpenSSL's "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)" filled
    # the pane's line: the host, and what it meant, were cut off
    "https to plain HTTP": (
        "https",
        "TLS handshake failed (the server speaks plain HTTP?) (127.0.0.1:{port})",
    ),
    # "expecting value: line 1 column 1 (char 0)", and from prometheus-access
    # "JSONDecodeError: Expecting value: ..." without the host
    "a /metrics port": ("http", "not a Prometheus API answer (127.0.0.1:{port})"),
}


@pytest.mark.parametrize("case", sorted(WRONG_URL))
@pytest.mark.parametrize("backend", ["prometheus", "prometheus-access"])
async def test_a_url_that_is_not_prometheus_says_what_it_is(
    case: str, backend: str, tmp_path: Path
) -> None:
    scheme, said = WRONG_URL[case]
    with failing(200, METRICS) as port:
        url = f"{scheme}://127.0.0.1:{port}"
        ctx = BackendContext(data_dir=tmp_path, interval_s=60)
        src: PromLatency | PromAccess = (
            PromLatency(PromOptions(url=url, timeout_s=LIMIT_S, histogram="classic"), ctx)
            if backend == "prometheus"
            else PromAccess(PromAccessOptions(url=url, timeout_s=LIMIT_S), ctx)
        )
        try:
            snap = await first(src.watch())
        finally:
            await src.aclose()
    assert snap.health.last_error == said.format(port=port)
