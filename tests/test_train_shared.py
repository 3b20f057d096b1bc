"""One simulated release train per data dir: the dashboard, `watchfloor snapshot --json`
and a restarted dashboard on the same data dir show the same cuts, release and manual
rehearsals (each process started its own train at its own start time: the snapshot said
m4 failed and m3 was the latest while the dashboard showed m5, and a rehearsal triggered
in the dashboard was unknown to the snapshot)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from backends.local.sim import PREFILL_S, Simulator
from backends.models import ReleaseRun, ReleaseSnapshot, StageStatus
from tests.conftest import T0, watchfloor_cmd
from tests.grant_helpers import ME
from tests.helpers import local_sources

REASON = "monthly rollback drill on stage"


def runs(snap: ReleaseSnapshot) -> dict[str, ReleaseRun]:
    return {r.id: r for r in (snap.current, *snap.recent) if r is not None}


async def test_a_dashboard_and_a_later_process_show_one_train_and_its_rehearsals() -> None:
    dashboard = FrozenClock(T0)
    a = local_sources(dashboard)
    first = await a["release"].snapshot()
    assert first.current is not None and first.current.version == "v2026.03.16-m4"
    dashboard.advance(7 * 60)  # m5 published and rehearsed, m6 running
    b = local_sources(FrozenClock(T0 + timedelta(minutes=7)))  # `snapshot --json`, later
    await a["release"].trigger_rehearsal(ME, REASON)
    sa, sb = await a["release"].snapshot(), await b["release"].snapshot()
    assert sa.current is not None and sb.current is not None
    assert sa.current.version == sb.current.version == "v2026.03.16-m6"
    assert sa.current == sb.current and runs(sa) == runs(sb)
    assert sa.release is not None and sb.release is not None
    assert sa.release.tag == sb.release.tag == "v2026.03.16-m5"
    assert sa.rehearsals == sb.rehearsals and sa.rehearsal == sb.rehearsal
    manual = sb.rehearsal
    assert manual is not None and manual.status is StageStatus.RUNNING
    assert (manual.run_id, manual.actor, manual.reason, manual.release) == (
        "rehearsal-manual-1",
        "dave",
        REASON,
        "v2026.03.16-m5",
    )
    assert manual.started_at == T0 + timedelta(minutes=7)
    # the other process knows it runs: a second one from there is refused
    with pytest.raises(ActionRefused, match="rehearsal-manual-1, running since 09:07:00Z"):
        await b["release"].trigger_rehearsal(ME, "a second drill from the other process")

    # a dashboard restarted an hour later: the same train, not one starting over at m4
    dashboard.advance(53 * 60)
    c = local_sources(FrozenClock(T0 + timedelta(hours=1)))
    sa, sc = await a["release"].snapshot(), await c["release"].snapshot()
    assert sa.current is not None and sa.current == sc.current
    assert sa.current.version == "v2026.03.16-m19"
    assert sa.release == sc.release and runs(sa) == runs(sc)
    assert [r.run_id for r in sc.rehearsals] == [r.run_id for r in sa.rehearsals]
    for src in (a, b, c):
        await src.aclose()


def test_watchfloor_snapshot_beside_a_running_source_shows_the_same_cuts(
    data_dir: Path,
) -> None:
    """The explorer's case, with the real command and clock: a source on the data dir
    first, `watchfloor snapshot --json` seconds later."""

    async def here() -> ReleaseSnapshot:
        src = local_sources()
        try:
            snap = await src["release"].snapshot()
        finally:
            await src.aclose()
        assert isinstance(snap, ReleaseSnapshot)
        return snap

    before = asyncio.run(here())
    proc = subprocess.run(
        [*watchfloor_cmd(), "snapshot", "--json", "--for", "0.5s"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WATCHFLOOR_DATA_DIR": str(data_dir)},
    )
    assert proc.returncode == 0, proc.stderr
    release = ReleaseSnapshot.model_validate(json.loads(proc.stdout)["release"])
    after = asyncio.run(here())
    theirs = runs(release)
    # every finished cut both saw is the same cut: same version, start and end
    both = [i for i in runs(before) if i in theirs and theirs[i].finished_at is not None]
    both += [i for i in runs(after) if i in theirs and theirs[i].finished_at is not None]
    assert both
    for i in both:
        ours = runs(before).get(i) or runs(after)[i]
        assert (ours.version, ours.started_at, ours.finished_at) == (
            theirs[i].version,
            theirs[i].started_at,
            theirs[i].finished_at,
        )


def test_versions_are_numbered_within_their_utc_day_on_an_old_train() -> None:
    """A data dir three days old: the day's cuts are m1, m2, … (not m1000 and up), and
    every fourth of the day fails, as on the first day."""
    origin = T0 - timedelta(seconds=PREFILL_S)  # the train's first cut: 08:46:30Z, m1

    def version_at(at: str) -> ReleaseRun:
        hh, mm = (int(x) for x in at.split(":"))
        start = T0.replace(day=19, hour=hh, minute=mm)
        current = Simulator(start=start, train_origin=origin).release().current
        assert current is not None
        return current

    assert version_at("09:00").version == "v2026.03.19-m135"  # cut at 08:58:30Z
    assert version_at("00:03").version == "v2026.03.19-m1"  # cut at 00:02:30Z
    assert version_at("00:01").version == "v2026.03.18-m360"  # cut at 23:58:30Z
    first_day = Simulator(start=T0.replace(hour=23, minute=59), train_origin=origin)
    assert first_day.release().current.version == "v2026.03.16-m229"  # type: ignore[union-attr]
    sim = Simulator(start=T0.replace(day=19, hour=9, minute=20), train_origin=origin)
    seen = [*sim.release().recent]
    failed = [r.version for r in seen if r.status is StageStatus.FAILURE]
    assert failed and all(int(v.rsplit("-m", 1)[1]) % 4 == 0 for v in failed)
    ok = [r.version for r in seen if r.status is StageStatus.SUCCESS]
    assert ok and all(int(v.rsplit("-m", 1)[1]) % 4 for v in ok)


async def test_a_data_dir_from_before_keeps_its_store_and_gets_a_train(data_dir: Path) -> None:
    """A store written before the train's tables existed opens as is (WAL, audit intact)."""
    clock = FrozenClock(T0)
    src = local_sources(clock)
    await src["grants"].snapshot()  # the demo grants: audited
    await src.aclose()
    db = data_dir / "watchfloor.sqlite3"

    def drop() -> tuple[str, int]:
        con = sqlite3.connect(db)
        con.execute("DROP TABLE meta")
        con.execute("DROP TABLE rehearsals")
        con.commit()
        (mode,) = con.execute("PRAGMA journal_mode").fetchone()
        (n,) = con.execute("SELECT COUNT(*) FROM audit").fetchone()
        con.close()
        return mode, n

    mode, records = await asyncio.to_thread(drop)
    assert mode == "wal" and records > 0
    src = local_sources(FrozenClock(T0 + timedelta(minutes=7)))
    snap = await src["release"].snapshot()
    await src["release"].trigger_rehearsal(ME, REASON)
    manual = (await src["release"].snapshot()).rehearsal
    assert manual is not None and manual.run_id == "rehearsal-manual-1"
    assert snap.current is not None and snap.current.version == "v2026.03.16-m4"
    assert (await src["audit"].verify()).ok
    await src.aclose()
