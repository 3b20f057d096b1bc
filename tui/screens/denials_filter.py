"""The filter of `d`'s denials: words, each of which must match a denial.

`key=value` matches a field (service, tenant, data_class, region, environment, role,
request_tenant, request_data_class, path, reason, id) by substring; the table's short
headings name fields too (`env=prod`, `why=residency`). A bare word matches anywhere. A
key that is none of these is matched as a plain word, and `unknown_keys` says so, with
the nearest key, for the count line (`env=prod` gave "0 of 50" and no hint).
"""

from __future__ import annotations

import difflib

from backends.models import Decision
from tui.panes.access import denial_kind


def fields(d: Decision) -> dict[str, str]:
    a = d.attrs
    return {
        "service": a.service,
        "tenant": a.tenant,
        "data_class": a.data_class,
        "region": a.region,
        "environment": a.environment,
        "role": a.role,
        "request_tenant": d.request_tenant,
        "request_data_class": d.request_data_class,
        "path": d.path,
        "reason": denial_kind(d),
        "id": d.decision_id,
    }


FIELD_KEYS = (  # fields()'s, in its order
    "service",
    "tenant",
    "data_class",
    "region",
    "environment",
    "role",
    "request_tenant",
    "request_data_class",
    "path",
    "reason",
    "id",
)


# the table's short headings, and a word a person reaches for, as filter keys
ALIASES = {
    "env": "environment",
    "class": "data_class",
    "why": "reason",
    "detail": "reason",
    "decision": "id",
}


def key_of(word: str) -> tuple[str, str] | None:
    """(field, value) of a `key=value` filter word, the key through ALIASES; None for a
    bare word."""
    key, eq, value = word.partition("=")
    if not eq or not key:
        return None
    return ALIASES.get(key, key), value


def unknown_keys(query: str) -> list[str]:
    """What the filter names as keys that are not fields (matched as plain words instead),
    each with a hint: "no key 'tenat': did you mean tenant?"."""
    known = [*FIELD_KEYS, *ALIASES]
    out = []
    words = query.casefold().split()
    for i, word in enumerate(words):
        if hint := _spelled_apart(words, i, known):
            out.append(hint)
            continue
        kv = key_of(word)
        if kv is None or kv[0] in FIELD_KEYS:
            continue
        key = word.partition("=")[0]
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if close:
            out.append(f"no key {key!r}: did you mean {ALIASES.get(close[0], close[0])}?")
        else:
            out.append(f"no key {key!r}: keys are {', '.join(FIELD_KEYS)}")
    return out


def _spelled_apart(words: list[str], i: int, known: list[str]) -> str:
    """A key and its value the filter reads as words: "tenant:acme", "tenant = acme",
    "tenant= acme", "tenant =acme" (each matched nothing, with no word on why); "" if
    words[i] is none of those."""
    word, before = words[i], words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    key, colon, value = word.partition(":")
    if colon and key in known and value:
        return f"{word!r} is one word: write {key}={value}"
    if word == "=" and before in known and after:
        key, value = before, after
    elif word.endswith("=") and word[:-1] in known and after and "=" not in after:
        key, value = word[:-1], after
    elif word.startswith("=") and len(word) > 1 and before in known:
        key, value = before, word[1:]
    else:
        return ""
    return f"no spaces around '=': write {key}={value}"


def matches(d: Decision, query: str) -> bool:
    f = fields(d)
    everything = " ".join(f.values()).casefold()
    for word in query.casefold().split():
        kv = key_of(word)
        if kv is not None and kv[0] in f:
            if kv[1] not in f[kv[0]].casefold():
                return False
        elif word not in everything:
            return False
    return True
