"""A data-dir file that is not a database: the panes that use it say which file, the
others go on, and once the file is put right the next poll recovers."""

from __future__ import annotations

import shutil
from pathlib import Path

from backends.models import HealthState
from tests.helpers import local_sources
from tui.headless import collect

GARBAGE = bytes(range(256)) * 2


def corrupt(data_dir: Path) -> tuple[Path, Path]:
    data_dir.mkdir(parents=True, exist_ok=True)
    store, faults = data_dir / "watchfloor.sqlite3", data_dir / "faults-local.sqlite3"
    store.write_bytes(GARBAGE)
    faults.write_bytes(GARBAGE)
    return store, faults


def put_right(store: Path, faults: Path) -> None:
    shutil.move(store, store.with_suffix(".bad"))  # the operator moves it aside
    faults.unlink()


async def test_a_corrupt_store_is_named_in_the_panes_health(data_dir: Path) -> None:
    store, faults = corrupt(data_dir)
    sources = local_sources()
    snaps = await collect(sources, 0)
    grants, fault_snap = snaps["grants"], snaps["faults"]
    assert grants is not None and fault_snap is not None
    assert grants.health.state is HealthState.ERROR
    assert f"{store}: file is not a database" in (grants.health.last_error or "")
    assert f"{faults}: file is not a database" in (fault_snap.health.last_error or "")
    latency = snaps["latency"]
    assert latency is not None and latency.health.state is HealthState.OK

    put_right(store, faults)
    snaps = await collect(sources, 0)  # the same sources: they open the files again
    for cap in ("grants", "faults"):
        snap = snaps[cap]
        assert snap is not None and snap.health.state is HealthState.OK, cap
