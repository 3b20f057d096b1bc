"""The `watchfloor` console script: it holds the cyclic garbage collector during start-up.

Start-up builds ~80k objects that live as long as the process: pydantic's schemas, the
simulator's windows, Textual's widget tree. With the collector on, it scans them again and
again while they are being built: ~100 ms of a ~0.9 s start on a 2-core machine, 40 ms of
it in full collections during the simulator's prefill. So the collector is off until the
dashboard's first frame, which freezes everything built so far (`gc.freeze`) and turns it
back on (WatchfloorApp._first_frame_done). A headless command turns it back on before it
runs (tui.cli).
Start-up leaves ~3k objects of cyclic garbage (~0.5 MB); they are frozen with the rest,
once, rather than paying a 70-90 ms full collection to free them.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence


def hold_collector() -> None:
    """Call first thing: the imports and the start-up that follow run without the collector."""
    gc.disable()


def main(argv: Sequence[str] | None = None) -> int:
    hold_collector()
    from tui.cli import main as cli_main

    return cli_main(argv)
