"""A config file that is not UTF-8 is a configuration error naming the file and where,
exit 2, as any bad file; one saved "UTF-8 with BOM" is read.

Before: a Latin-1 "café" in a comment failed every command with exit 1 and
"watchfloor: failed: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in position
5", naming neither the file nor the line; a byte-order mark was "Invalid statement (at
line 1, column 1)"."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import watchfloor_cmd


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "config", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_file_not_in_utf8_is_refused_naming_the_file_and_where(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes("[ui]\n# café\nrefresh_s = 2\n".encode("latin-1"))
    proc = check(path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr == (
        "watchfloor: configuration error:\n"
        f"{path}: not valid TOML: not UTF-8 (byte e9 at line 2, column 6); save it as UTF-8\n"
    )


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[ui]\nrefresh_s = 3\n")
    proc = check(path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: ")
