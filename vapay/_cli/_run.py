"""Running a parsed command: its event loop, its exit code, its one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from vapay._cli._commands import (
    accounts_create,
    accounts_get,
    accounts_list,
    accounts_update_status,
    virtual_accounts_list,
)
from vapay._cli._connect import connect
from vapay._cli._demo import demo_command
from vapay._cli._money_in import (
    balance_show,
    transactions_list,
    virtual_accounts_create,
    virtual_accounts_delete,
    virtual_accounts_get,
    virtual_accounts_update,
)
from vapay._cli._output import CliError, Streams
from vapay._cli._reconcile import LedgerUsageError, reconcile_command
from vapay._cli._terminal import printable
from vapay._cli._va_export import export_command
from vapay._cli._webhooks import webhooks_verify
from vapay._client import Client
from vapay._errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    VapayError,
)

# asyncio.run() takes a coroutine, not any awaitable.
Command = Callable[[argparse.Namespace, Streams], Coroutine[Any, Any, int]]
ClientCommand = Callable[[Client, argparse.Namespace, Streams], Awaitable[int]]

EXIT_ERROR = 1
EXIT_USAGE = 2
# What a shell reports for a process stopped by SIGINT, SIGPIPE or SIGTERM
# (128 + signal).
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_TERMINATED = 143

_LABELS: tuple[tuple[type[APIStatusError], str], ...] = (
    (AuthenticationError, "authentication failed"),
    (PermissionDeniedError, "permission denied"),
    (NotFoundError, "not found"),
    (UnprocessableEntityError, "rejected"),
    (RateLimitError, "rate limited"),
    (InternalServerError, "server error"),
    (BadRequestError, "bad request"),
)


def _with_client(command: ClientCommand) -> Command:
    async def run(args: argparse.Namespace, streams: Streams) -> int:
        async with connect(args) as client:
            return await command(client, args, streams)

    return run


COMMANDS: dict[str, Command] = {
    "accounts.list": _with_client(accounts_list),
    "accounts.get": _with_client(accounts_get),
    "accounts.create": _with_client(accounts_create),
    "accounts.update_status": _with_client(accounts_update_status),
    "virtual_accounts.list": _with_client(virtual_accounts_list),
    "virtual_accounts.create": _with_client(virtual_accounts_create),
    "virtual_accounts.get": _with_client(virtual_accounts_get),
    "virtual_accounts.update": _with_client(virtual_accounts_update),
    "virtual_accounts.delete": _with_client(virtual_accounts_delete),
    "transactions.list": _with_client(transactions_list),
    "balance": _with_client(balance_show),
    "virtual_accounts.export": export_command,
    "reconcile": reconcile_command,
    "demo": demo_command,
    "webhooks.verify": webhooks_verify,
}


def describe(err: Exception) -> str:
    """*err* as one line: what went wrong, and what the server said."""
    if isinstance(err, APIStatusError):
        label = next((text for cls, text in _LABELS if isinstance(err, cls)), "API error")
        message = f"{label} (HTTP {err.status}): {err.message}"
        if isinstance(err, UnprocessableEntityError) and err.errors:
            fields = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in err.errors.items())
            message += f" ({fields})"
    else:
        message = str(err) or type(err).__name__
    # One line, whatever the server put in its message, and inert on a terminal.
    return printable(" ".join(message.split()))


class _Terminated(Exception):  # noqa: N818 - a stop, like KeyboardInterrupt; not an error
    """The command was cancelled by SIGTERM."""


async def _cancelled_by_sigterm(command: Coroutine[Any, Any, int]) -> int:
    """Run *command*, cancelled by SIGTERM as asyncio.run cancels it on Ctrl-C.

    Cancelling unwinds the command: requests in flight are cancelled, the client
    is closed, a partial export is removed. Without the handler, SIGTERM would
    kill the process on the spot and leave the partial file behind.

    Raises:
        _Terminated: SIGTERM cancelled *command*.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None  # noqa: S101 - run by asyncio.run, so in a task
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        task.cancel()

    previous = signal.getsignal(signal.SIGTERM)
    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
    except (NotImplementedError, RuntimeError):
        # No signal handlers in this loop (Windows) or off the main thread:
        # SIGTERM keeps its default effect there.
        return await command
    try:
        return await command
    except asyncio.CancelledError:
        if terminated:
            raise _Terminated from None
        raise
    finally:
        # remove_signal_handler resets SIGTERM to its default; put back the
        # handler of whoever called main() (None: one set outside Python).
        loop.remove_signal_handler(signal.SIGTERM)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    # The reader has gone (`vapay ... | head`): point stdout at /dev/null so the
    # interpreter's final flush does not complain about the broken pipe again.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def run(args: argparse.Namespace) -> int:
    """Run the parsed command *args* in a new event loop; the exit code.

    Ctrl-C cancels the command's task (asyncio.run does that on SIGINT), which
    closes the client and cancels every request in flight before returning 130;
    SIGTERM does the same, then returns 143.
    """
    for stream in (sys.stdout, sys.stderr):
        # A string the API sent may hold what the terminal cannot encode (a lone
        # surrogate): show it escaped rather than stop the listing half way.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    streams = Streams(stdout=sys.stdout, stderr=sys.stderr, force_json=args.json)
    try:
        return asyncio.run(_cancelled_by_sigterm(COMMANDS[args.command](args, streams)))
    except KeyboardInterrupt:
        print("vapay: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        print("vapay: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except LedgerUsageError as err:
        print(f"vapay: error: {describe(err)}", file=sys.stderr)
        return EXIT_USAGE
    except (VapayError, CliError, ValueError, OSError) as err:
        print(f"vapay: error: {describe(err)}", file=sys.stderr)
        return EXIT_ERROR
