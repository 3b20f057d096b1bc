"""Text from people and from backends, kept from driving the terminal it is shown in.

A reason, a subject or a host is typed by someone; a record, a window or a decision comes
from a store or a backend another tool may have written. An escape sequence in any of them
(ESC [ 1 A moves the cursor up, ESC ] 0 ; ... BEL sets the window title) is obeyed by
the terminal that prints it, and a newline makes one record read as two. Rich and Textual
drop only BEL, BS, VT, FF and CR: ESC and the rest reach the terminal.

Two ends:
- new text is refused with such characters (`plain_line`, the models' validator; a
  reason has its whitespace squeezed first, so a pasted newline is a space);
- text already stored or read from a backend is shown with them made visible (`shown`:
  ESC reads `\\x1b`, a newline `⏎`), and in Markdown with what breaks its structure
  escaped (`md_text`, `md_cell`).
Pure: no I/O, no textual.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

# C0 (tab and newline too), DEL, C1; the line and paragraph separators; the bidi
# embeddings, overrides and isolates, which reorder what is shown after them
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "⏎", "\r": "\\r", "\t": "\\t"}
_MD = re.compile(r"([\\`*_\[\]<])")


def escaped(ch: str) -> str:
    """One unsafe character as it is shown: ⏎, \\t, \\x1b, \\u202e."""
    if ch in _NAMED:
        return _NAMED[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def shown(text: str) -> str:
    """`text` with every unsafe character made visible; unchanged when it has none."""
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(lambda m: escaped(m.group()), text)


def unsafe_in(text: str) -> str:
    """What is wrong with `text` as new free text, in words ("" : nothing): the first
    control character, shown, and where."""
    m = UNSAFE.search(text)
    if m is None:
        return ""
    what = "a line break" if m.group() in "\n\r\u2028\u2029" else "a control character"
    return f"has {what} ({escaped(m.group())} at character {m.start() + 1}): plain text only"


def squeezed(text: str) -> str:
    """Runs of whitespace (newlines and tabs too) made one space, none at either end."""
    return " ".join(text.split())


def plain_line(text: str) -> str:
    """The models' validator: `text` as it is, or a validation error saying what is in it."""
    why = unsafe_in(text)
    if why:
        raise PydanticCustomError("control_character", why)
    return text


def md_text(text: str) -> str:
    """`text` in a line of Markdown: shown (one line), and with the characters that start
    emphasis, code, links or HTML escaped: it reads as it was written, adds no link."""
    return _MD.sub(r"\\\1", shown(text))


def md_cell(text: str) -> str:
    """`text` in a Markdown table cell: `md_text`, and `|` escaped: it adds no column."""
    return md_text(text).replace("|", "\\|")


# New free text on one line, no control characters (a subject, a host, a route).
PlainLine = Annotated[str, AfterValidator(plain_line)]


def _squeezed(value: object) -> object:
    return squeezed(value) if isinstance(value, str) else value


# A reason: whitespace squeezed (as grant reasons always were), then checked.
Reason = Annotated[str, BeforeValidator(_squeezed), AfterValidator(plain_line)]
