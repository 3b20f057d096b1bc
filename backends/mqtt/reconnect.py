"""The MQTT receiver's reconnect delay (the shared backoff, equal jitter) and the words
for a dropped link. Re-exported from backends.mqtt.source."""

from __future__ import annotations

import random
from collections.abc import Callable

from backends.resilience import backoff


def backoff_delay(
    attempt: int, lo: float, hi: float, rnd: Callable[[], float] = random.random
) -> float:
    """The reconnect delay: the shared `resilience.backoff` with "equal jitter" (half the
    step fixed, half random), so a broker that refuses at once is never spun on."""
    return backoff(attempt, base_s=lo, cap_s=hi, rng=rnd, jitter="equal")


def lost_words(exc: BaseException | None) -> str:
    """Why the link dropped. paho says "[code:128] Unspecified error" for a broker that
    went away (stopped, restarted, network gone): that says nothing, so it is left out."""
    said = str(exc or "").strip()
    if not said or "code:128]" in said:
        return "connection lost"
    return f"connection lost: {said}"
