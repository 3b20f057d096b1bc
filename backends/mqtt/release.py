"""An aiomqtt client's socket, closed when its user is done with it, on every path out.

aiomqtt leaves the socket open, and its once-a-second `_misc_loop` task running, when a
connect is cancelled or times out waiting for CONNACK (aiomqtt #377): a hung or swamped
broker, or a source stopped while connecting. paho then closes the socket in `__del__`, at
whatever garbage collection finds the client (it is in a reference cycle with aiomqtt's
callbacks), and its close callback asks the event loop to cancel that task: after the loop
has closed, that is `RuntimeError: Event loop is closed` ("Exception ignored in
Client.__del__"). Each retry against a hung broker also kept one more socket open.

paho has no public call for this, so its own teardown (`_reset_sockets`, what `__del__`
calls) is called here, while the loop runs: it closes the socket, and aiomqtt's callback
removes the reader and cancels the task. Then paho's socket callbacks are dropped: a connect
still finishing in aiomqtt's executor thread cannot start the task again, and the socket it
leaves is closed at collection without calling into the loop.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

SOCKET_CALLBACKS = (
    "on_socket_open",
    "on_socket_close",
    "on_socket_register_write",
    "on_socket_unregister_write",
)


def release(client: Any) -> None:
    """Close what an aiomqtt client still holds. Safe to call more than once."""
    paho = getattr(client, "_client", None)
    reset = getattr(paho, "_reset_sockets", None)
    if reset is None:  # another aiomqtt or paho: left to them
        return
    with contextlib.suppress(Exception):
        reset()
    for callback in SOCKET_CALLBACKS:
        with contextlib.suppress(Exception):
            setattr(paho, callback, None)


@contextlib.asynccontextmanager
async def connected(client: Any) -> AsyncIterator[Any]:
    """`async with client`, then `release(client)` however it ended: connected and done,
    refused, timed out, or cancelled while connecting."""
    try:
        async with client:
            yield client
    finally:
        release(client)
