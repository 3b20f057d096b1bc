"""`watchfloor relay --listen HOST:PORT --mqtt HOST:PORT`: OPA decision logs to MQTT.

Point OPA's decision_logs service at http://HOST:PORT; every batch it POSTs (a gzip
JSON array of events, to /logs) is republished to the topic, one message per event,
for every dashboard with `panes.access = "mqtt"`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
from typing import Any


class CannotServe(Exception):
    """--listen cannot be served: the port is taken, the address is not this host's."""


def _why(exc: OSError) -> str:
    """asyncio's "error while attempting to bind on address ('127.0.0.1', 8181): address
    already in use" says the address twice: the system's words for the errno."""
    if isinstance(exc, socket.gaierror) or not exc.errno or exc.errno < 0:
        return exc.strerror or str(exc)
    return os.strerror(exc.errno)


def host_port(text: str) -> tuple[str, int]:
    """argparse type: HOST:PORT (PORT 0 picks a free one for --listen)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return host.strip("[]"), int(port)


def register(sub: Any) -> None:
    p = sub.add_parser("relay", help="receive OPA decision logs over HTTP, publish to MQTT")
    p.add_argument(
        "--listen",
        type=host_port,
        required=True,
        metavar="HOST:PORT",
        help="where OPA's decision_logs service posts, e.g. 127.0.0.1:8181",
    )
    p.add_argument(
        "--mqtt", type=host_port, required=True, metavar="HOST:PORT", help="the MQTT broker"
    )
    p.add_argument(
        "--topic",
        default="watchfloor/decisions",
        help="publish to this topic (default watchfloor/decisions)",
    )
    p.add_argument("--qos", type=int, choices=(0, 1, 2), default=1, help="publish QoS (default 1)")
    p.add_argument(
        "--path",
        default="",
        help="only accept posts to this path, e.g. /logs (default: any path; OPA posts to"
        " /logs unless its service sets another resource)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from backends.relay import MqttPublisher, Relay

    async def main() -> None:
        mhost, mport = args.mqtt
        relay = Relay(MqttPublisher(mhost, mport, args.topic, args.qos), path=args.path)
        try:
            host, port = await relay.start(*args.listen)
        except OSError as exc:
            await relay.aclose()
            raise CannotServe(_why(exc)) from None
        paths = args.path or " (any path; OPA posts to /logs)"
        print(
            f"relay: http://{host}:{port}{paths} -> mqtt://{mhost}:{mport}/{args.topic}", flush=True
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await relay.aclose()
            s = relay.stats
            print(
                f"relay: {s.batches} batches, {s.events} events published,"
                f" {s.rejected} rejected, {s.unavailable} refused while the broker was down",
                file=sys.stderr,
            )

    try:
        asyncio.run(main())
    except CannotServe as exc:  # a runtime failure (exit 1): the port is taken, no such host
        host, port = args.listen
        print(
            f"watchfloor: relay: --listen {host}:{port}: cannot serve there: {exc}",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # anything else the system refused while running
        print(f"watchfloor: relay: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
