"""The `kube` backend plugin. Importing this is cheap: the kubernetes client is imported
only when a source is built and first talks to the API server."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backends.kube.options import KubeOptions
from backends.registry import BackendContext, BackendPlugin


def _faults(options: BaseModel, ctx: BackendContext) -> Any:
    from backends.kube.faults import KubeFaults

    assert isinstance(options, KubeOptions)
    return KubeFaults(options, ctx)


plugin = BackendPlugin(
    name="kube",
    description="fault windows as Istio VirtualService fault injection, via the Kubernetes API",
    factories={"faults": _faults},
    options_model=KubeOptions,
    audits_itself=("faults",),  # FaultPolicy, then audited / removal_audited
)
