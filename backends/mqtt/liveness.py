"""Whether the MQTT broker still answers, before paho's keepalive gives up on it.

A broker that hangs (kill -STOP, a frozen VM) keeps the TCP connection open: nothing
arrives, and paho notices only when a keepalive ping goes unanswered for a whole keepalive
(30 s by default, after up to 30 s before it pings). Meanwhile the pane said `● ok` and,
once the link dropped, counted the data's age from then. So the broker is said not to
answer as soon as a ping of paho's (sent after a keepalive without traffic out) has gone
unanswered for PING_GRACE_S, about a keepalive before paho drops the link; and the data's
age counts from the last message received (or the subscription), not from when the
silence was noticed.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

PING_GRACE_S = 3.0  # a ping answered later than this: the broker is not answering
CONNECT_GRACE_S = 5.0  # connecting for longer than this with no answer: not answering


def ping_unanswered_s(client: Any) -> float:
    """How long paho's keepalive ping has waited for its answer (0: none outstanding).
    paho's own fields (`_ping_t`, on its monotonic clock): 0 if they are not there."""
    paho = getattr(client, "_client", None)
    sent = getattr(paho, "_ping_t", 0)
    if not isinstance(sent, int | float) or sent <= 0:
        return 0.0
    return max(0.0, time.monotonic() - sent)


def not_answering(client: Any) -> bool:
    """The broker has gone quiet: paho's keepalive ping is unanswered. A topic that is only
    quiet is not this (its broker answers the pings: `no data`, as before)."""
    return ping_unanswered_s(client) > PING_GRACE_S


def silent_words(heard: datetime, where: str) -> str:
    return f"the broker has not answered since {heard:%H:%M:%S}Z ({where})"


def connecting_words(since: datetime, now: datetime, where: str) -> str | None:
    """Connecting for a while with no answer (a hung broker accepts the TCP connection and
    never says CONNACK): said as down, not as `no data` with no error."""
    waited = (now - since).total_seconds()
    if waited <= CONNECT_GRACE_S:
        return None
    return f"no answer from the broker in {waited:.0f}s of connecting ({where})"
