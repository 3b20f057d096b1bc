"""The `mqtt` backend: ABAC deny rates from OPA decision-log events on an MQTT topic."""
