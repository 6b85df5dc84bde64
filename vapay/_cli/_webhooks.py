"""`vapay webhooks verify`: check one saved callback delivery as a handler would.

The grammar here is imported by `_args`, so this module imports nothing that
needs rich at its top; the command imports its output helpers when it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from vapay import webhooks
from vapay._errors import WebhookVerificationError
from vapay._models import Bank, Fee, Money

if TYPE_CHECKING:
    from vapay._cli._output import Streams

EXIT_REFUSED = 1
EXIT_USAGE = 2
# A saved delivery is a body of at most MAX_BODY_BYTES, escaped into JSON: even
# fully \u-escaped it stays under this; more is not a delivery.
_MAX_INPUT_BYTES = 8 * webhooks.MAX_BODY_BYTES

_DESCRIPTION = """\
Verify a saved callback delivery exactly as vapay.webhooks.verify does in a
handler, and print its event, or why it is refused.

FILE (or - for stdin) is JSON: {"headers": {"X-Signature": "...", ...},
"body": "<the raw body, as one string>"}. Secrets are read from the named
environment variables, never from the command line. Exit 0: verified;
1: refused; 2: a usage error.
"""


class _UsageError(Exception):
    """A problem with the command line or the input file (exit 2)."""


def add_webhooks(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`vapay webhooks verify ...`, in *commands*."""
    # Imported here: `_args` imports this module for its grammar.
    from vapay._cli._args import non_negative_float  # noqa: PLC0415

    group = commands.add_parser("webhooks", help="verify a saved callback delivery")
    actions = group.add_subparsers(title="actions", dest="action", required=True)
    verify = actions.add_parser(
        "verify",
        help="verify one delivery and print its event",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.set_defaults(command="webhooks.verify")
    verify.add_argument(
        "--endpoint",
        required=True,
        metavar="PATH",
        help="the path and query of the callback URL as registered, e.g. /hooks/va?x=1",
    )
    verify.add_argument(
        "--secret-env",
        required=True,
        action="append",
        metavar="NAME",
        help="an environment variable holding a candidate secret (repeat for more)",
    )
    verify.add_argument(
        "--tolerance",
        type=non_negative_float,
        default=webhooks.DEFAULT_TOLERANCE,
        metavar="SECONDS",
        help=f"the window around now (default: {webhooks.DEFAULT_TOLERANCE})",
    )
    verify.add_argument(
        "--now",
        type=non_negative_float,
        metavar="UNIX",
        help="check the window against these Unix seconds (default: the clock)",
    )
    verify.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="JSON even on a terminal (default: a table on a terminal, JSON in a pipe)",
    )
    verify.add_argument("file", metavar="FILE", help="the saved delivery, or - for stdin")


async def webhooks_verify(args: argparse.Namespace, streams: Streams) -> int:
    """`vapay webhooks verify`: 0 verified, 1 refused, 2 a usage error."""
    try:
        secrets = [_secret(name) for name in args.secret_env]
        headers, body = _delivery(args.file)
    except _UsageError as err:
        print(f"vapay: error: {err}", file=streams.stderr)
        return EXIT_USAGE
    try:
        event = webhooks.verify(
            body,
            headers,
            endpoint=args.endpoint,
            secrets=secrets,
            tolerance=args.tolerance,
            now=args.now,
        )
    except WebhookVerificationError as err:
        return _refused(streams, err)
    return _verified(streams, event)


