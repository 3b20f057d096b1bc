"""The lab's decision logs: every simulated decision published to an MQTT broker as an
OPA decision-log event (the shape OPA posts and `watchfloor relay` republishes), so the
`mqtt` access backend can be tried end to end.

The simulator decides as policy/abac.rego's `abac/decision` does, so each event is the
one OPA logs for a query of that entrypoint: `path` "abac/decision", `result`
`{"allow": ..., "reason": ...}`, the reason naming the rules that denied (a bare boolean
result names none, and the dashboard could then only say "reason not logged").

Hooks only queue (bounded; overflow is counted, like OPA's own buffer limit); one task
publishes, reconnecting with backoff when the broker goes away. A broker that cannot be
reached is said (`warn`) once per outage, and at the end how many decisions were never
published, as `watchfloor relay` says what it refused while the broker was down (with the
broker down all along, the lab printed its start line and nothing else, exit 0; now
`watchfloor lab` exits 1 when nothing was published). aiomqtt is imported when the
publisher starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

from backends.access_events import event_doc
from backends.error_text import describe_error
from backends.lab import Publisher
from backends.local.sim import Simulator
from backends.models import Decision
from backends.mqtt.release import connected

LABELS = {"app": "watchfloor-lab", "id": "lab", "version": "sim"}
PATH = "abac/decision"


def lab_event(decision: Decision) -> dict[str, Any]:
    """A simulated decision as OPA logs a query of `abac/decision`."""
    doc = event_doc(decision, LABELS)
    doc["path"] = PATH
    doc["result"] = {"allow": decision.allowed, "reason": decision.reason}
    return doc


class MqttDecisionPublisher(Publisher):
    name = "mqtt decision logs"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        topic: str = "watchfloor/decisions",
        qos: int = 0,
        max_pending: int = 50_000,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.host, self.port, self.topic, self.qos = host, port, topic, qos
        self.pending: deque[bytes] = deque()
        self.max_pending = max_pending
        self.made = 0  # decisions handed to it
        self.published = 0
        self.dropped = 0
        self.last_error = ""
        self.warn = warn or (lambda _: None)
        self._down = False  # said so for this outage
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}/{self.topic}"

    async def start(self, sim: Simulator) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="lab:mqtt")

    def on_decision(self, decision: Decision) -> None:
        self.made += 1
        if len(self.pending) >= self.max_pending:
            self.dropped += 1
            return
        self.pending.append(json.dumps(lab_event(decision)).encode())
        self._wake.set()

    async def _run(self) -> None:
        import aiomqtt

        delay = 0.2
        while True:
            try:
                async with connected(
                    aiomqtt.Client(
                        self.host, self.port, identifier=f"watchfloor-lab-{uuid.uuid4().hex[:8]}"
                    )
                ) as client:
                    delay = 0.2
                    self.last_error = ""
                    if self._down:
                        self._down = False
                        self.warn(f"{self.name}: the broker is back; sending what was queued")
                    while True:
                        while self.pending:
                            await client.publish(self.topic, self.pending[0], qos=self.qos)
                            self.pending.popleft()
                            self.published += 1
                        self._wake.clear()
                        await self._wake.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker away: keep queueing (bounded), retry
                self.last_error = describe_error(exc, f"{self.host}:{self.port}")
                if not self._down:
                    self._down = True
                    self.warn(
                        f"{self.name}: cannot reach the broker: {self.last_error}; decisions"
                        f" are queued (up to {self.max_pending:,}) and sent when it is back"
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        for _ in range(50):  # flush what is queued, briefly
            if not self.pending or task.done():
                break
            await asyncio.sleep(0.02)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    def trouble(self) -> str:
        """`0 decisions published, 1,234 refused while the broker was down (connection
        refused (127.0.0.1:1883))`; "" when every decision made was published."""
        unsent = len(self.pending) + self.dropped
        if not unsent:
            return ""
        why = f" ({self.last_error})" if self.last_error else ""
        return (
            f"{self.name}: {self.published:,} decisions published, {unsent:,} refused while"
            f" the broker was down{why}"
        )

    def delivered(self) -> bool:
        return self.published > 0 or self.made == 0
