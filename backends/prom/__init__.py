"""The `prometheus` backend: the Latency pane from a real Prometheus (see plugin.py)."""
