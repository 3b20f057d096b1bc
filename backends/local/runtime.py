"""One per process: the simulator, SQLite store and fault windows the local sources share.
The simulated release train is the store's, the same in every process on a data dir."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from backends.actions import audited
from backends.local.options import LocalOptions
from backends.local.sim import Simulator
from backends.local.sim.release import ManualRehearsal
from backends.local.store import Store
from backends.models import FaultWindow, Grant
from backends.registry import BackendContext

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEMO_GRANTS = (
    ("alice@example.com", "sre-oncall", "INC-4711: gateway p99.9 regression, need pod exec", 25),
    (
        "bob@example.com",
        "db-reader",
        "INC-4712: verify tenant acme data after failed migration",
        95,
    ),
    (
        "carol@example.com",
        "prod-deployer",
        "CHG-981: hotfix rollout of docs-api during freeze",
        170,
    ),
)


class LocalRuntime:
    def __init__(self, options: LocalOptions, ctx: BackendContext) -> None:
        self.options = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.sim = Simulator(seed=options.seed, start=ctx.clock.now())
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        self._key: Ed25519PrivateKey | None = None
        self.windows: dict[str, FaultWindow] = {}
        self._demo_checked = False
        self._train_anchored = False
        self._lock = asyncio.Lock()

    def signing_key(self, trail_exists: bool) -> Ed25519PrivateKey:
        """The audit digest key, 0600 in the data dir, created by the first append to a
        trail with no records (backends.audit_signing); only appends ask for it."""
        if self._key is None:
            from backends.audit_signing import key_for_append

            self._key = key_for_append(self.ctx.data_dir, trail_exists=trail_exists)
        return self._key

    @property
    def store(self) -> Store:
        """One store per runtime, opened on first use (in whichever source's thread asks
        first: at start several do at once)."""
        with self._store_lock:
            if self._store is None:
                self._store = Store(
                    self.ctx.data_dir / "watchfloor.sqlite3",
                    signer=self.signing_key,
                    digest_log=self.ctx.data_dir / "audit-digests.jsonl",
                )
            return self._store

    def sync(self) -> datetime:
        """Bring the simulation up to now, with the fault windows it should feel: those
        started (`applied` in the local store), while they are active."""
        now = self.clock.now()
        if now > self.sim.now:
            self.sim.set_faults([w for w in self.windows.values() if w.applied])
            self.sim.advance_to(now)
        return now

    def _train_state(self, default: datetime) -> tuple[datetime, tuple[ManualRehearsal, ...]]:
        return self.store.train_origin(default), self.store.manual_rehearsals()

    async def sync_train(self) -> None:
        """The release train as the store has it, shared by every process on the data dir:
        its origin (set by the first one, from its own start) and the manual rehearsals."""
        if self._train_anchored:
            manual = await asyncio.to_thread(self.store.manual_rehearsals)
        else:
            origin, manual = await asyncio.to_thread(self._train_state, self.sim.train.origin)
            self.sim.anchor_train(origin)
            self._train_anchored = True
        self.sim.train.manual = manual

    def _needs_demo(self) -> bool:
        """Claimed for this process (backends.local.grant_table.claim_demo_grants): opens
        the store on first use, in a thread."""
        return self.store.claim_demo_grants(self.clock.now())

    async def ensure_demo_grants(self) -> None:
        async with self._lock:
            if self._demo_checked:
                return
            if self.options.demo_grants and await asyncio.to_thread(self._needs_demo):
                try:
                    await self._add_demo_grants()
                except BaseException:
                    await asyncio.to_thread(self.store.release_demo_claim)
                    raise
            self._demo_checked = True  # once done: a failure is tried again at the next poll

    async def _add_demo_grants(self) -> None:
        now = self.clock.now()
        for subject, role, reason, minutes in DEMO_GRANTS:
            g = Grant(
                id=uuid.uuid4().hex[:12],
                subject=subject,
                role=role,
                reason=reason,
                granted_by="simulator",
                granted_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )

            async def apply(g: Grant = g) -> None:
                await asyncio.to_thread(self.store.insert_grant, g)

            await audited(
                self.ctx.audit,
                actor="simulator",
                action="grant",
                target=f"{g.subject}:{g.role}",
                details={
                    "grant_id": g.id,
                    "reason": g.reason,
                    "demo": "true",
                    "expires_at": g.expires_at.isoformat(),
                },
                apply=apply,
            )

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def runtime_for(options: LocalOptions, ctx: BackendContext) -> LocalRuntime:
    rt = ctx.shared.get("local")
    if not isinstance(rt, LocalRuntime):
        rt = LocalRuntime(options, ctx)
        ctx.shared["local"] = rt
    return rt
