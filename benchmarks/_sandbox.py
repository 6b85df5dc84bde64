"""Run `python -m vapay.sandbox` in a process of its own, and always stop it.

The sandbox prints its settings (`VAPAY_BASE_URL=...` and the credentials) on
stdout once it is serving; `sandbox_process` waits for them, yields them, and
terminates the process on the way out, whatever ends the block (an error, Ctrl-C).
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

_KEYS = ("VAPAY_BASE_URL", "VAPAY_API_KEY", "VAPAY_CLIENT_ID", "VAPAY_CLIENT_SECRET")
_STOP_TIMEOUT = 10.0


class SandboxError(RuntimeError):
    """The sandbox process did not start, or did not say where it serves."""


@dataclass(frozen=True)
class SandboxSettings:
    """Where a sandbox serves, and the credentials it accepts."""

    base_url: str
    api_key: str
    client_id: str
    client_secret: str
    latency: float

    def env(self) -> dict[str, str]:
        """The settings as the `VAPAY_*` environment variables vapay.Client reads."""
        return dict(zip(_KEYS, self._values(), strict=True))

    def _values(self) -> tuple[str, str, str, str]:
        return (self.base_url, self.api_key, self.client_id, self.client_secret)


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _read_settings(
    process: subprocess.Popen[str], *, latency: float, timeout: float
) -> SandboxSettings:
    """Wait (at most *timeout* seconds) for the four `VAPAY_*=` lines."""
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    found: dict[str, str] = {}
    while len(found) < len(_KEYS):
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise SandboxError(f"the sandbox printed no settings within {timeout:.0f}s") from None
        if line is None:
            raise SandboxError(f"the sandbox exited with status {process.wait()}")
        key, sep, value = line.strip().partition("=")
        if sep and key in _KEYS:
            found[key] = value
    return SandboxSettings(
        base_url=found["VAPAY_BASE_URL"],
        api_key=found["VAPAY_API_KEY"],
        client_id=found["VAPAY_CLIENT_ID"],
        client_secret=found["VAPAY_CLIENT_SECRET"],
        latency=latency,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM (the sandbox stops cleanly on it), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def sandbox_process(
    *,
    virtual_accounts: int,
    latency: float,
    accounts: int = 1,
    seed: int = 0,
    timeout: float = 120.0,
) -> Iterator[SandboxSettings]:
    """A sandbox with *accounts* accounts of *virtual_accounts* VAs each, on a free loopback port.

    Args:
        virtual_accounts: virtual accounts of each account (kinds alternate, so
            half of them are `temporary`).
        accounts: how many accounts.
        latency: seconds the sandbox adds to every non-token response.
        seed: the sandbox's data seed.
        timeout: seconds to wait for the sandbox to start serving.

    Raises:
        SandboxError: it did not start; its stderr is in the message.
    """
    command = [
        sys.executable,
        "-m",
        "vapay.sandbox",
        "--port",
        "0",  # the sandbox binds a free port and prints its URL
        "--accounts",
        str(accounts),
        "--virtual-accounts",
        str(virtual_accounts),
        "--seed",
        str(seed),
        "--latency",
        repr(latency),
    ]
    with tempfile.TemporaryFile(mode="w+") as stderr:
        # A session of its own: Ctrl-C reaches only this script, which stops it below.
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True
        )
        try:
            try:
                settings = _read_settings(process, latency=latency, timeout=timeout)
            except SandboxError as err:
                _stop(process)
                stderr.seek(0)
                raise SandboxError(f"{err}; its stderr:\n{stderr.read()[-2000:]}") from None
            yield settings
        finally:
            _stop(process)
