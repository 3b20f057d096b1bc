"""A thin synchronous client for networking.istio.io VirtualServices (CustomObjectsApi).

The official kubernetes client is imported here, when the first client is built, never at
plugin import. Calls block: the adapter runs them in threads. An answer of the API
server's that is an error comes out as a KubeError (NotFound, Conflict) with its HTTP
status and the host that gave it, worded as backends.error_text words any HTTP error:
"HTTP 403 from 127.0.0.1:8181: forbidden" (it read "KubeError: HTTP 403: forbidden").

Reads (list, get) go through the shared ClientPolicy (backends.resilience): an adaptive
timeout within [0.5 s, request_timeout_s], and a transport error, a timeout or a
502/503/504 retried once within the retry budget. A bare 500 InternalError is not
retried: the API server uses it for failures a retry does not fix (a broken webhook or
conversion), as client-go does. Writes (create, replace, delete) are sent once with the
ceiling as their timeout; a 409 on them is the adapter's to handle, on a fresh read.
"""

from __future__ import annotations

import json
from typing import Any

from backends.error_text import host_of
from backends.fault_istio import MANAGED_SELECTOR
from backends.kube.options import KubeOptions
from backends.resilience import ClientPolicy
from backends.transport_errors import blocking_timeout, blocking_transport

GROUP = "networking.istio.io"
PLURAL = "virtualservices"
RETRY_STATUSES = frozenset({502, 503, 504})  # the API server's "try again" answers


class KubeError(Exception):
    """`status`: the API server's answer (0: none, a failure found here); `host`: the API
    server that gave it. Its text is the whole line: cause, host, what it said."""

    SAYS_WHAT = True  # its text says the cause and the host: no class name in front

    def __init__(self, status: int, message: str, host: str = "") -> None:
        said = (f"HTTP {status} from {host}" if host else f"HTTP {status}") if status else ""
        super().__init__(f"{said}: {message}" if said and message else said or message)
        self.status = status
        self.detail = message
        self.host = host


class NotFound(KubeError):
    pass


class Conflict(KubeError):
    pass


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, KubeError):
        return exc.status in RETRY_STATUSES
    return blocking_transport(exc)


def _configuration(opts: KubeOptions) -> Any:
    from kubernetes import client, config

    cfg = client.Configuration()
    if opts.api_url:
        cfg.host = opts.api_url.rstrip("/")
        if opts.token is not None:
            cfg.api_key = {"BearerToken": opts.token.get_secret_value()}
            cfg.api_key_prefix = {"BearerToken": "Bearer"}
    elif opts.in_cluster:
        config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
    else:
        config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=opts.kubeconfig, context=opts.context, client_configuration=cfg
        )
    cfg.verify_ssl = opts.verify_tls
    if opts.ca_file:
        cfg.ssl_ca_cert = opts.ca_file
    cfg.retries = 0  # the adapter decides what to retry (409 on a fresh read), not urllib3
    return cfg


class VirtualServices:
    def __init__(self, opts: KubeOptions, policy: ClientPolicy | None = None) -> None:
        from kubernetes import client

        self.version = opts.istio_version
        self.api_version = f"{GROUP}/{opts.istio_version}"
        self.policy = policy or ClientPolicy.for_backend(opts.request_timeout_s)
        cfg = _configuration(opts)
        self.host = host_of(cfg.host)  # 127.0.0.1:8181: named in every KubeError
        self._api = client.CustomObjectsApi(client.ApiClient(cfg))

    def _once(self, method: str, *args: Any, timeout: float, **kwargs: Any) -> Any:
        from kubernetes.client.exceptions import ApiException

        fn = getattr(self._api, method)
        try:
            return fn(GROUP, self.version, *args, _request_timeout=timeout, **kwargs)
        except ApiException as exc:
            status = int(exc.status or 0)
            message = _message(exc.body) or str(exc.reason or "")
            cls = {404: NotFound, 409: Conflict}.get(status, KubeError)
            raise cls(status, message, self.host) from exc

    def _read(self, method: str, *args: Any, **kwargs: Any) -> Any:
        def attempt(limit: float) -> Any:
            return self._once(method, *args, timeout=limit, **kwargs)

        return self.policy.call_sync(attempt, retryable=_retryable, is_timeout=blocking_timeout)

    def _write(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return self._once(method, *args, timeout=self.policy.write_timeout_s, **kwargs)

    def list_managed(self) -> list[dict[str, Any]]:
        """Every watchfloor-managed VirtualService in every namespace."""
        out = self._read("list_cluster_custom_object", PLURAL, label_selector=MANAGED_SELECTOR)
        return list(out.get("items") or [])

    def list_in(self, namespace: str) -> list[dict[str, Any]]:
        out = self._read("list_namespaced_custom_object", namespace, PLURAL)
        return list(out.get("items") or [])

    def get(self, namespace: str, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self._read("get_namespaced_custom_object", namespace, PLURAL, name)
        return out

    def create(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self._write(
            "create_namespaced_custom_object", namespace, PLURAL, body
        )
        return out

    def replace(self, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """PUT with the body's metadata.resourceVersion: a stale one is a 409 Conflict."""
        out: dict[str, Any] = self._write(
            "replace_namespaced_custom_object", namespace, PLURAL, name, body
        )
        return out

    def delete(self, namespace: str, name: str, resource_version: str) -> None:
        """DELETE with a resourceVersion precondition: a stale one is a 409 Conflict."""
        from kubernetes import client

        opts = client.V1DeleteOptions(
            preconditions=client.V1Preconditions(resource_version=resource_version)
        )
        self._write("delete_namespaced_custom_object", namespace, PLURAL, name, body=opts)


def _message(body: Any) -> str:
    if not body:
        return ""
    try:
        doc = json.loads(body)
    except (TypeError, ValueError):
        return str(body)[:200]
    return str(doc.get("message", "")) if isinstance(doc, dict) else str(doc)[:200]
