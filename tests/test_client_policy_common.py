"""The scenarios every HTTP adapter's client policy is held to, against its local fake
server (the per-adapter files build a `Rig` and run them), plus the adapter-independent
checks: the Prometheus duration format and the MQTT reconnect delays.

Nothing here asserts wall time: the policy's counters and the requests the fake server
received are counted instead.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from backends.models import HealthState
from backends.mqtt.source import backoff_delay
from backends.prom.queries import prom_duration
from backends.resilience import ClientPolicy, backoff
from tests.prom_server import prom_accepts_duration

FLOOR_S = 0.5  # the house floor (backends.resilience.FLOOR_S)
CEILING_S = 2.0  # the timeout the rigs configure
SLOW_S = 0.8  # slower than the floor, well under the ceiling
FAILING_POLLS = 30


@dataclass
class Rig:
    """One adapter wired to its fake server."""

    policy: ClientPolicy
    poll: Callable[[], Awaitable[HealthState]]  # one poll; its health state
    received: Callable[[], int]  # requests the fake server has seen
    delay: Callable[[float], None]  # hold every reply this long (0: answer at once)
    fail_all: Callable[[], None]  # answer every request with a 5xx from now on
    heal: Callable[[], None]
    calls_per_poll: int = 1  # logical calls of one poll that fails


async def poll_calls(rig: Rig, calls: int) -> None:
    """Poll until the policy has seen `calls` more calls; every poll must be OK."""
    start = rig.policy.calls
    while rig.policy.calls - start < calls:
        assert await rig.poll() is HealthState.OK


async def adapts_up_then_down(rig: Rig) -> float:
    """(1) A slow backend: the timeout adapts upward within the ceiling and the poll
    succeeds instead of failing forever. (3) Fast again: the timeout comes back down."""
    p = rig.policy
    assert p.current_s == CEILING_S  # nothing learnt yet: what it was configured to wait
    await poll_calls(rig, 20)
    assert p.current_s == pytest.approx(FLOOR_S)  # a fast local server: down to the floor

    rig.delay(SLOW_S)
    timeouts = p.timeouts
    for _ in range(4):  # a poll or two may fail while it learns; not forever
        if await rig.poll() is HealthState.OK:
            break
    else:
        raise AssertionError(f"still failing with a {SLOW_S}s backend: {p.describe()}")
    up = p.current_s
    assert p.timeouts > timeouts  # it did hit the floor's timeout ...
    assert SLOW_S < up <= CEILING_S  # ... and now waits longer than the backend takes
    assert await rig.poll() is HealthState.OK  # and keeps succeeding

    rig.delay(0)
    await poll_calls(rig, 40)
    assert p.current_s == pytest.approx(FLOOR_S)  # back down: a fast backend, a short wait
    return up


async def retries_within_budget(rig: Rig, settle: float = 0.0) -> None:
    """(2) A backend answering 5xx: retried, but no more than the budget allows (about
    20% of calls plus the three any quiet client gets), each retry after a backoff."""
    p = rig.policy
    sent0, calls0, retries0 = rig.received(), p.calls, p.retries
    rig.fail_all()
    for _ in range(FAILING_POLLS):
        assert await rig.poll() is HealthState.ERROR
    if settle:
        await asyncio.sleep(settle)  # calls of a poll that failed early may still finish
    rig.heal()
    sent, calls, retries = rig.received() - sent0, p.calls - calls0, p.retries - retries0
    assert calls == FAILING_POLLS * rig.calls_per_poll
    # what the server saw: each call and the retries, but no more; with concurrent
    # queries (prometheus-access) an attempt can time out waiting for a pooled connection
    # and never reach the server, so it can see fewer
    assert calls < sent <= calls + retries
    if not settle:  # one query at a time: every attempt reaches the server
        assert sent == calls + retries
    assert retries > 0  # 5xx is worth another try ...
    assert sent <= calls * 1.2 + 3  # ... within the budget (one retry each would be 2x)
    assert p.backoff_s > 0  # ... after a backoff
    assert await rig.poll() is HealthState.OK  # and it recovers at once


# --- adapter-independent -----------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0.0004, 0.5, 0.8734, 1.0, 2.0, 3.25, 60.0])
def test_prometheus_is_sent_a_duration_it_parses(seconds: float) -> None:
    text = prom_duration(seconds)
    assert prom_accepts_duration(text)
    assert int(text.removesuffix("ms")) == max(1, round(seconds * 1000))
    assert not prom_accepts_duration(f"{seconds:g}s") or seconds == int(seconds)


def fixed(u: float) -> Callable[[], float]:
    """An rng that always draws `u`."""
    return lambda: u


def test_mqtt_reconnect_delays_are_the_shared_backoff() -> None:
    """The reconnect loop's delays are resilience.backoff with equal jitter."""
    for attempt in range(10):
        for u in (0.0, 0.3, 1.0):
            shared = backoff(attempt, base_s=0.5, cap_s=30.0, rng=fixed(u), jitter="equal")
            assert backoff_delay(attempt, 0.5, 30.0, fixed(u)) == shared
    rng = random.Random(3)
    delays = [backoff_delay(a, 0.5, 8.0, rng.random) for a in range(12) for _ in range(20)]
    assert min(delays) >= 0.25 and max(delays) <= 8.0  # never spins, never past the cap
