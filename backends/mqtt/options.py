"""Options of the `mqtt` backend ([backends.mqtt] in the config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from backends.option_types import Options


class MqttOptions(Options):
    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    topic: str = Field(default="watchfloor/decisions", min_length=1)
    qos: int = Field(default=0, ge=0, le=2)
    username: str = ""
    password: SecretStr | None = None
    client_id: str = ""  # empty: a random one per connection
    keepalive_s: int = Field(default=30, ge=5, le=3600)
    # Only count events of this policy path (e.g. "abac/allow"); empty: every event.
    path: str = ""
    queue_size: int = Field(default=20_000, ge=10, le=1_000_000)  # beyond: dropped, counted
    max_payload_bytes: int = Field(default=256 * 1024, ge=256, le=64 * 1024 * 1024)
    window_s: int = Field(default=60, ge=10, le=3600)  # one bucket per second
    recent_kept: int = Field(default=5000, ge=100, le=200_000)  # for the policy dry-run
    reconnect_min_s: float = Field(default=0.5, gt=0, le=60)
    # low on purpose: one connection per dashboard, and a broker back up is seen within
    # two refresh intervals; raise it for hundreds of dashboards on one broker
    reconnect_max_s: float = Field(default=1.0, gt=0, le=600)
    # OPA drops events on its side (a decision_logs drop_decision policy, a full
    # buffer): the counts are a sample, and the pane says so.
    source_drops: bool = False
    # Keep the broker session across reconnects (needs a fixed client_id): with qos >= 1
    # the broker holds what arrives while the dashboard is away and delivers it on return.
    persistent_session: bool = False
    # "process": receive and count in a child process, so a busy topic never slows the
    # dashboard's keys and repaints; "inline": in the dashboard's own event loop.
    worker: Literal["process", "inline"] = "process"

    @model_validator(mode="after")
    def _backoff_order(self) -> MqttOptions:
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s must be >= reconnect_min_s")
        if self.persistent_session and not self.client_id:
            raise ValueError("persistent_session needs a fixed client_id")
        return self
