"""The query options' templates: PromQL with placeholders the latency source fills in.

Only the known placeholders are replaced ({window}, {route_label}, {adaptive_label},
{routes}, {quantile}); every other brace is PromQL's own, so a query pasted from
Prometheus works as it is: `max by (route) (my_limit{job="lab"})`. Doubled braces, the
str.format way of writing a literal one, still read as one brace:
`my_limit{{{adaptive_label}=~"{routes}"}}` and `my_limit{{adaptive_label}=~"{routes}"}`
are the same query. (str.format read `{job="lab"}` as a placeholder and the pane died at
start with KeyError: 'job="lab"'.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = ("window", "route_label", "adaptive_label", "routes", "quantile")

_KNOWN = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
# a {name} outside PromQL's strings: a placeholder, but not one of ours (a typo)
_NAME = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')


def _literal(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with its placeholders filled in; never raises for a brace."""
    parts = _KNOWN.split(template)  # literal, name, literal, name, ..., literal
    return "".join(values[part] if i % 2 else _literal(part) for i, part in enumerate(parts))


def unknown_placeholders(template: str) -> list[str]:
    """Each `{name}` of the template, outside PromQL's strings, that is no placeholder of
    ours: a typo (`{route}` for `{routes}`), which PromQL would refuse at every poll."""
    filled = render(template, {p: "" for p in PLACEHOLDERS})
    bare = _STRING.sub('""', filled)
    return list(dict.fromkeys(m.group(0) for m in _NAME.finditer(bare)))


def template_problem(template: str) -> str | None:
    """What is wrong with a query template, in the user's words, or None."""
    unknown = unknown_placeholders(template)
    if not unknown:
        return None
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    return (
        f"unknown placeholder {', '.join(unknown)}; the placeholders are {known} "
        "(other braces are PromQL's own)"
    )
