"""An AccessSource fed by OPA decision-log events on an MQTT topic (aiomqtt 2.x).

One receiver task per source: connect, subscribe, count. aiomqtt's incoming queue is
bounded (`queue_size`); what does not fit is dropped by the queue itself and counted, so
the pane can say its rates come from a sample. Oversized and malformed messages are
counted and otherwise ignored. When the broker goes away the task reconnects with
exponential backoff and jitter and subscribes again; meanwhile `watch()` keeps yielding
the counts as they were when the link dropped (not drained by the clock) with health set
to error. Decisions are counted at their own timestamps, so the backlog a publisher sends
once the broker is back lands in the seconds it happened in. The delays come from the shared
`backends.resilience.backoff` (equal jitter, reconnect_min_s doubling to reconnect_max_s),
by way of backends/mqtt/reconnect.py.
Subscribed with nothing in the window (a quiet or misspelt topic, a dead publisher, a
`path` that matches no event), the health is NO_DATA and says since when nothing came on
which topic; events of another path are counted, with the paths they had.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from backends.access_events import MalformedEvent, parse_events
from backends.access_nodata import commonest, count_path, nothing_received
from backends.access_window import DenyWindow
from backends.models import AccessSnapshot, Decision, HealthState, SourceHealth
from backends.mqtt.liveness import connecting_words, not_answering, silent_words
from backends.mqtt.options import MqttOptions
from backends.mqtt.reconnect import backoff_delay as backoff_delay
from backends.mqtt.reconnect import lost_words as lost_words
from backends.mqtt.release import connected
from backends.polling import describe_error
from backends.registry import BackendContext

_GONE = object()  # put in the queue when the connection drops
DRAIN_BATCH = 64  # messages handled per wake-up before yielding to the event loop


class MqttAccess:
    name = "mqtt"

    def __init__(self, options: MqttOptions, ctx: BackendContext) -> None:
        self.options = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.window = DenyWindow(window_buckets=options.window_s, recent_kept=options.recent_kept)
        self.messages = 0  # payloads received (including bad ones)
        self.skipped = 0  # events of another policy path
        self.other_paths: dict[str, int] = {}  # the paths of those, by name (bounded)
        self.connects = 0
        self.connected = False
        self.last_error: str | None = None
        self._last_ok: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[Any] | None = None
        self._drops = 0  # counted by the queue, not yet booked in the window
        self._listening_since: datetime | None = None  # the first subscription
        self._last_counted_s: float | None = None  # when a decision last landed in the window
        self._client: Any = None  # the aiomqtt client while connected (its pings)
        self._heard: datetime | None = None  # the last message received, or the subscription
        self._connecting_since: datetime | None = None  # trying, not connected yet

    # --- the receiver ---------------------------------------------------------------------

    def _queue_type(self) -> type[asyncio.Queue[Any]]:
        src = self

        class DropCountingQueue(asyncio.Queue[Any]):
            """aiomqtt's incoming queue: bounded; a message that does not fit is counted."""

            def __init__(self, maxsize: int = 0) -> None:
                super().__init__(maxsize)
                src._queue = self

            def put_nowait(self, item: Any) -> None:
                if self.full():
                    src._drops += 1
                    return
                super().put_nowait(item)

        return DropCountingQueue

    def handle(self, payload: Any, now_s: float) -> None:
        """Count one MQTT payload: an event, a JSON array of events, or garbage."""
        self.messages += 1
        win = self.window
        if not isinstance(payload, bytes | bytearray | str):
            win.malformed += 1
            return
        if len(payload) > self.options.max_payload_bytes:
            win.oversized += 1
            return
        try:
            events, bad = parse_events(payload)
        except MalformedEvent:
            win.malformed += 1
            return
        win.malformed += bad
        path = self.options.path
        late, skewed = win.late_total, win.skewed
        counted = 0
        for ev in events:
            if path and ev.path != path:
                self.skipped += 1
                count_path(self.other_paths, ev.path)
                continue
            win.add(ev, now_s)
            counted += 1
        # some landed in the window (not all late, nor stamped in the future)
        if counted > win.late_total - late + win.skewed - skewed:
            self._last_counted_s = now_s

    async def _consume(self, client: Any) -> None:
        """Count what the queue holds until the connection drops. Reads the queue
        directly (aiomqtt's `messages` iterator costs a task per message)."""
        q = self._queue
        if q is None:
            raise RuntimeError("aiomqtt did not build the incoming queue")
        gone: asyncio.Future[None] = client._disconnected  # resolved when the link drops

        def wake(_: object) -> None:
            if not q.full():  # else the consumer is busy and sees `gone` after its batch
                asyncio.Queue.put_nowait(q, _GONE)

        gone.add_done_callback(wake)
        handle = self.handle
        while True:
            m = await q.get()
            now = self.clock.now()
            now_s = now.timestamp()
            if m is not _GONE:
                self._heard = now
            n = 0
            while m is not _GONE:
                handle(m.payload, now_s)
                n += 1
                if n >= DRAIN_BATCH:
                    break
                try:
                    m = q.get_nowait()
                except asyncio.QueueEmpty:
                    break
            if self._drops:
                drops, self._drops = self._drops, 0
                self.window.dropped(drops, now_s)
            if m is _GONE or (gone.done() and q.empty()):
                exc = None if gone.cancelled() else gone.exception()
                raise ConnectionError(lost_words(exc))
            if n >= DRAIN_BATCH:
                await asyncio.sleep(0)  # let keys and repaints through

    async def _run(self) -> None:
        import aiomqtt

        o = self.options
        attempt = 0
        while True:
            self._connecting_since = self.clock.now()
            try:
                async with connected(
                    aiomqtt.Client(
                        o.host,
                        o.port,
                        identifier=o.client_id or f"watchfloor-{uuid.uuid4().hex[:12]}",
                        username=o.username or None,
                        password=o.password.get_secret_value() if o.password else None,
                        keepalive=o.keepalive_s,
                        queue_type=self._queue_type(),
                        max_queued_incoming_messages=o.queue_size,
                        timeout=10,
                        clean_session=not o.persistent_session,
                    )
                ) as client:
                    await client.subscribe(o.topic, qos=o.qos)
                    self.connects += 1
                    if self._listening_since is None:
                        self._listening_since = self.clock.now()
                    self.connected = True
                    self.last_error = None
                    self._last_ok = self._heard = self.clock.now()
                    self._client, self._connecting_since = client, None
                    attempt = 0
                    await self._consume(client)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker's failure is the pane's data, not a crash
                was = self.connected
                self.connected, self._client, self._connecting_since = False, None, None
                if was:  # the data is as old as the last message received, not the drop
                    self._last_ok = self._heard or self.clock.now()
                delay = backoff_delay(attempt, o.reconnect_min_s, o.reconnect_max_s)
                attempt += 1
                # the cause first, as every source says it: "connection refused (host:port)"
                said = describe_error(exc, f"{o.host}:{o.port}")
                self.last_error = f"{said}; retry in {delay:.1f}s"
                await asyncio.sleep(delay)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"mqtt:{self.options.topic}"
            )

    # --- the contract ------------------------------------------------------------------------

    def snapshot(self) -> AccessSnapshot:
        now = self.clock.now()
        counts_at = None
        where = f"{self.options.host}:{self.options.port}"
        heard = self._heard or now
        connecting = (
            connecting_words(self._connecting_since, now, where)
            if self._connecting_since is not None and self.last_error is None
            else None
        )
        if self.connected and not_answering(self._client):
            health = SourceHealth(  # hung: down now, its data as old as its last message
                state=HealthState.ERROR,
                last_error=silent_words(heard, where),
                last_ok_at=heard,
                interval_s=self.ctx.interval_s,
            )
            counts_at = heard
        elif self.connected:
            self._last_ok = now
            health = SourceHealth(
                state=HealthState.OK, last_ok_at=now, interval_s=self.ctx.interval_s
            )
        elif connecting is not None:
            health = SourceHealth(
                state=HealthState.ERROR, last_error=connecting, interval_s=self.ctx.interval_s
            )
        elif self.last_error is not None:
            health = SourceHealth(
                state=HealthState.ERROR,
                last_error=self.last_error,
                last_ok_at=self._last_ok,
                interval_s=self.ctx.interval_s,
            )
            counts_at = self._last_ok  # nothing can arrive: the counts as they were then
        else:
            health = SourceHealth(state=HealthState.NO_DATA, interval_s=self.ctx.interval_s)
        snap = self.window.snapshot(
            now,
            health,
            source=self.name,
            source_samples=self.options.source_drops,
            counts_at=counts_at,
        )
        update: dict[str, Any] = {}
        if self.skipped:
            update |= {"other_path": self.skipped, "other_paths": commonest(self.other_paths)}
        if (
            health.state is HealthState.OK and snap.total == 0
        ):  # nothing to take a rate of: not a 0 % one
            last = self._last_counted_s
            update["health"] = health.model_copy(
                update={
                    "state": HealthState.NO_DATA,
                    "last_error": self.quiet_words(),
                    "last_data_at": None if last is None else datetime.fromtimestamp(last, UTC),
                }
            )
        return snap.model_copy(update=update) if update else snap

    def quiet_words(self) -> str:
        """`no decisions received on watchfloor/decisions since 20:31:02Z`: since the last
        one counted, or since the source began listening."""
        since = self._listening_since
        if self._last_counted_s is not None:
            since = datetime.fromtimestamp(self._last_counted_s, UTC)
        return nothing_received(self.options.topic, since, self.options.path)

    async def watch(self) -> AsyncIterator[AccessSnapshot]:
        self.start()
        while True:
            yield self.snapshot()
            await asyncio.sleep(self.ctx.interval_s)

    async def recent_decisions(self, limit: int = 1000) -> list[Decision]:
        return self.window.recent_decisions(limit, self.clock.now())

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
