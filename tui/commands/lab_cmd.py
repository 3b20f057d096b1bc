"""`watchfloor lab --metrics-port N`: the local simulation in real time, served to real servers.

Each server is one publisher (backends.lab); one option adds one. Today: `--metrics-port`
(Prometheus metrics). A later publisher (say `--mqtt HOST:PORT` for decision logs) adds
an entry to PUBLISHERS and a module in backends/lab/, and nothing else here changes.

The simulation follows the fault windows of the configured data dir's local store
(backends.lab.faults), so a window scheduled in a dashboard on the same data dir changes
what the lab serves; the start-up lines say which data dir.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from backends.wiring import data_dir_for
from tui.commands.common import duration, load_config, port
from tui.commands.relay_cmd import host_port

# (option, argparse keyword arguments, builder: args -> publisher or None)
PublisherSpec = tuple[str, dict[str, Any], Callable[[argparse.Namespace], Any]]


def _metrics(args: argparse.Namespace) -> Any:
    if args.metrics_port is None:
        return None
    from backends.lab.metrics import MetricsPublisher

    return MetricsPublisher(args.metrics_port, host=args.host, style=args.metrics_style)


def _mqtt(args: argparse.Namespace) -> Any:
    if args.mqtt is None:
        return None
    from backends.lab.mqtt import MqttDecisionPublisher

    return MqttDecisionPublisher(*args.mqtt, warn=_warn)


PUBLISHERS: list[PublisherSpec] = [
    (
        "--metrics-port",
        {
            "type": port,
            "metavar": "N",
            "help": "serve Prometheus metrics on this port (0: any free port)",
        },
        _metrics,
    ),
    (
        "--mqtt",
        {
            "type": host_port,
            "metavar": "HOST:PORT",
            "help": "publish every decision to this MQTT broker as an OPA decision-log event"
            " (topic watchfloor/decisions)",
        },
        _mqtt,
    ),
]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "lab", help="run the local simulation in real time and serve it to real servers"
    )
    for option, kwargs, _ in PUBLISHERS:
        p.add_argument(option, **kwargs)
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (127.0.0.1)")
    p.add_argument(
        "--metrics-style",
        choices=("watchfloor", "envoy", "netflix"),
        default="watchfloor",
        help="adaptive-concurrency metric names to serve (default watchfloor)",
    )
    p.add_argument("--seed", type=int, default=35, help="simulation seed (35)")
    p.add_argument(
        "--for",
        dest="duration",
        type=duration,
        default=None,
        metavar="DURATION",
        help="stop after this long, e.g. 20s or 2h, at most 24h (default: until interrupted)",
    )
    p.set_defaults(handler=run)


def _warn(message: str) -> None:
    print(f"watchfloor: lab: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from backends.lab import Lab
    from backends.lab.faults import StoreFaults

    publishers = [p for _, _, build in PUBLISHERS if (p := build(args)) is not None]
    if not publishers:
        print(
            "watchfloor lab: nothing to serve; give --metrics-port N or --mqtt HOST:PORT",
            file=sys.stderr,
        )
        return 2
    faults = StoreFaults(data_dir_for(load_config(args)), warn=_warn)
    lab = Lab(publishers, seed=args.seed, faults=faults)

    async def main() -> None:
        task = asyncio.create_task(lab.run(duration_s=args.duration))
        ticked = asyncio.create_task(lab.ticked.wait())
        await asyncio.wait({task, ticked}, return_when=asyncio.FIRST_COMPLETED)
        ticked.cancel()
        if lab.ticked.is_set():  # every publisher started: say where they serve
            for pub in publishers:
                url = getattr(pub, "url", "")
                print(f"lab: {pub.name} {url}".rstrip(), flush=True)
            print(f"lab: following the {faults.describe()}", flush=True)
        await task

    try:
        asyncio.run(main())
    except OSError as exc:  # a runtime failure (exit 1): the port is taken, no such host
        if args.metrics_port is None:  # only the metrics server binds as it starts
            raise
        where = f"{args.host}:{args.metrics_port}"
        print(
            f"watchfloor: lab: --metrics-port {args.metrics_port}: cannot serve on {where}:"
            f" {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    for pub in publishers:  # what went wrong while it ran (a broker down all along)
        if said := pub.trouble():
            _warn(said)
    return 0 if all(pub.delivered() for pub in publishers) else 1
