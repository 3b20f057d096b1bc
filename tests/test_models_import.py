"""Importing the shared models must build no pydantic validator.

Every command imports backends.models; a schema built at import time costs the first
one's ~50 ms of pydantic machinery (and an entry-point scan) before anything is shown.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_models_builds_no_validator() -> None:
    code = (
        "import pydantic, backends.models as m\n"
        "built = sorted(n for n, c in vars(m).items() if isinstance(c, type)"
        " and issubclass(c, pydantic.BaseModel) and c.__pydantic_complete__)\n"
        "print(','.join(built))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"built at import: {proc.stdout.strip()}"
