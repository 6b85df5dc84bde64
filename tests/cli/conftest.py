"""Fixtures for the CLI's tests: a sandbox in a thread, and `main()` run in-process.

`main()` runs its own event loop with asyncio.run, so these tests are plain sync
tests, and the sandbox serves from a background thread with a loop of its own.
"""

from __future__ import annotations

import asyncio
import io
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from vapay.cli import main
from vapay.sandbox import Sandbox

_SETTLE = 0.05
ENV_VARS = ("VAPAY_API_KEY", "VAPAY_CLIENT_ID", "VAPAY_CLIENT_SECRET", "VAPAY_BASE_URL")


class ThreadedSandbox:
    """A `Sandbox` served by an event loop in a background thread."""

    def __init__(self, **options: Any) -> None:
        self.sandbox = Sandbox(**options)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sandbox", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as err:  # noqa: BLE001 - reported to the test thread
            self._error = err
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with self.sandbox:
            self._ready.set()
            await self._stop.wait()
            # A CLI run that failed fast abandons connections the server may not
            # have accepted yet; let it accept and close them before it shuts
            # down, or their transports outlive the loop (a ResourceWarning).
            await asyncio.sleep(_SETTLE)

    def __enter__(self) -> Sandbox:
        self._thread.start()
        self._ready.wait(timeout=10)
        if self._error is not None:
            raise self._error
        return self.sandbox

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials or rich settings from the developer's shell leak in."""
    for name in (*ENV_VARS, "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")


SANDBOX_OPTIONS: dict[str, Any] = {"accounts": 4, "virtual_accounts_per_account": 6, "seed": 3}


@pytest.fixture(name="sandbox")
def _sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(**SANDBOX_OPTIONS) as sandbox:
        yield sandbox


@pytest.fixture(name="credentials")
def _credentials(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox's settings in the `VAPAY_*` variables."""
    monkeypatch.setenv("VAPAY_API_KEY", sandbox.api_key)
    monkeypatch.setenv("VAPAY_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("VAPAY_CLIENT_SECRET", sandbox.client_secret)
    monkeypatch.setenv("VAPAY_BASE_URL", sandbox.url)
    return sandbox


@attrs.frozen
class Result:
    """What one run of `main()` did."""

    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture(name="run")
def _run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `main(args)` in-process; its exit code and captured output."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a person's would."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(name="run_tty")
def _run_tty(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run `main(args)` with stdout and stderr on (fake) terminals."""

    def run(*args: str) -> Result:
        out, err = Terminal(), Terminal()
        with monkeypatch.context() as patch:
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            code = main(list(args))
        return Result(code, out.getvalue(), err.getvalue())

    return run
