"""Safe by default: a plugin's mutating actions take the one path whatever it does.

A plugin written from backends/contracts.py alone can implement `grant()` as "return a
Grant": no policy, no step-up, no audit record. Unless its BackendPlugin declares that a
capability's source runs that path itself (`audits_itself`, as the built-ins do), the
core wraps the source (`wrap`, called by backends/wiring.py): validation, the policy
check, step-up for a grant, the audit request (fail closed) -> the plugin's action ->
the audit outcome, with the built-ins' own helpers (backends.actions.audited and the
rest). The capabilities with actions: grants (grant, revoke), release (rollback
rehearsal), faults (schedule, end, HALT ALL). Reads are passed through untouched.
"""

from __future__ import annotations

from typing import Any

from backends.registry import BackendContext, BackendPlugin

WITH_ACTIONS = ("grants", "release", "faults")


def audits_itself(plugin: BackendPlugin, capability: str) -> bool:
    """Whether `plugin` declares that its `capability` source audits its own actions."""
    return capability in plugin.audits_itself


def wrap(
    capability: str, plugin: BackendPlugin, source: Any, options: object, ctx: BackendContext
) -> Any:
    """`source` as the dashboard uses it: wrapped, unless it has no actions or its plugin
    declares that it runs the audited path itself."""
    if capability not in WITH_ACTIONS or audits_itself(plugin, capability):
        return source
    # imported only here: the built-ins never need them, so start-up does not pay for them
    from backends.guarded_faults import GuardedFaults
    from backends.guarded_grants import GuardedGrants
    from backends.guarded_release import GuardedRelease

    if capability == "grants":
        return GuardedGrants(source, options, ctx)
    if capability == "release":
        return GuardedRelease(source, ctx)
    return GuardedFaults(source, ctx)
