"""Validate a VirtualService the way the API server would: the openAPIV3Schema Istio
publishes for the version (../shared/reference/istio-virtualservice-crd.yaml), its CEL
rules, unknown fields (which a structural schema would silently prune), and the object
metadata rules for names, labels and annotations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator, ValidationError, validators

# A verbatim copy of ../shared/reference/istio-virtualservice-crd.yaml (istio/api).
CRD = Path(__file__).resolve().parent / "data" / "istio-virtualservice-crd.yaml"

_GO_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")


def go_duration_ns(text: str) -> float:
    """CEL duration(): a Go duration string like 800ms, 1h30m, 0.5s."""
    if not text:
        raise ValueError("empty duration")
    total, rest = 0.0, text
    while rest:
        m = _GO_DURATION.match(rest)
        if not m:
            raise ValueError(f"not a duration: {text!r}")
        total += float(m.group(1)) * _UNIT_NS[m.group(2)]
        rest = rest[m.end() :]
    return total


def _cel(validator: Any, rules: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    for rule in rules:
        if rule["rule"] != "duration(self) >= duration('1ms')":
            yield ValidationError(f"CEL rule not understood by this test: {rule['rule']}")
            continue
        try:
            ok = go_duration_ns(instance) >= 1e6
        except ValueError:
            ok = False
        if not ok:
            yield ValidationError(f"{instance!r}: {rule['message']}")


def _properties(
    validator: Any, properties: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    yield from Draft7Validator.VALIDATORS["properties"](validator, properties, instance, schema)
    if not isinstance(instance, dict):
        return
    if schema.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in schema:
        return
    for key in instance:
        if key not in properties:
            yield ValidationError(f"unknown field {key!r} (the API server would prune it)")


StructuralValidator = validators.extend(
    Draft7Validator, {"x-kubernetes-validations": _cel, "properties": _properties}
)


@cache
def schema_for(version: str) -> dict[str, Any]:
    doc = yaml.safe_load(CRD.read_text())
    for v in doc["spec"]["versions"]:
        if v["name"] == version:
            schema: dict[str, Any] = v["schema"]["openAPIV3Schema"]
            return schema
    raise KeyError(version)


@cache
def validator_for(version: str) -> Any:
    return StructuralValidator(schema_for(version))


def problems(obj: dict[str, Any], version: str = "v1") -> list[str]:
    """Why the API server would refuse (or change) this VirtualService; empty if fine."""
    out = []
    if obj.get("apiVersion") != f"networking.istio.io/{version}":
        out.append(f"apiVersion {obj.get('apiVersion')!r}")
    if obj.get("kind") != "VirtualService":
        out.append(f"kind {obj.get('kind')!r}")
    unknown = set(obj) - {"apiVersion", "kind", "metadata", "spec", "status"}
    if unknown:
        out.append(f"unknown top-level fields {sorted(unknown)}")
    meta = obj.get("metadata") or {}
    if not _DNS_SUBDOMAIN.match(str(meta.get("name", ""))):
        out.append(f"metadata.name {meta.get('name')!r}")
    for key, value in (meta.get("labels") or {}).items():
        if not _qualified(key) or not isinstance(value, str) or not _LABEL_VALUE.match(value):
            out.append(f"label {key!r}={value!r}")
    annotations = meta.get("annotations") or {}
    size = 0
    for key, value in annotations.items():
        if not _qualified(key) or not isinstance(value, str):
            out.append(f"annotation {key!r}")
        size += len(key) + len(str(value))
    if size > 256 * 1024:
        out.append(f"annotations total {size} bytes > 256 KiB")
    body = {k: obj[k] for k in ("spec", "status") if k in obj}
    for err in validator_for(version).iter_errors(body):
        where = "/".join(str(p) for p in err.absolute_path)
        out.append(f"{where}: {err.message}")
    return out


def _qualified(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return False
    return bool(_LABEL_NAME.match(name))
