"""A published cut keeps its version on the github backend once a newer release is out.

Only /releases/latest was read: when m47 published, the last-cuts row
`v2026.03.16-m45 ✔ … ✔digests ?notes ✔provenance` became `#45 ✔ success` with an empty
artefacts column, and "which version is on stage?" had no answer at 3 a.m.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from rich.text import Text

from backends.models import ReleaseSnapshot
from tests.fake_github import FakeGitHub
from tests.github_helpers import github_sources
from tests.github_payloads import NOTES, OK, TRAIN, asset, release, train_jobs
from tests.helpers import SIZE, wait_for
from tui.app import WatchfloorApp


def rows(app: WatchfloorApp) -> dict[str, tuple[str, str]]:
    """version: (status, artefacts), as the last-cuts table shows them."""
    table = app.pane("release").table()
    got = [table.get_row_at(i) for i in range(table.row_count)]
    return {str(r[0]): (str(r[1]), Text.assemble(r[5]).plain) for r in got}


def publish_m47(gh: FakeGitHub) -> str:
    """The running cut #47 goes green and publishes its release, now the latest."""
    cut = gh.data["runs"][TRAIN][0]
    start = datetime.fromisoformat(cut["run_started_at"].replace("Z", "+00:00"))
    end = start + timedelta(seconds=130)
    cut.update(status="completed", conclusion="success", updated_at=end.strftime("%FT%TZ"))
    gh.data["jobs"][cut["id"]] = train_jobs(cut["id"], start, [OK, OK, OK, OK])
    files = [asset(21, "checksums.txt", 412, "sha256:" + "d" * 64)]
    m47 = release("v2026.03.16-m47", NOTES, files, cut["head_sha"], end - timedelta(seconds=5))
    gh.data["releases"] = [m47, gh.data["release"]]
    gh.data["release"] = m47
    return str(m47["tag_name"])


async def test_a_cut_keeps_its_version_and_artefacts_once_a_newer_one_publishes(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = WatchfloorApp(github_sources(gh, monkeypatch, poll_s=0.2))
    m45 = gh.data["release"]["tag_name"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: m45 in rows(app), what="the published cut")
        before = rows(app)[m45]
        assert before == ("✔ success", "✔digests ?notes ✔provenance ∅sbom")
        m47 = publish_m47(gh)
        await wait_for(pilot, lambda: m47 in rows(app), what="the newer release")
        assert rows(app)[m45] == before  # not "#45" with no artefacts
        assert "#45" not in rows(app)
        snap = app.snapshots["release"]
        assert isinstance(snap, ReleaseSnapshot) and snap.release is not None
        assert snap.release.tag == m47
