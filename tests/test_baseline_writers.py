"""Two dashboards on one data dir marking baselines at once (each `b` on its own profile)
keep both: a save reads the file, adds its entry and replaces the file, and a second save
in between was lost."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from backends import baseline_store
from backends.baseline_store import KeptBaseline, P999Mark, baseline_key, load_baseline
from tests.conftest import T0

PROD = baseline_key("prod", "prod", "prometheus")
STAGE = baseline_key("stage", "stage", "prometheus")
LOCAL = baseline_key("", "local", "local")


def kept(ms: float) -> KeptBaseline:
    return KeptBaseline(baseline=P999Mark(at=T0, p999_ms={"GET /search": ms}))


def test_a_save_between_anothers_read_and_write_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline_store.save_baseline(tmp_path, LOCAL, kept(50.0))  # the file exists
    read_by_first = threading.Event()
    second_done = threading.Event()
    real = baseline_store._entries

    def entries(path: Path) -> dict[str, Any]:
        found = real(path)
        if threading.current_thread().name == "first":
            read_by_first.set()
            second_done.wait(1.0)  # the second save runs now, unless it has to wait
        return found

    monkeypatch.setattr(baseline_store, "_entries", entries)

    def second() -> None:
        read_by_first.wait(5.0)
        baseline_store.save_baseline(tmp_path, STAGE, kept(90.0))
        second_done.set()

    first = threading.Thread(
        target=baseline_store.save_baseline, args=(tmp_path, PROD, kept(200.0)), name="first"
    )
    other = threading.Thread(target=second, name="second")
    first.start()
    other.start()
    first.join(10)
    other.join(10)
    assert load_baseline(tmp_path, PROD, T0).kept == kept(200.0)
    assert load_baseline(tmp_path, STAGE, T0).kept == kept(90.0)
    assert load_baseline(tmp_path, LOCAL, T0).kept == kept(50.0)
    assert [p.name for p in tmp_path.iterdir()] == ["baselines.json"]  # nothing else left
