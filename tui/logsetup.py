"""Logs go to a file in the data dir, never to the terminal the UI owns."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from backends.data_dir import make_data_dir

LOG_NAME = "watchfloor.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogFile(logging.handlers.RotatingFileHandler):
    """The log file. A write that fails (a full disk) is not printed on stderr, as
    logging's own handler does (a traceback of 50 lines before a command's one line, a
    HALT ALL's too): `failed` says why, for whoever pointed at the file to say so."""

    failed: str = ""

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        self.failed = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def log_file() -> LogFile | None:
    """The root logger's log file, once setup_logging has added it."""
    return next((h for h in logging.getLogger().handlers if isinstance(h, LogFile)), None)


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path:
    """Route the root logger (and warnings) to a rotating file; drop stderr handlers."""
    make_data_dir(data_dir)
    path = data_dir / LOG_NAME
    root = logging.getLogger()
    for h in list(root.handlers):
        if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler):
            root.removeHandler(h)
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = LogFile(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return path
