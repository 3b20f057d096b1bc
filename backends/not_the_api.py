"""An answer, but not the API's: `url` pointed at a /metrics port, or at some other server.

A 200 whose body is not JSON said "expecting value: line 1 column 1 (char 0)" in the pane;
now "not a Prometheus API answer (127.0.0.1:9464)" (error_text adds the host).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator


class NotTheApi(Exception):
    """The answer is not JSON, or not in the API's shape. Its text names the API."""


@contextlib.contextmanager
def expecting(api: str) -> Iterator[None]:
    """Reading an answer of `api` ("Prometheus"): one that is not JSON (json.loads and
    requests' .json() raise JSONDecodeError), or JSON without the fields read (KeyError,
    TypeError), is NotTheApi, "not a Prometheus API answer"."""
    try:
        yield
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise NotTheApi(f"not a {api} API answer") from exc
