"""The fake Kubernetes API server itself (tests/kube_fake.py): it stands in for the real
API server in the kube tests, so its semantics are checked here."""

from __future__ import annotations

import json
from typing import Any

from tests.kube_fake import TOKEN, FakeKube, virtual_service


def test_the_fake_api_server_follows_merge_patch_and_precondition_semantics(
    api: FakeKube,
) -> None:
    """The local server itself (it stands in for the real API server, so it must be right):
    merge-patch, 409 on a stale resourceVersion, 422 for what the CRD schema refuses."""
    import urllib.error
    import urllib.request

    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    rv = api.stored("stage", "docs-api")["metadata"]["resourceVersion"]  # type: ignore[index]
    url = f"{api.url}/apis/networking.istio.io/v1/namespaces/stage/virtualservices/docs-api"

    def patch(body: dict[str, Any]) -> int:
        req = urllib.request.Request(url, data=json.dumps(body).encode(), method="PATCH")
        req.add_header("Authorization", f"Bearer {TOKEN}")
        req.add_header("Content-Type", "application/merge-patch+json")
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert patch({"metadata": {"resourceVersion": rv, "labels": {"app": None}}}) == 200
    live = api.stored("stage", "docs-api")
    assert live is not None and "app" not in live["metadata"]["labels"]
    assert patch({"metadata": {"resourceVersion": rv}, "spec": {"gateways": ["x"]}}) == 409
    assert (
        patch({"spec": {"http": [{"fault": {"delay": {"fixedDelay": "1s", "percent": "x"}}}]}})
        == 422
    )
    assert api.stored("stage", "docs-api") == live
    api.rejected.clear()
