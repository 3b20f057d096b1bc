"""What a break-glass request must be before the policy is asked: a TTL of at least
MIN_TTL (the policy is given whole seconds: 0.5s would be 0), and a grant's or a revoke's
reason: a short sentence, at least MIN_REASON_CHARS characters and MIN_REASON_WORDS words
once its whitespace is squeezed ("INC-4712-done" is one word: which incident, not why).
One rule, one message: the gate (backends/breakglass.py) refuses with it, and the dialogs
and the command line check it before anything is sent, so what a dialog lets through is
never refused later in words that contradict it. Pure: no I/O."""

from __future__ import annotations

from datetime import timedelta

from backends.text_safe import squeezed

MIN_TTL = timedelta(seconds=1)
MIN_REASON_CHARS = 10
MIN_REASON_WORDS = 2
REASON_RULE = (
    f"a short sentence of at least {MIN_REASON_CHARS} characters and {MIN_REASON_WORDS}"
    " words (e.g. the incident and why)"
)


def reason_problem(reason: str) -> str:
    """ "" when `reason` will do; otherwise what it must be (REASON_RULE)."""
    text = squeezed(reason)
    if len(text) < MIN_REASON_CHARS or len(text.split(" ")) < MIN_REASON_WORDS:
        return REASON_RULE
    return ""
