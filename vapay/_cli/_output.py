"""Where output goes and in which form: JSON for programs, rich tables for people.

Values are rendered the same way everywhere: Decimals exactly as strings
("11000.00"), datetimes in ISO 8601 UTC, enums as their value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TextIO, cast

import attrs
from rich.console import Console

from vapay._cli._terminal import json_safe
from vapay._models import VirtualAccount


class CliError(Exception):
    """A problem the user can fix, shown as one line without a traceback."""


def is_tty(stream: TextIO) -> bool:
    """Whether *stream* is a terminal (False for a closed or odd stream)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@attrs.frozen(kw_only=True)
class Streams:
    """The process's output streams, and whether JSON was asked for."""

    stdout: TextIO
    stderr: TextIO
    force_json: bool = False

    def human(self, stream: TextIO) -> bool:
        """Whether *stream* gets tables (a terminal, and no --json)."""
        return not self.force_json and is_tty(stream)

    def console(self, stream: TextIO) -> Console:
        """A rich console writing to *stream*; markup and highlighting stay off."""
        return Console(file=stream, highlight=False, markup=False, emoji=False)

    def note(self, message: str) -> None:
        """One line of commentary for people, on stderr; nothing for programs."""
        if self.human(self.stderr):
            print(message, file=self.stderr, flush=True)


def plain(value: object) -> object:
    """*value* as a JSON value: exact Decimal strings, ISO UTC datetimes, enum values."""
    if value is None or type(value) is str:  # most values: the per-item hot path
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime):
        return iso(value)
    return value


def decimal_text(value: Decimal) -> str:
    """*value* exactly, in positional notation: "11000.00", never "1.1E+4"."""
    return f"{value:f}"


_HUNDREDTH = Decimal("0.01")
_EXACT = decimal.Context(prec=decimal.MAX_PREC)  # quantize() never fails for size


def cents(value: Decimal) -> Decimal:
    """*value* with at least two decimals (11000 -> 11000.00; 0.125 stays).

    The API sends 11000, 11000.5 or "11000.00" for the same kind of amount; only
    zeros are appended, so the value is unchanged, and exports are uniform.
    """
    exponent = value.as_tuple().exponent  # a letter for NaN and infinity
    if isinstance(exponent, int) and exponent > -2:  # noqa: PLR2004 - two decimals
        return value.quantize(_HUNDREDTH, context=_EXACT)
    return value


def iso(value: dt.datetime) -> str:
    """*value* in ISO 8601, in UTC."""
    return value.astimezone(dt.timezone.utc).isoformat()


def text(value: object) -> str:
    """*value* for a table cell or a CSV field: '' for None, enum values, exact numbers."""
    shown = plain(value)
    return "" if shown is None else str(shown)


_Container = dict[str, object] | list[object]


def to_json(model: attrs.AttrsInstance) -> dict[str, object]:
    """An attrs model as a JSON object (nested models become nested objects).

    Built from a work list rather than by recursion: a field holding raw JSON
    (`invite_members`) nests as deep as the server chose and the SDK could
    decode, which can be past Python's recursion limit here.
    """
    root: dict[str, object] = {}
    pending: list[tuple[object, _Container]] = [(model, root)]
    while pending:
        source, target = pending.pop()
        if isinstance(target, list):
            items = cast("Iterable[object]", source)
            target.extend(_json_node(item, pending) for item in items)
        else:
            target.update((key, _json_node(value, pending)) for key, value in _members(source))
    return root


def _members(source: object) -> Iterable[tuple[str, object]]:
    """The named values of a model or a mapping."""
    model = type(source)
    if attrs.has(model):
        return ((field.name, getattr(source, field.name)) for field in attrs.fields(model))
    return cast("Mapping[str, object]", source).items()


def _json_node(value: object, pending: list[tuple[object, _Container]]) -> object:
    """*value* made plain, or an empty container queued in *pending* to be filled."""
    container: _Container
    if attrs.has(type(value)) or isinstance(value, Mapping):
        container = {}
    elif isinstance(value, (list, tuple)):
        container = []
    else:
        return plain(value)
    pending.append((value, container))
    return container


def dumps(obj: object) -> str:
    """One line of JSON, safe to print on a terminal, with the exact same values.

    The encoder escapes the C0 controls (ESC among them) itself; what it leaves
    raw and a terminal would still act on (C1 controls such as the one-byte CSI
    U+009B, bidirectional overrides, lone surrogates) is written as a `\\u`
    escape, which any JSON reader decodes back to the same string.
    """
    return json_safe(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def write_json(stream: TextIO, obj: object) -> None:
    """Write *obj* as one line of JSON."""
    stream.write(dumps(obj) + "\n")


def bank_of(va: VirtualAccount) -> str | None:
    """The bank's name: `bank_code` in the seed API, `bank.short_name` in the live one."""
    if va.bank_code is not None:
        return va.bank_code
    return None if va.bank is None else va.bank.short_name
