"""The `mqtt` backend plugin. Importing it is cheap: aiomqtt is imported on connect."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backends.mqtt.options import MqttOptions
from backends.registry import BackendContext, BackendPlugin


def _access(options: BaseModel, ctx: BackendContext) -> Any:
    assert isinstance(options, MqttOptions)
    if options.worker == "process":
        from backends.mqtt.worker import MqttAccessProcess

        return MqttAccessProcess(options, ctx)
    from backends.mqtt.source import MqttAccess

    return MqttAccess(options, ctx)


plugin = BackendPlugin(
    name="mqtt",
    description="ABAC deny rates from OPA decision-log events on an MQTT topic",
    factories={"access": _access},
    options_model=MqttOptions,
)
