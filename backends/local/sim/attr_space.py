"""The simulated attribute space: each dimension's values and traffic weights, the
window's keys (one per dimension value), and what the policy allows at every combination,
worked out once at import. Used by backends.local.sim.decisions."""

from __future__ import annotations

from itertools import product

from backends.local.sim.policy import ENVIRONMENT_CLASSES, decide
from backends.models import ATTR_KEYS, Attrs

# dimension -> (values, weights); in ATTR_KEYS order
DIMENSIONS: tuple[tuple[str, tuple[str, ...], tuple[float, ...]], ...] = (
    ("service", ("gateway", "docs-api", "search-api", "billing"), (0.35, 0.30, 0.25, 0.10)),
    ("tenant", ("acme", "globex", "initech", "umbrella"), (0.40, 0.25, 0.20, 0.15)),
    ("data_class", ("public", "internal", "confidential", "restricted"), (0.40, 0.32, 0.20, 0.08)),
    ("region", ("eu-west-1", "us-east-1", "ap-south-1"), (0.45, 0.40, 0.15)),
    ("environment", ("dev", "stage", "prod"), (0.20, 0.30, 0.50)),
)
assert tuple(d[0] for d in DIMENSIONS) == ATTR_KEYS
SERVICES = DIMENSIONS[0][1]
TENANTS = DIMENSIONS[1][1]
DATA_CLASSES = DIMENSIONS[2][1]
REGIONS = DIMENSIONS[3][1]
ENVIRONMENTS = DIMENSIONS[4][1]
PROD = ENVIRONMENTS.index("prod")


# key 0 is "all"; then one key per (dimension, value)
KEYS: tuple[tuple[str, str], ...] = tuple((d, v) for d, vals, _ in DIMENSIONS for v in vals)
_OFFSETS: list[int] = []
_o = 1
for _d, _vals, _w in DIMENSIONS:
    _OFFSETS.append(_o)
    _o += len(_vals)
OFF_SVC, OFF_TEN, OFF_DC, OFF_REG, OFF_ENV = _OFFSETS
N_KEYS = _o


def weight_table(weights: tuple[float, ...]) -> tuple[int, ...]:
    """1000-entry lookup: table[int(u * 1000)] draws an index with these weights."""
    out: list[int] = []
    for i, w in enumerate(weights):
        out.extend([i] * round(w * 1000))
    if len(out) != 1000:
        raise ValueError("weights must sum to 1 in steps of 0.001")
    return tuple(out)


def _attr_ok_table() -> tuple[bool, ...]:
    """decide() for a user whose tenant and data_class match the request, for every
    (service, tenant, data_class, region, environment), flat in that index order."""
    out: list[bool] = []
    for svc, ten, dc, reg, env in product(SERVICES, TENANTS, DATA_CLASSES, REGIONS, ENVIRONMENTS):
        a = Attrs.model_construct(  # constants of ours: no validation needed
            service=svc, tenant=ten, data_class=dc, region=reg, environment=env
        )
        out.append(decide(a, ten, dc)[0])
    return tuple(out)


ATTR_OK = _attr_ok_table()
N_TEN, N_DC, N_REG, N_ENV = len(TENANTS), len(DATA_CLASSES), len(REGIONS), len(ENVIRONMENTS)
# every (service, tenant, data_class, region, environment), at its index in ATTR_OK
COMBOS: tuple[tuple[int, ...], ...] = tuple(
    product(range(len(SERVICES)), range(N_TEN), range(N_DC), range(N_REG), range(N_ENV))
)


def attr_ok(s: int, te: int, dc: int, rg: int, ev: int) -> bool:
    """ATTR_OK at these attribute indices."""
    return ATTR_OK[(((s * N_TEN + te) * N_DC + dc) * N_REG + rg) * N_ENV + ev]


# (data_class) -> is it held in (environment)?
HELD = tuple(tuple(dc in ENVIRONMENT_CLASSES[ev] for ev in ENVIRONMENTS) for dc in DATA_CLASSES)
# (service, tenant, data_class, environment) -> the first region its data may be served
# from, or -1 when none (the environment does not hold it)
HOME_REGION: dict[tuple[int, int, int, int], int] = {
    (s, te, dc, ev): next((rg for rg in range(N_REG) if attr_ok(s, te, dc, rg, ev)), -1)
    for s, te, dc, ev in product(range(len(SERVICES)), range(N_TEN), range(N_DC), range(N_ENV))
}
# per combination: the window keys a decision with it counts in ("all" first)
COMBO_KEYS: tuple[tuple[int, ...], ...] = tuple(
    (0, OFF_SVC + s, OFF_TEN + te, OFF_DC + dc, OFF_REG + rg, OFF_ENV + ev)
    for s, te, dc, rg, ev in COMBOS
)
