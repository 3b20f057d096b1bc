"""`verify`'s check of the grants table against the audit trail: each grant listed
(active) as the trail records it (GrantIndex.problem, as every poll checks it), and each
grant the table says ended as the trail has it end: revoked by whom and why its applied
revoke records, or reaped (ended at its expiry by no one) no earlier than the expiry its
grant records. A revoke written with sqlite3 ("revoked by root: cleanup") left no record
and passed; so did a real revoke's revoker edited afterwards. Reads the trail's grant and
revoke records a row at a time and keeps the listed and ended grants' only."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.local.db import db_time, from_db_time
from backends.local.grant_audit import (
    GRANT_RECORDS_SQL,
    NOT_AUDITED,
    PENDING,
    GrantIndex,
)
from backends.local.grant_table import ACTIVE_SQL, ENDED_COLUMNS, REAPER, grant_row

# every grant the table says ended (revoked, or reaped at its expiry)
ENDED_ALL_SQL = f"SELECT {ENDED_COLUMNS} FROM grants WHERE revoked_at IS NOT NULL"


def listed_problem(db: sqlite3.Connection, now: datetime) -> str:
    """For `verify`, in its read transaction: what is wrong with the grants listed (active)
    as the trail records them, else with the ones the table says ended; '' if nothing.
    Reads the trail's grant and revoke records a row at a time, and keeps only those of
    the grants in question (the trail can be long)."""
    grants = [grant_row(r) for r in db.execute(ACTIVE_SQL, (db_time(now),))]
    ended = db.execute(ENDED_ALL_SQL).fetchall()
    if not grants and not ended:
        return ""
    index = GrantIndex(only={g.id for g in grants} | {r[0] for r in ended})
    rows = db.execute(GRANT_RECORDS_SQL, (0, 2**62))
    try:
        index.add(rows)
    finally:
        rows.close()
    bad = [(g, p) for g in grants if (p := index.problem(g, now))]
    if not bad:
        return ended_grants_problem(ended, index, now)
    g, why = min(bad, key=lambda gp: gp[1] != NOT_AUDITED)  # one not audited at all first
    sep = ":" if why.startswith(("differs", "its ")) else " is"
    first = f"{g.id} ({g.subject}:{g.role}, granted by {g.granted_by}){sep} {why}"
    return (
        f"the grants table lists {len(bad)} {'grant' if len(bad) == 1 else 'grants'} not as"
        f" the audit trail has them (edited or inserted by hand?), first {first};"
        " `watchfloor grants list` marks them !"
    )


def ended_grants_problem(ended: Sequence[Sequence[Any]], index: GrantIndex, now: datetime) -> str:
    """For `verify`: what is wrong with the grants the table says ended, '' if nothing."""
    bad = [(r, p) for r in ended if (p := ended_problem(index, r, now))]
    if not bad:
        return ""
    (gid, _, _, _, subject, role, *_), why = bad[0]
    return (
        f"the grants table says {len(bad)} {'grant' if len(bad) == 1 else 'grants'} ended"
        f" not as the audit trail has it (edited by hand?), first {gid} ({subject}:{role}):"
        f" {why}"
    )


def ended_problem(index: GrantIndex, row: Sequence[Any], now: datetime) -> str:
    """How a grant the table says has ended (a row of ENDED_ALL_SQL) is not as the
    trail has it, '' if it is: revoked with no applied revoke in the trail, or by
    someone else or for another reason than its revoke records; reaped (marked ended
    at its expiry, by no one) before the expiry its grant records."""
    gid, at, by, reason = row[0], from_db_time(row[1]), row[2], row[3]
    a = index.grants.get(gid)
    if a is None:
        return NOT_AUDITED
    if by == REAPER:  # a revoke applied leaves nothing for the reaper to mark
        if a.revoked:
            return f"revoked by {a.revoked_by} in the audit trail, marked expired here"
        early = a.expires_at is not None and at < a.expires_at
        return "ended before its audited expiry, with no revoke in the trail" if early else ""
    if a.revoked:
        differs = [
            name
            for name, ok in (
                ("revoked by", by == a.revoked_by),
                ("reason", reason == a.revoke_reason),
            )
            if not ok
        ]
        return f"its revoke differs from its audit record: {', '.join(differs)}" if differs else ""
    if a.revoke_requested_at is not None and now - a.revoke_requested_at <= PENDING:
        return ""  # on its way: its outcome is appended after the row is changed
    return f"revoked by {by} with no revoke in the audit trail"
