"""The configuration's schema: what `watchfloor config check` and every command validate
the layered config against (a backend's own [backends.NAME] options are its plugin's)."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from backends.option_types import Options


class _Strict(Options):
    pass


def _directory(value: Any) -> Path:
    """A data dir as every command will use it: a path string that `~` expands in. A
    number read "Input is not a valid path", and `~nosuchuser` failed with a RuntimeError,
    only when a command first used it."""
    if isinstance(value, PurePath):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("must be a directory path, as a string")
    if not value.strip():
        raise ValueError("must not be empty (leave it out for the default)")
    if "\0" in value:
        raise ValueError("must not contain a NUL character")
    path = Path(value)
    try:
        path.expanduser()
    except RuntimeError:
        user = value.split("/", 1)[0].removeprefix("~")
        raise ValueError(f"no such user {user!r}") from None
    return path


class UiConfig(_Strict):
    # polled sources are asked every refresh_s (k9s's default too); the clock, countdowns
    # and data ages still move every second
    # at least 0.1 s: 0.0001 was taken, and kept a core busy polling
    refresh_s: float = Field(default=2.0, ge=0.1, le=60, allow_inf_nan=False)
    theme: str = "textual-dark"
    actor: str = ""  # who you are in the audit; empty -> $USER
    read_only: bool = False  # refuse every mutating action (--read-only sets it too)


def _fingerprint(value: Any) -> str:
    from backends.audit_pins import parse_key

    if not isinstance(value, str):
        raise ValueError("must be a key fingerprint, as a string")
    return parse_key(value) if value.strip() else ""


class AuditConfig(_Strict):
    # the audit signing key's fingerprint, as `watchfloor audit verify` printed it and you
    # recorded it off the machine: verify (and the dashboard's check) fails on another key
    expect_key: Annotated[str, BeforeValidator(_fingerprint)] = ""


class PanesConfig(_Strict):
    """One backend name per pane (and one for the audit sink)."""

    access: str = "local"
    grants: str = "local"
    release: str = "local"
    latency: str = "local"
    faults: str = "local"
    audit: str = "local"
    stepup: str = "local"  # step-up authentication for grants (local: TOTP)


class Config(_Strict):
    environment: str = "local"
    data_dir: Annotated[Path, BeforeValidator(_directory)] | None = None
    ui: UiConfig = UiConfig()
    panes: PanesConfig = PanesConfig()
    audit: AuditConfig = AuditConfig()
    backends: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Named profiles (dev, stage, prod): each overrides environment/panes/backends/ui.
    profile: str = ""  # the active one; --profile NAME or WATCHFLOOR_PROFILE
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Key bindings by binding id, e.g. "app.quit" = "ctrl+q" (see `?` for the ids).
    keys: dict[str, str] = Field(default_factory=dict)

    def backend_for(self, capability: str) -> str:
        name: str = getattr(self.panes, capability)
        return name


PROFILE_KEYS = {"environment", "panes", "backends", "ui", "keys", "data_dir", "audit"}
