"""Drive a real terminal program in tmux: start it, type, read the screen."""

from __future__ import annotations

import builtins
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping
from types import TracebackType


class Tmux:
    def __init__(
        self, command: list[str], env: Mapping[str, str], size: tuple[int, int] = (160, 50)
    ):
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (.ci/system-deps.sh installs it)")
        self.name = f"wf-{uuid.uuid4().hex[:8]}"
        self.socket = f"wf-e2e-{self.name}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        shell_cmd = f"env -i {exports} {shlex.join(command)}; echo EXITED=$?; sleep 30"
        self._tmux(
            "new-session", "-d", "-s", self.name, "-x", str(size[0]), "-y", str(size[1]), shell_cmd
        )

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        for k in keys:
            self._tmux("send-keys", "-t", self.name, *(["-l", k] if literal else [k]))
            time.sleep(0.05)

    def enter(self, settle: float = 0.6) -> None:
        """Enter, then give the app time to move focus as a person would."""
        self.keys("Enter")
        time.sleep(settle)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, within: float = 20.0) -> str:
        deadline = time.monotonic() + within
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                time.sleep(0.3)  # let a just-opened screen take focus before typing
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen after {within}s; screen was:\n{shown}")

    def wait_gone(self, text: str, within: float = 20.0) -> str:
        deadline = time.monotonic() + within
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text not in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} still on screen after {within}s:\n{shown}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=20)

    def __enter__(self) -> Tmux:
        return self

    def __exit__(
        self,
        et: builtins.type[BaseException] | None,
        ev: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
