"""The local backend's one store: break-glass grants, the hash-chained audit trail and the
simulated release train's shared state, in one embedded SQLite file (backends.local.db),
sharing its connection and lock."""

from __future__ import annotations

from backends.local.audit_table import AuditTable
from backends.local.grant_audit import GrantAuditTable
from backends.local.train_table import TrainTable


class Store(GrantAuditTable, AuditTable, TrainTable):
    """Grants (backends.local.grant_table, checked against the trail by
    backends.local.grant_audit), the audit trail (backends.local.audit_table) and
    the release train (backends.local.train_table); built with the audit trail's
    arguments: `Store(path, signer=..., digest_log=...)`."""
