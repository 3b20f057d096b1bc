"""A published release of the simulated train: its assets (with digests) and its notes,
grouped by area like the changelog bot's. Deterministic in the seed and the cut."""

from __future__ import annotations

import hashlib
import random

from backends.models import PublishedRelease, ReleaseAsset, ReleaseRun

# The changelog bot groups by area (sprint plan REL-7103); these are the plan's items.
CHANGES: dict[str, tuple[str, ...]] = {
    "gateway": (
        "adaptive inflight limit follows the p99 rule (PERF4-7302)",
        "negative cache for 404s on `GET /docs/:id`, 30 s TTL (PERF4-7301)",
        "`GET /search` results cached 60 s, invalidated on index refresh",
    ),
    "access": (
        "ABAC decisions on service / tenant / data_class / region (ABAC-7001)",
        "break-glass grants carry a reason and a TTL capped at 4 h (ABAC-7002)",
        "decision-log dashboards and the deny-spike alert (ABAC-7003)",
    ),
    "release": (
        "cut job attaches SBOM and provenance (REL-7101)",
        "rollback rehearsal job on stage with evidence capture (REL-7102)",
    ),
    "resilience": (
        "client adaptive timeouts (NET-7402)",
        "mesh fault-injection manifests fenced off from prod (NET-7401)",
    ),
    "contracts": (
        "schema registry bootstrap (CON-7201)",
        "backward/forward compatibility gates in CI (CON-7202)",
    ),
}
POLICIES = ("abac/allow", "breakglass/decision", "faults/allow")


def published_release(seed: int, n: int, run: ReleaseRun) -> PublishedRelease:
    """Cut n's release, from its finished run: assets with digests, notes by area."""
    tag = run.version

    def digest(name: str) -> str:
        return "sha256:" + hashlib.sha256(f"{seed}:{n}:{name}".encode()).hexdigest()

    names = (f"watchfloor-{tag}.tar.gz", "checksums.txt", f"{tag}.intoto.jsonl")
    assets = tuple(
        ReleaseAsset(name=f, size=1000 + 97 * len(f) * (i + 1), digest=digest(f))
        for i, f in enumerate((*names, f"{tag}.spdx.json"))
    )
    rng = random.Random(f"{seed}:notes:{n}")
    areas = sorted(rng.sample(sorted(CHANGES), 3))
    lines = [
        f"## {tag}",
        "",
        f"Cut {run.started_at:%Y-%m-%d %H:%M}Z by the release train; "
        "rollback rehearsal follows on stage.",
    ]
    for area in areas:
        lines += ["", f"### {area}", ""]
        lines += [f"- {c}" for c in rng.sample(CHANGES[area], 2 if rng.random() < 0.5 else 1)]
    lines += ["", "### Digests", "", "| asset | digest |", "|---|---|"]
    lines += [f"| `{a.name}` | `{a.digest[:19]}…` |" for a in assets]
    lines += ["", "Policies enforced: " + ", ".join(f"`{x}`" for x in POLICIES) + "."]
    return PublishedRelease(
        tag=tag,
        name=tag,
        notes="\n".join(lines) + "\n",
        published_at=run.finished_at,
        assets=assets,
    )
