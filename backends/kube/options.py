"""Options of the `kube` backend ([backends.kube] in the config)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from backends.faults_core import DEFAULT_PROTECTED
from backends.option_types import Options


class KubeOptions(Options):
    # Where the API server is: a kubeconfig file and context (default: $KUBECONFIG or
    # ~/.kube/config and its current context), the pod's service account (in_cluster),
    # or a plain URL with a bearer token (api_url + token; tests, proxies).
    kubeconfig: str | None = None
    context: str | None = None
    in_cluster: bool = False
    api_url: str | None = None
    token: SecretStr | None = None
    verify_tls: bool = True
    ca_file: str | None = None
    istio_version: Literal["v1", "v1beta1"] = "v1"
    request_timeout_s: float = Field(default=5.0, gt=0, le=120)  # the adaptive timeout's ceiling
    conflict_retries: int = Field(default=5, ge=1, le=20)
    protected_namespaces: tuple[str, ...] = DEFAULT_PROTECTED
    max_window_minutes: int = Field(default=60, gt=0, le=4 * 60)
    max_fault_percent: float = Field(default=50.0, gt=0, le=50)
