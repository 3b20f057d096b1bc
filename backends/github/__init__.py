"""The `github` backend: the release train from GitHub Actions (REST API, httpx, async)."""
