"""The local backend's one store: break-glass grants and the hash-chained audit trail in
one embedded SQLite file (backends.local.db), sharing its connection and lock."""

from __future__ import annotations

from backends.local.audit_table import AuditTable
from backends.local.grant_table import GrantTable


class Store(GrantTable, AuditTable):
    """Grants (backends.local.grant_table) and the audit trail (backends.local.audit_table);
    built with the audit trail's arguments: `Store(path, signer=..., digest_log=...)`."""
