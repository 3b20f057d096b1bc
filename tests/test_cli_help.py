"""`--help` of every command explains every option: a tired operator reads it, not the code."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from tui.cli import parser


def commands(
    p: argparse.ArgumentParser, path: tuple[str, ...] = ("watchfloor",)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


def test_every_option_of_every_command_has_help() -> None:
    found = list(commands(parser()))
    assert len(found) > 20  # every subcommand was walked, not just the top level
    bare = [
        f"{' '.join(path)} {'/'.join(a.option_strings) or a.dest}"
        for path, p in found
        for a in p._actions
        if not a.help and not isinstance(a, argparse._SubParsersAction)
    ]
    assert bare == []


def test_every_help_fits_an_80_column_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `watchfloor policy replay --help` printed its exit statuses pre-wrapped at 82
    to 84 columns, each line running past the edge of an 80-column SSH session."""
    monkeypatch.setenv("COLUMNS", "80")
    wide = [
        f"{' '.join(path)}: {line}"
        for path, p in commands(parser())
        for line in p.format_help().splitlines()
        if len(line) > 79
    ]
    assert wide == []
