"""Which counters a decision is counted under, in bounded memory (pure logic, no I/O).

Each (dimension, value) pair of a decision's attributes (ATTR_KEYS) gets a counter index
the first time it is seen; index 0 is "all decisions". At most `max_values` values are
tracked per dimension, later ones are counted under "(other)", so the counters a window
keeps are bounded by the dimensions, never by what the events carry.
"""

from __future__ import annotations

from backends.models import ATTR_KEYS

OTHER = "(other)"
COMBOS_KEPT = 50_000  # attribute tuples whose indexes are remembered (a cache)


class AttrKeys:
    """Counter indexes by (dimension, value): `names[k]` is what index k counts."""

    def __init__(self, max_values: int) -> None:
        self.max_values = max_values
        self.n_keys = 1 + len(ATTR_KEYS) * (max_values + 1)  # every index there can be
        self.names: list[tuple[str, str]] = [("all", "all")]
        self._index: dict[tuple[str, str], int] = {}
        self._per_dim = [0] * len(ATTR_KEYS)
        self._combo: dict[tuple[str, ...], tuple[int, ...]] = {}

    def _key(self, dim: int, value: str) -> int:
        k = self._index.get((ATTR_KEYS[dim], value))
        if k is not None:
            return k
        if self._per_dim[dim] >= self.max_values:
            value = OTHER
            k = self._index.get((ATTR_KEYS[dim], value))
            if k is not None:
                return k
        self._per_dim[dim] += 1
        k = len(self.names)
        self.names.append((ATTR_KEYS[dim], value))
        self._index[(ATTR_KEYS[dim], value)] = k
        return k

    def of(self, attrs: tuple[str, ...]) -> tuple[int, ...]:
        """The indexes a decision with these attribute values is counted under: 0 (all
        decisions), then one per dimension."""
        ks = self._combo.get(attrs)
        if ks is None:
            ks = (0, *(self._key(i, v) for i, v in enumerate(attrs)))
            if len(self._combo) > COMBOS_KEPT:
                self._combo.clear()
            self._combo[attrs] = ks
        return ks
