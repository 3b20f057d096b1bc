"""OPA's Decision Log Service API, republished to MQTT (`watchfloor relay`).

OPA's decision_logs plugin POSTs batches to `<service url>/logs` (or its configured
resource): a gzip-compressed JSON array of events, `Content-Encoding: gzip`,
`Content-Type: application/json`. The relay answers 200 once every event of the batch
is published to the topic, one MQTT message per event, so every open dashboard sees it.
When the broker is unreachable it answers 503: OPA keeps the batch and retries later.
A body that is not a gzip JSON array gets 400 (OPA would retry it forever otherwise, so
it is counted and dropped). A minimal HTTP/1.1 server on asyncio streams: no framework.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

from backends.mqtt.release import connected

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 32 * 1024 * 1024  # compressed
MAX_INFLATED_BYTES = 256 * 1024 * 1024
REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    503: "Service Unavailable",
}


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class RelayStats:
    batches: int = 0
    events: int = 0
    rejected: int = 0  # batches answered 4xx
    unavailable: int = 0  # batches answered 503 (broker down)


def inflate(body: bytes, encoding: str) -> bytes:
    """The request body, gunzipped if so encoded, refusing decompression bombs."""
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise BadRequest(400, f"unsupported Content-Encoding {encoding!r}")
    d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(body, MAX_INFLATED_BYTES)
    except zlib.error as exc:
        raise BadRequest(400, f"bad gzip body: {exc}") from None
    if d.unconsumed_tail:
        raise BadRequest(413, "inflated body too large")
    return out


def split_events(body: bytes) -> list[bytes]:
    """One JSON document per event of the array, ready to publish."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequest(400, "body is not JSON") from None
    if not isinstance(doc, list):
        raise BadRequest(400, "body is not a JSON array of events")
    return [json.dumps(ev, separators=(",", ":")).encode() for ev in doc]


class MqttPublisher:
    """One long-lived aiomqtt connection, reopened on demand when it broke."""

    def __init__(self, host: str, port: int, topic: str, qos: int = 1) -> None:
        self.host, self.port, self.topic, self.qos = host, port, topic, qos
        self._client: Any = None
        self._open: contextlib.AsyncExitStack | None = None  # closes _client (release.connected)
        self._lock = asyncio.Lock()

    async def _connect(self) -> Any:
        import aiomqtt

        client = aiomqtt.Client(
            self.host, self.port, identifier=f"watchfloor-relay-{uuid.uuid4().hex[:8]}"
        )
        opened = contextlib.AsyncExitStack()  # `connected` releases it if it cannot connect
        await opened.enter_async_context(connected(client))
        self._open = opened
        return client

    async def publish_all(self, payloads: list[bytes]) -> None:
        """Publish every payload; raises ConnectionError when the broker is unreachable."""
        async with self._lock:
            for attempt in (1, 2):
                try:
                    if self._client is None:
                        self._client = await self._connect()
                    for p in payloads:
                        await self._client.publish(self.topic, p, qos=self.qos)
                    return
                except Exception as exc:
                    await self._drop()
                    if attempt == 2:
                        raise ConnectionError(f"mqtt {self.host}:{self.port}: {exc}") from exc

    async def _drop(self) -> None:
        self._client = None
        opened, self._open = self._open, None
        if opened is not None:
            with contextlib.suppress(Exception):
                await opened.aclose()

    async def aclose(self) -> None:
        async with self._lock:
            await self._drop()


class Relay:
    def __init__(self, publisher: MqttPublisher, *, path: str = "") -> None:
        self.publisher = publisher
        self.path = path  # "" accepts any path (OPA's `resource` may be anything)
        self.stats = RelayStats()
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._conn, host, port)
        sock = self._server.sockets[0].getsockname()
        return str(sock[0]), int(sock[1])

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        await self.publisher.aclose()

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                keep = await self._one(reader, writer)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEADER_BYTES:
            await _respond(writer, 413, "headers too large", keep=False)
            return False
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            await _respond(writer, 400, "bad request line", keep=False)
            return False
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        try:
            body = await _body(reader, headers)
        except BadRequest as exc:
            await _respond(writer, exc.status, str(exc), keep=False)
            return False
        path = target.split("?", 1)[0]
        if method == "GET" and path == "/health":
            await _respond(writer, 200, "ok", keep=keep)
            return keep
        if method != "POST":
            await _respond(writer, 405, "POST decision-log batches here", keep=keep)
            return keep
        if self.path and path != self.path:
            await _respond(writer, 404, f"decision logs go to {self.path}", keep=keep)
            return keep
        status, message = await self.handle_batch(body, headers.get("content-encoding", ""))
        await _respond(writer, status, message, keep=keep)
        return keep

    async def handle_batch(self, body: bytes, encoding: str) -> tuple[int, str]:
        try:
            events = split_events(inflate(body, encoding.strip().lower()))
        except BadRequest as exc:
            self.stats.rejected += 1
            return exc.status, str(exc)
        try:
            await self.publisher.publish_all(events)
        except ConnectionError as exc:
            self.stats.unavailable += 1
            return 503, str(exc)
        self.stats.batches += 1
        self.stats.events += len(events)
        return 200, ""


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        size = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            try:
                n = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest(400, "bad chunk size") from None
            if n == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                return b"".join(chunks)
            size += n
            if size > MAX_BODY_BYTES:
                raise BadRequest(413, "body too large")
            chunks.append(await reader.readexactly(n))
            await reader.readexactly(2)
    length = headers.get("content-length")
    if length is None:
        return b""
    try:
        n = int(length)
    except ValueError:
        raise BadRequest(400, "bad Content-Length") from None
    if n < 0 or n > MAX_BODY_BYTES:
        raise BadRequest(413, "body too large")
    return await reader.readexactly(n)


async def _respond(writer: asyncio.StreamWriter, status: int, message: str, *, keep: bool) -> None:
    body = (message + "\n").encode() if message else b""
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()


def gzip_batch(events: list[dict[str, Any]]) -> bytes:
    """A batch exactly as OPA posts it (for the lab, the tests and the benchmark)."""
    return gzip.compress(json.dumps(events).encode())