def _secret(name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        raise _UsageError(f"the environment variable {name} is not set (--secret-env {name})")
    if not value:
        raise _UsageError(f"the environment variable {name} is empty (--secret-env {name})")
    return value


def _read(file: str) -> bytes:
    try:
        if file == "-":
            return sys.stdin.read(_MAX_INPUT_BYTES + 1).encode("utf-8", "surrogateescape")
        with open(file, "rb") as stream:  # noqa: PTH123 - one read, like stdin's
            return stream.read(_MAX_INPUT_BYTES + 1)
    except OSError as err:
        raise _UsageError(f"cannot read {file}: {err.strerror or err}") from None


def _delivery(path: str) -> tuple[dict[str, str], bytes]:
    data = _read(path)
    file = "stdin" if path == "-" else path
    if len(data) > _MAX_INPUT_BYTES:
        raise _UsageError(f"{file} is larger than {_MAX_INPUT_BYTES} bytes: not one delivery")
    try:
        saved = json.loads(data)
    except ValueError:
        raise _UsageError(
            f'{file} is not JSON like {{"headers": {{...}}, "body": "..."}}'
        ) from None
    if not isinstance(saved, dict) or not isinstance(saved.get("body"), str):
        raise _UsageError(f'{file} needs "body": the raw body as one JSON string')
    headers = saved.get("headers")
    if not isinstance(headers, dict) or not all(
        isinstance(value, (str, int)) and not isinstance(value, bool) for value in headers.values()
    ):
        raise _UsageError(f'{file} needs "headers": an object of header names to strings')
    # surrogatepass: a body holding a lone surrogate reaches verify, which refuses it.
    body = saved["body"].encode("utf-8", "surrogatepass")
    return {str(name): str(value) for name, value in headers.items()}, body


def _refused(streams: Streams, err: WebhookVerificationError) -> int:
    from vapay._cli._output import write_json  # noqa: PLC0415 - needs rich

    if streams.human(streams.stdout):
        print(f"vapay: refused ({err.reason}): {_printable(err.message)}", file=streams.stderr)
    else:
        write_json(
            streams.stdout, {"verified": False, "reason": err.reason, "message": err.message}
        )
    return EXIT_REFUSED


def _verified(streams: Streams, event: webhooks.Event) -> int:
    from vapay._cli._output import to_json, write_json  # noqa: PLC0415 - needs rich

    if not streams.human(streams.stdout):
        fields = to_json(event)
        del fields["raw"]
        write_json(
            streams.stdout, {"verified": True, "type": type(event).__name__, "event": fields}
        )
        return 0
    name = _printable(event.event or "no event name")
    print(f"verified: {type(event).__name__} ({name})", file=streams.stdout)
    lines = _readable(event)
    width = max((len(field) for field, _ in lines), default=0)
    for field, value in lines:
        print(f"  {field:<{width}}  {value}", file=streams.stdout)
    return 0


def _readable(event: webhooks.Event) -> list[tuple[str, str]]:
    """The event's fields that are set, each as one short line of text."""
    return [
        (field.name, _printable(" ".join(_shown(value).split())[:_SHOWN]))
        for field in attrs.fields(type(event))
        if field.name not in {"raw", "event"} and (value := getattr(event, field.name)) is not None
    ]


# Enough of a value to recognise it; a megabyte of `data` is not a line.
_SHOWN = 200


def _printable(text: str) -> str:
    """*text* with control characters escaped: a forged body must not drive the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _shown(value: object) -> str:
    from vapay._cli._output import plain  # noqa: PLC0415 - needs rich

    if isinstance(value, (Money, Fee, Bank)):
        return _model_text(value)
    if isinstance(value, tuple):
        return f"{len(value)} item{'s' * (len(value) != 1)}"
    if isinstance(value, dt.datetime):
        return value.isoformat()  # in the zone it was sent in (Jakarta)
    if isinstance(value, (Mapping, list)):
        return json.dumps(value, ensure_ascii=False, default=plain)
    return str(plain(value))


def _model_text(value: Money | Fee | Bank) -> str:
    from vapay._cli._output import decimal_text  # noqa: PLC0415 - needs rich

    if isinstance(value, Money):
        return f"{decimal_text(value.value)} {value.currency}"
    if isinstance(value, Fee):
        name = f" ({value.name})" if value.name else ""
        return f"{_model_text(value.amount)}{name}"
    return value.short_name or value.bank_code or ""
