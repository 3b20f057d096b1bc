"""The top denials over the access window: denials counted by service and rule, in a ring
of one-second buckets like the deny rates' (pure logic, no I/O).

A denial counts under "service: rules" (`billing: data_residency`): the rules its reason
names, without their detail (which tenant, which region), which would split one rule's
count in many. Memory is bounded by the buckets and MAX_KINDS per bucket (more kinds in
one second count under OTHER), never by the rate. Before, the pane counted the last 50
denials the snapshot carried, some 15 s of them, under a header that counts 60 s.
"""

from __future__ import annotations

from collections import Counter

NOT_LOGGED = "reason not logged"
OTHER = "(other)"
MAX_KINDS = 64  # kinds of denial kept per bucket; more count under OTHER
KEPT = 10  # the commonest kinds a snapshot carries


def denial_kind(reason: str) -> str:
    """Why a denial was made, as the policy said it (`abac/decision`'s reason), or that the
    decision log does not say: a bare `result: false` names no rule, and a rule guessed
    from the attributes would be shown as if the policy had named it."""
    return reason or NOT_LOGGED


def rule_names(why: str) -> str:
    """The rules a policy reason names, without their explanations:
    'data_residency: acme … ap-south-1; tenant_mismatch' -> 'data_residency, tenant_mismatch'."""
    return ", ".join(part.partition(":")[0].strip() for part in why.split(";"))


def denial_key(service: str, reason: str) -> str:
    """What a denial is counted under: 'billing: data_residency'."""
    return f"{service}: {rule_names(denial_kind(reason))}"


class DenialCounts:
    """Denials per kind over the last `n` buckets (the current one and n - 1 before it)."""

    def __init__(self, n: int) -> None:
        if n < 2:
            raise ValueError("need at least two buckets")
        self.n = n
        self._buckets: list[Counter[str]] = [Counter() for _ in range(n)]
        self.bucket: int | None = None

    def rotate_to(self, bucket: int) -> None:
        """Open `bucket`, forgetting the buckets that leave the window."""
        if self.bucket is None:
            self.bucket = bucket
            return
        steps = bucket - self.bucket
        if steps <= 0:
            return
        for b in range(self.bucket + 1, self.bucket + 1 + min(steps, self.n)):
            self._buckets[b % self.n].clear()
        self.bucket = bucket

    def add(self, bucket: int, kind: str) -> None:
        """One denial of `kind` in `bucket` (the current one, or an earlier one still in
        the window: a decision counted in the second it was made; older ones are not)."""
        if self.bucket is None or bucket > self.bucket:
            self.rotate_to(bucket)
        assert self.bucket is not None
        if bucket <= self.bucket - self.n:
            return
        counts = self._buckets[bucket % self.n]
        if kind not in counts and len(counts) >= MAX_KINDS:
            kind = OTHER
        counts[kind] += 1

    def current(self) -> Counter[str]:
        """The open bucket's counts, for a hot path to add to directly (one whose kinds
        are few by construction: the simulation's), without `add`'s checks."""
        if self.bucket is None:
            self.rotate_to(0)
        assert self.bucket is not None
        return self._buckets[self.bucket % self.n]

    def top(self, n: int = KEPT) -> tuple[tuple[str, int], ...]:
        """The commonest kinds in the window, most first (ties by name)."""
        total: Counter[str] = Counter()
        for counts in self._buckets:
            total.update(counts)
        ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(ranked[:n])
