"""Logs go to a file in the data dir, never to the terminal the UI owns."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_NAME = "watchfloor.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path:
    """Route the root logger (and warnings) to a rotating file; drop stderr handlers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOG_NAME
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler):
            root.removeHandler(h)
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return path
