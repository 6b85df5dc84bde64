"""Running a parsed command: its event loop, its exit code, its one-line errors."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
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
from vapay._cli._output import CliError, Streams
from vapay._cli._reconcile import reconcile_command
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
# What a shell reports for a process stopped by SIGINT or SIGPIPE (128 + signal).
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

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
    "reconcile": reconcile_command,
    "demo": demo_command,
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
    # One line, whatever the server put in its message.
    return " ".join(message.split())


def _silence_stdout() -> None:
    # The reader has gone (`vapay ... | head`): point stdout at /dev/null so the
    # interpreter's final flush does not complain about the broken pipe again.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def run(args: argparse.Namespace) -> int:
    """Run the parsed command *args* in a new event loop; the exit code.

    Ctrl-C cancels the command's task (asyncio.run does that on SIGINT), which
    closes the client and cancels every request in flight before returning 130.
    """
    for stream in (sys.stdout, sys.stderr):
        # A string the API sent may hold what the terminal cannot encode (a lone
        # surrogate): show it escaped rather than stop the listing half way.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    streams = Streams(stdout=sys.stdout, stderr=sys.stderr, force_json=args.json)
    try:
        return asyncio.run(COMMANDS[args.command](args, streams))
    except KeyboardInterrupt:
        print("vapay: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except (VapayError, CliError, ValueError, OSError) as err:
        print(f"vapay: error: {describe(err)}", file=sys.stderr)
        return EXIT_ERROR
