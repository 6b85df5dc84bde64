"""Fixtures for the CLI's tests: a sandbox in a thread, and `main()` run in-process.

`main()` runs its own event loop with asyncio.run, so these tests are plain sync
tests, and the sandbox serves from a background thread with a loop of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import attrs
import pytest

from vapay.cli import main
from vapay.sandbox import Sandbox

_SETTLE = 0.05
T = TypeVar("T")
ENV_VARS = ("VAPAY_API_KEY", "VAPAY_CLIENT_ID", "VAPAY_CLIENT_SECRET", "VAPAY_BASE_URL")


class ThreadedServer(Generic[T]):
    """A server (an async context manager) held open by an event loop in a background thread."""

    def __init__(self, server: contextlib.AbstractAsyncContextManager[T]) -> None:
        self._server = server
        self._entered: T | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="server", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as err:  # noqa: BLE001 - reported to the test thread
            self._error = err
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with self._server as entered:
            self._entered = entered
            self._ready.set()
            await self._stop.wait()
            # A CLI run that failed fast abandons connections the server may not
            # have accepted yet; let it accept and close them before it shuts
            # down, or their transports outlive the loop (a ResourceWarning).
            await asyncio.sleep(_SETTLE)

    def __enter__(self) -> T:
        self._thread.start()
        self._ready.wait(timeout=10)
        if self._error is not None:
            raise self._error
        assert self._entered is not None
        return self._entered

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)


class ThreadedSandbox(ThreadedServer[Sandbox]):
    """A `Sandbox` served by an event loop in a background thread."""

    def __init__(self, **options: Any) -> None:
        self.sandbox = Sandbox(**options)
        super().__init__(self.sandbox)


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


def export_settings(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    """Put *sandbox*'s settings in the `VAPAY_*` variables."""
    monkeypatch.setenv("VAPAY_API_KEY", sandbox.api_key)
    monkeypatch.setenv("VAPAY_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("VAPAY_CLIENT_SECRET", sandbox.client_secret)
    monkeypatch.setenv("VAPAY_BASE_URL", sandbox.url)


@pytest.fixture(name="credentials")
def _credentials(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox's settings in the `VAPAY_*` variables."""
    export_settings(monkeypatch, sandbox)
    return sandbox


def with_fields(
    sandbox: Sandbox, account: Mapping[str, Any], virtual_account: Mapping[str, Any]
) -> None:
    """Give *sandbox*'s first account the fields *account*, and each of its
    virtual accounts the fields *virtual_account*; before it starts serving."""
    state = sandbox.state
    first, *others = state.accounts
    virtual_accounts = dict(state.virtual_accounts)
    virtual_accounts[first.id] = [
        attrs.evolve(va, **virtual_account) for va in virtual_accounts[first.id]
    ]
    # A new state, because the state caches each record's wire form.
    sandbox.state = attrs.evolve(
        state,
        accounts=[attrs.evolve(first, **account), *others],
        virtual_accounts=virtual_accounts,
    )


ServeData = Callable[..., Sandbox]


@pytest.fixture(name="serve_data")
def _serve_data(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServeData]:
    """Serve a sandbox whose data a test sets (see `with_fields`), its settings exported.

    As the hostile server of issue #13 would: the fields may hold anything a JSON
    string can, escape sequences and lone surrogates included.
    """
    with contextlib.ExitStack() as servers:

        def serve(
            *,
            account: Mapping[str, Any] | None = None,
            virtual_account: Mapping[str, Any] | None = None,
            live: bool = False,
        ) -> Sandbox:
            threaded = ThreadedSandbox(**SANDBOX_OPTIONS, live=live)
            with_fields(threaded.sandbox, account or {}, virtual_account or {})
            sandbox = servers.enter_context(threaded)
            export_settings(monkeypatch, sandbox)
            return sandbox

        yield serve


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
