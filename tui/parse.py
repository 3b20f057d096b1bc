"""Numbers and durations as a person types them, in a form or on the command line.

One place refuses what is not a finite number in range (`nan`, `inf`, `1e999`, a TTL of
`99999999999999h`) with a message that names the field as the person knows it, before
any of it becomes a float, an int or a timedelta that could overflow. Pure functions;
BadValue is a ValueError, so argparse `type=` functions can re-raise it as a usage error.
"""

from __future__ import annotations

import math
import re

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class BadValue(ValueError):
    """What was typed cannot be used; the message names the field and says why. `field`
    is the form's input id it is about ("" if none), for the form to focus."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def span(seconds: float) -> str:
    """A limit the way it would be typed: 60s, 10m, 4h, 1.5h, 500ms."""
    for unit, size in (("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if seconds >= size and (seconds / size * 10).is_integer():
            return f"{seconds / size:g}{unit}"
    return f"{seconds * 1000:g}ms"


def seconds(
    text: str, name: str, *, bare_unit: str, most: float, hint: str, least: float = 0.0
) -> float:
    """A duration ('800ms', '30s', '10m', '2h'; a bare number is in `bare_unit`) in
    seconds, from `least` to `most`. BadValue names `name` (a form's label; "" on the
    command line, where argparse names the option) when it is not one, too short or too
    long."""
    typed = repr(text.strip())
    m = _DURATION.match(text)
    floor = f"at least {span(least)}" if least > 0 else "0 or more"
    if not m:
        unsigned = _DURATION.match(text.strip().removeprefix("-"))
        what = f"negative ({floor})" if unsigned else f"not a duration (try {hint})"
        raise BadValue(f"{f'{name}: ' if name else ''}{typed} is {what}")
    value = float(m.group(1)) * UNIT_S[m.group(2) or bare_unit]
    if value < least:
        raise BadValue(f"{name} must be {floor}" if name else f"{typed} is under {span(least)}")
    if not value <= most:  # a 400-digit number is inf, which this refuses too
        raise BadValue(
            f"{name} must be at most {span(most)}" if name else f"{typed} is over {span(most)}"
        )
    return value


def number(
    text: str, name: str, *, low: float, high: float, integer: bool = False, above: bool = False
) -> float:
    """A finite number from `low` (above it, if `above`) to `high`, a whole one if
    `integer`."""
    try:
        value = float(text)
    except ValueError:
        raise BadValue(f"{name}: {text.strip()!r} is not a number") from None
    low_ok = value > low if above else value >= low  # nan compares false: refused
    if not (math.isfinite(value) and low_ok and value <= high):
        if above:
            raise BadValue(f"{name} must be above {low:g} and at most {high:g}")
        raise BadValue(f"{name} must be between {low:g} and {high:g}")
    if integer and not value.is_integer():
        raise BadValue(f"{name} must be a whole number")
    return value


def percent(text: str, name: str, *, high: float = 100.0, above: bool = False) -> float:
    """A percentage as typed: `30`, `30%` and ` 30 % ` are the same; then as `number`,
    from 0 (above it, if `above`) to `high`: nan, inf and out of range are refused."""
    typed = text.strip()
    bare = typed.removesuffix("%").rstrip()
    try:
        float(bare)
    except ValueError:
        raise BadValue(f"{name}: {typed!r} is not a number") from None
    return number(bare, name, low=0, high=high, above=above)


_NEGATIVE = re.compile(r"^-\d")


def negatives_joined(argv: list[str]) -> list[str]:
    """argv with a negative value joined to its long option ('--start-in -5m' is
    '--start-in=-5m'), which argparse would take for an option of its own ('expected one
    argument') instead of handing it to the option's type to refuse by name."""
    out: list[str] = []
    for i, token in enumerate(argv):
        if token == "--":  # after it every token is a value as it stands
            out.extend(argv[i:])
            break
        prev = out[-1] if out else ""
        if _NEGATIVE.match(token) and prev.startswith("--") and "=" not in prev:
            out[-1] = f"{prev}={token}"
        else:
            out.append(token)
    return out
