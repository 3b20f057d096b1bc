"""What a policy's Rego source says, read as text: its package, where a rule is defined,
whether the rule has a `default`; and an evaluation error of the embedded interpreter
placed in that source (file, and line when the interpreter gives one).

rego-cpp reports an evaluation error (a conflicting complete rule, a function with two
answers) as an error node, ``(error (errormsg 48:complete rules must not produce multiple
outputs) (errorast (rego-line 0:)) ...)``, most often with no location: then the error
names the files, and the lines, that define the rule. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)
_DEFAULT_NAME = re.compile(r"^[ \t]*default[ \t]+([\w.]+)[ \t]*:?=", re.MULTILINE)
_ERRORMSG = re.compile(r"\(errormsg (?P<n>\d+):")
_LOCATION = re.compile(r"\d+:(?P<file>[^|\s()]+)\|(?P<at>\d+)\|\d+")

Sources = Mapping[str, tuple[Path, str]]  # module name -> (its file, its text)


def package_of(text: str) -> str:
    m = _PACKAGE.search(text)
    return m.group(1) if m else ""


def split_entrypoint(entrypoint: str) -> tuple[str, str]:
    """("abac", "allow") of "abac/allow"."""
    package, _, rule = entrypoint.strip("/").rpartition("/")
    return package.replace("/", "."), rule


def rule_lines(text: str, rule: str) -> list[int]:
    """The lines where `rule`'s heads (its default too) start."""
    after = r"[ \t]*(?:if\b|contains\b|:=|=(?!=)|\{|\[|\(|$)"  # a head, not `allow == x`
    head = re.compile(rf"^[ \t]*(?:default[ \t]+)?{re.escape(rule)}\b{after}", re.MULTILINE)
    return [text.count("\n", 0, m.start()) + 1 for m in head.finditer(text)]


def undefined_rule(sources: Iterable[tuple[Path, str]], entrypoint: str) -> str:
    """'' when a module of the entrypoint's package defines its rule; else why not, in
    words: "the candidate defines no abac/allow: its package is abac_test (x.rego)"."""
    package, rule = split_entrypoint(entrypoint)
    if not package:  # a whole package's document ("abac"): nothing to look for by name
        return ""
    mods = [(path, package_of(text), text) for path, text in sources]
    if any(pkg == package and rule_lines(text, rule) for _, pkg, text in mods):
        return ""
    if any(pkg == package for _, pkg, _ in mods):
        return f"the candidate defines no {entrypoint}: package {package} has no rule {rule}"
    found = ", ".join(f"{pkg or 'none'} ({path.name})" for path, pkg, _ in mods)
    return f"the candidate defines no {entrypoint}: its package is {found}"


def has_default(sources: Iterable[tuple[Path, str]], entrypoint: str) -> bool:
    """Whether a module of the entrypoint's package gives its rule a `default`."""
    package, rule = split_entrypoint(entrypoint)
    return any(
        package_of(text) == package and rule in _DEFAULT_NAME.findall(text) for _, text in sources
    )


def describe_eval_error(raw: str, entrypoint: str, sources: Sources) -> str:
    """An evaluation error as ``file:line: entrypoint: message``; without a location from
    the interpreter, ``file: entrypoint: message (no line from the evaluator; `rule` is
    defined at lines 5, 7)``."""
    messages = []
    for m in _ERRORMSG.finditer(raw):
        start = m.end()
        messages.append(raw[start : start + int(m.group("n"))])
    msg = messages[0] if messages else raw.strip()[:200] or "evaluation failed"
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    for loc in _LOCATION.finditer(raw):
        found = sources.get(loc.group("file"))
        if found is None:
            continue
        path, text = found
        line = text.encode()[: int(loc.group("at"))].decode(errors="replace").count("\n") + 1
        return f"{path}:{line}: {entrypoint}: {msg}{more}"
    package, rule = split_entrypoint(entrypoint)
    defining = [
        (path, lines)
        for path, text in sources.values()
        if package_of(text) == package and (lines := rule_lines(text, rule))
    ]
    if not defining:
        files = ", ".join(str(path) for path, _ in sources.values())
        return f"{files}: {entrypoint}: {msg}{more}"
    files = ", ".join(str(path) for path, _ in defining)
    if len(defining) == 1:
        lines = defining[0][1]
        at = f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
    else:
        at = ", ".join(f"{path.name}:{n}" for path, lines in defining for n in lines)
    return (
        f"{files}: {entrypoint}: {msg}{more}"
        f" (no line from the evaluator; `{rule}` is defined at {at})"
    )
