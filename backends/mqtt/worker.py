"""Ingest in a child process, so thousands of decisions a second never compete with the
dashboard's event loop (the `worker = "process"` option of the mqtt backend).

The child (`python -m backends.mqtt.worker`, options as JSON in argv) runs the inline
MqttAccess and writes one JSON line per interval: {"snapshot": AccessSnapshot}. On
stdin it takes {"recent": N} and answers {"recent": [Decision, ...]}. The parent side,
`MqttAccessProcess`, is the AccessSource the dashboard sees; it restarts a child that died.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from backends.models import AccessSnapshot, Decision, HealthState, SourceHealth
from backends.mqtt.options import MqttOptions
from backends.registry import BackendContext

LINE_LIMIT = 256 * 1024 * 1024


class MqttAccessProcess:
    name = "mqtt"

    def __init__(self, options: MqttOptions, ctx: BackendContext) -> None:
        self.options = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.last: AccessSnapshot | None = None
        self.connected = False
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._news = asyncio.Event()
        self._recent: asyncio.Queue[list[Decision]] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._error: str | None = None

    async def _ensure(self) -> asyncio.subprocess.Process:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        config = json.dumps(  # on stdin, not argv: the password stays out of `ps`
            {
                "options": self.options.model_dump(mode="json")
                | {"password": self._password(), "worker": "inline"},
                "interval_s": self.ctx.interval_s,
            }
        )
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "backends.mqtt.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            limit=LINE_LIMIT,
        )
        assert self._proc.stdin is not None
        self._proc.stdin.write(config.encode() + b"\n")
        await self._proc.stdin.drain()
        self._reader = asyncio.get_running_loop().create_task(self._read(self._proc))
        return self._proc

    def _password(self) -> str | None:
        pw = self.options.password
        return pw.get_secret_value() if pw is not None else None

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        while True:
            line = await proc.stdout.readline()
            if not line:
                self.connected = False
                self._error = f"mqtt ingest worker exited ({await proc.wait()})"
                self._news.set()
                return
            doc = json.loads(line)
            if "snapshot" in doc:
                self.last = AccessSnapshot.model_validate(doc["snapshot"])
                self.connected = self.last.health.answering  # OK, or subscribed and quiet
                self._news.set()
            elif "recent" in doc:
                self._recent.put_nowait([Decision.model_validate(d) for d in doc["recent"]])

    def _current(self) -> AccessSnapshot:
        now = self.clock.now()
        if self._error is not None:
            last_ok = self.last.health.last_ok_at if self.last else None
            health = SourceHealth(
                state=HealthState.ERROR, last_error=self._error, last_ok_at=last_ok
            )
            if self.last is None:
                return AccessSnapshot(observed_at=now, health=health, source=self.name)
            return self.last.model_copy(update={"health": health})
        if self.last is None:
            return AccessSnapshot(observed_at=now, health=SourceHealth(), source=self.name)
        return self.last

    async def watch(self) -> AsyncIterator[AccessSnapshot]:
        while True:
            try:
                await self._ensure()
                self._error = None
            except OSError as exc:
                self._error = f"cannot start the mqtt ingest worker: {exc}"
            yield self._current()
            self._news.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait(), timeout=max(2 * self.ctx.interval_s, 1))

    async def recent_decisions(self, limit: int = 1000) -> list[Decision]:
        async with self._lock:
            proc = await self._ensure()
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"recent": limit}).encode() + b"\n")
            await proc.stdin.drain()
            return await asyncio.wait_for(self._recent.get(), timeout=30)

    async def aclose(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            proc.terminate()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.wait(), timeout=5)
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader


async def _child() -> None:
    from pathlib import Path

    from backends.mqtt.source import MqttAccess

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    raw = json.loads(await reader.readline())
    options = MqttOptions.model_validate(raw["options"])
    ctx = BackendContext(data_dir=Path("."), interval_s=float(raw["interval_s"]))
    src = MqttAccess(options, ctx)
    src.start()
    out = sys.stdout.buffer

    def emit(doc: dict[str, Any]) -> None:
        out.write(json.dumps(doc, default=_default).encode() + b"\n")
        out.flush()

    async def commands() -> None:
        while line := await reader.readline():
            req = json.loads(line)
            recent = await src.recent_decisions(int(req.get("recent", 1000)))
            emit({"recent": [d.model_dump(mode="json") for d in recent]})
        os._exit(0)  # the parent went away

    task = loop.create_task(commands())
    try:
        while True:
            emit({"snapshot": src.snapshot().model_dump(mode="json")})
            await asyncio.sleep(ctx.interval_s)
    finally:
        task.cancel()
        await src.aclose()


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        asyncio.run(_child())
