"""Who did it: the actor is config, so the OS user is recorded too.

`WATCHFLOOR_UI__ACTOR=carol` run as Unix user root granted as carol, and the trail said
only carol. Now every record's details carry `os_user`, and where it is not the actor,
`audit list`, the timeline and the game-day report say `carol (os user root)`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from backends.models import Actor
from tests.conftest import watchfloor_cmd
from tests.grant_helpers import code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.test_timeline_history import open_timeline, report_timeline, rows

CAROL = Actor(name="carol")


async def carol_grants_as_root(clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "root")  # the Unix user getpass.getuser() names
    src = local_sources(clock)
    secret = await enroll(src, "carol")
    await src["grants"].grant(req(code_at(secret, clock.now())), CAROL)
    await src.aclose()


async def test_every_record_carries_the_os_user(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await carol_grants_as_root(frozen_clock, monkeypatch)
    src = local_sources(frozen_clock)
    records = await src["audit"].records(100)
    await src.aclose()
    mine = [r for r in records if r.actor == "carol"]
    assert [r.phase for r in mine] == ["request", "outcome"]
    assert all(r.details.get("os_user") == "root" for r in records), records


def audit_list() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "audit", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LOGNAME": "root"},
    )


async def test_audit_list_says_the_os_user_where_it_is_not_the_actor(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await carol_grants_as_root(frozen_clock, monkeypatch)
    proc = audit_list()
    assert proc.returncode == 0, proc.stderr
    grants = [line for line in proc.stdout.splitlines() if "alice:sre-oncall" in line]
    assert len(grants) == 2 and all("carol (os user root)" in line for line in grants)


async def test_the_timeline_and_the_report_say_the_os_user(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await carol_grants_as_root(frozen_clock, monkeypatch)
    frozen_clock.advance(600)
    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_timeline(pilot, app, "from the audit trail")
        (grant,) = [r for r in rows(screen) if "alice:sre-oncall" in r[2]]
        assert grant[2].startswith("carol (os user root) grant alice:sre-oncall applied")
        await pilot.press("escape")
        await pilot.press("x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    assert "carol (os user root) grant alice:sre-oncall" in report_timeline(tmp_path)
