"""Types the adapters' options share. `HttpUrl`: a server's base address, checked when the
configuration is (`watchfloor config check`), not at the first request, where a typo read
as "connection refused" in the pane. It stays the string that was written. `Options`: the
base of every config table's model."""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, field_validator


def http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http:// or https:// address with a host, e.g. http://127.0.0.1:9090")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number or out of range)
    except ValueError:
        raise ValueError("the port is not a number from 0 to 65535") from None
    return value


HttpUrl = Annotated[str, AfterValidator(http_url)]


def _scalars(annotation: Any) -> set[Any]:
    """The bool, int and float in a field's type (`int | None`: {int})."""
    union = get_origin(annotation) in (Union, UnionType)
    return {
        a for a in (get_args(annotation) if union else (annotation,)) if a in (bool, int, float)
    }


class Options(BaseModel):
    """A config table's model: unknown keys refused, frozen, and no true for a number or a
    number for true/false. Pydantic's lax mode took `port = true` as port 1 and
    `demo_grants = 1` as on, with `config check` saying ok; a variable's text ("2",
    "true") is still read as the field's type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _bool_is_not_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        kinds = _scalars(field.annotation) if field is not None else set()
        if isinstance(value, bool):
            if kinds and bool not in kinds:
                raise ValueError("should be a number, not true or false")
        elif isinstance(value, int | float) and kinds == {bool}:
            raise ValueError("should be true or false, not a number")
        return value
