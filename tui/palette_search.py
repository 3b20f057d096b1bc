"""How the command palette finds an entry for what was typed: by whole words, not letters
scattered through a title.

Textual's palette matched the title alone, letter by letter: "stop", "abort", "kill",
"cancel fault" and "break glass" found nothing (the title says "break-glass"), and "halt"
listed, after HALT ALL, every title with an h, an a, an l and a t in that order. Here each
word typed must begin a word of the entry: of its title first, then of its search words
(tui/palette.py SEARCH_WORDS: "stop" for HALT ALL), then of its help text ("keys" for
Help). Only when no entry has every word does the letter-by-letter match apply, so a
shorthand such as "tmln" still finds the timeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

TITLE, SYNONYM, ANY_WORDS = 1.0, 0.9, 0.8  # the score of a hit by where its words are
EXACT = 0.05  # a search word typed whole ("stop" for HALT ALL, before "stop window")


def words(text: str) -> list[str]:
    """The words of `text`, small: "Grant break-glass access" -> grant, break, glass, access."""
    return re.findall(r"\w+", text.casefold())


def _covers(typed: Sequence[str], have: Sequence[str]) -> bool:
    return all(any(w.startswith(t) for w in have) for t in typed)


def word_score(query: str, title: str, help_text: str, synonyms: Sequence[str]) -> float:
    """How well `query` finds this entry by words (0: not at all): every word typed begins
    a word of the title (TITLE), of one search word or phrase (SYNONYM, more for one typed
    whole), or of all of them and the help text together (ANY_WORDS)."""
    typed = words(query)
    if not typed:
        return 0.0
    if _covers(typed, words(title)):
        return TITLE
    phrases = [words(s) for s in synonyms]
    if any(typed == p for p in phrases):
        return SYNONYM + EXACT
    if any(_covers(typed, p) for p in phrases):
        return SYNONYM
    everything = [*words(title), *(w for p in phrases for w in p), *words(help_text)]
    return ANY_WORDS if _covers(typed, everything) else 0.0


def word_spans(query: str, text: str) -> list[tuple[int, int]]:
    """Where in `text` the words typed begin its words: (start, end) to highlight."""
    typed = words(query)
    spans = []
    for m in re.finditer(r"\w+", text):
        hit = max((len(t) for t in typed if m.group().casefold().startswith(t)), default=0)
        if hit:
            spans.append((m.start(), m.start() + hit))
    return spans
