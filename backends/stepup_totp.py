"""The local step-up adapter: TOTP (RFC 6238, pyotp) with its secret 0600 in the data dir.

A code is accepted for the current 30-second step or one step either side (clock drift),
and only once: the last accepted step is remembered on disk under a file lock, so the
same code (or an older one) is refused afterwards, across processes too (RFC 6238 5.2).
The step is spent for the whole data dir: a second engineer's code in the same step, or a
fresh code after `stepup enroll --rotate`, is refused too, with how long until the next.
The code itself is never stored or logged.
"""

from __future__ import annotations

import asyncio
import fcntl
import hmac
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from backends.clock import Clock
from backends.contracts import ActionRefused
from backends.data_dir import make_data_dir

SECRET_FILE = "stepup-totp.secret"
STATE_FILE = "stepup-totp.used"
ISSUER = "Watchfloor"
STEP_S = 30
DRIFT_STEPS = 1


class TotpStepUp:
    name = "local"

    def __init__(self, data_dir: Path, clock: Clock) -> None:
        self.data_dir = data_dir
        self.clock = clock

    @property
    def secret_path(self) -> Path:
        return self.data_dir / SECRET_FILE

    def _secret(self) -> str:
        try:
            return self.secret_path.read_text().strip()
        except FileNotFoundError:
            raise ActionRefused(
                "step-up is not enrolled: run `watchfloor stepup enroll` first"
            ) from None

    @contextmanager
    def _locked(self) -> Iterator[Path]:
        make_data_dir(self.data_dir)
        fd = os.open(self.data_dir / f"{STATE_FILE}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self.data_dir / STATE_FILE
        finally:
            os.close(fd)

    def _step_of(self, code: str) -> int | None:
        """The step (now, or one either side) whose code this is, or None."""
        import pyotp  # loaded when a code is checked, not at start-up

        totp = pyotp.TOTP(self._secret(), interval=STEP_S)
        now_step = int(self.clock.now().timestamp()) // STEP_S
        return next(
            (
                step
                for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1)
                if hmac.compare_digest(totp.generate_otp(step), code)
            ),
            None,
        )

    def check(self, actor: str, code: str) -> None:
        """Synchronous verify (the async one runs this in a thread)."""
        code = code.strip().replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise ActionRefused("a step-up code is 6 digits", field="step_up_code")
        matched = self._step_of(code)
        if matched is None:
            raise ActionRefused("step-up code is wrong or expired", field="step_up_code")
        with self._locked() as state:
            try:
                used = json.loads(state.read_text())
                last, by = int(used.get("last_step", -1)), str(used.get("by", ""))
            except (FileNotFoundError, ValueError, AttributeError):
                last, by = -1, ""
            if matched <= last:
                raise ActionRefused(self._spent(matched, last, by, actor), field="step_up_code")
            self._write(state, {"last_step": matched, "by": actor, "before": [last, by]})

    @staticmethod
    def _write(state: Path, used: dict[str, object]) -> None:
        tmp = state.with_name(f".{state.name}.tmp")
        tmp.write_text(json.dumps(used))
        os.chmod(tmp, 0o600)
        os.replace(tmp, state)

    def refund_sync(self, actor: str, code: str) -> bool:
        """The action this code was accepted for did nothing (the backend failed before
        it applied): the code is good again, unless a later one was accepted meanwhile.
        Only the actor's own last acceptance is undone. True when it was."""
        step = self._step_of(code.strip().replace(" ", ""))
        if step is None:
            return False  # its time is over: nothing to give back
        with self._locked() as state:
            try:
                used = json.loads(state.read_text())
                before = used.get("before")
                mine = used.get("last_step") == step and used.get("by") == actor
            except (FileNotFoundError, ValueError, AttributeError):
                return False
            if not mine or not isinstance(before, list) or len(before) != 2:
                return False
            self._write(state, {"last_step": int(before[0]), "by": str(before[1])})
            return True

    async def refund(self, actor: str, code: str) -> bool:
        return await asyncio.to_thread(self.refund_sync, actor, code)

    def _spent(self, matched: int, last: int, by: str, actor: str) -> str:
        """Why a right code is refused: a code of its step (or a later one) was accepted
        already, from this data dir, whoever used it and whatever secret made it (a code
        never typed before is refused too, e.g. right after `stepup enroll --rotate`).
        A code of a past step (accepted for clock drift) that was used: the current code
        works now, unless its step was used too (then: how long until the next)."""
        now = self.clock.now().timestamp()
        wait = max(1, math.ceil((last + 1) * STEP_S - now))
        who = f" (by {by})" if by and by != actor else ""
        if matched < int(now) // STEP_S:
            past = f"this step-up code is from a past {STEP_S}-second step and was already used"
            if last < int(now) // STEP_S:
                return f"{past}{who}: use the current code from your authenticator"
            return (
                f"{past}, and so was the current step's{who}: wait for the next code, in {wait} s"
            )
        return (
            f"a step-up code for this {STEP_S}-second step was already used{who}: codes are"
            f" single-use per step, for everyone on this data dir; wait for the next code,"
            f" in {wait} s"
        )

    async def verify(self, actor: str, code: str) -> None:
        await asyncio.to_thread(self.check, actor, code)

    def enroll_sync(self, actor: str, *, rotate: bool = False) -> str:
        import pyotp

        from backends.audit_signing import write_secret

        make_data_dir(self.data_dir)
        if self.secret_path.exists():
            if not rotate:
                raise ActionRefused(
                    f"step-up is already enrolled ({self.secret_path}); "
                    "use --rotate to replace the secret"
                )
            self.secret_path.unlink()
        try:
            write_secret(self.secret_path, pyotp.random_base32().encode())
        except FileExistsError:
            raise ActionRefused("another enrollment happened at the same time") from None
        return pyotp.TOTP(self._secret(), interval=STEP_S).provisioning_uri(
            name=actor, issuer_name=ISSUER
        )

    async def enroll(self, actor: str, *, rotate: bool = False) -> str:
        return await asyncio.to_thread(self.enroll_sync, actor, rotate=rotate)

    async def aclose(self) -> None:
        return None
