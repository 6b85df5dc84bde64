"""Exports: flat rows as CSV or JSON Lines, to a file or stdout.

A file is written beside its target under a temporary name and moved into place
only once complete, so an interrupted run never leaves a truncated export where
a complete one is expected. CSV fields that a spreadsheet would run as a formula
are written as text (`spreadsheet_text`).
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from vapay._cli._output import CliError, bank_of, cents, decimal_text, dumps, iso, text
from vapay._models import VirtualAccount

VA_COLUMNS = (
    "account_id",
    "id",
    "number",
    "kind",
    "status",
    "bank",
    "amount",
    "currency",
    "created_at",
)
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
STDOUT = "-"


def va_row(va: VirtualAccount) -> tuple[str | None, ...]:
    """*va*'s fields in `VA_COLUMNS` order, as JSON values (None where absent)."""
    return (
        va.account_id,
        va.id,
        va.number,
        text(va.kind) or None,
        text(va.status),
        bank_of(va),
        decimal_text(cents(va.amount.value)),
        va.amount.currency,
        None if va.created_at is None else iso(va.created_at),
    )


# What a spreadsheet takes for the start of a formula (OWASP, "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def spreadsheet_text(value: str) -> str:
    """*value* as a CSV field that a spreadsheet shows and never runs.

    Text that would start a formula (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`)
    gets a leading `'`, which spreadsheets take as "this is text". A plain number
    such as the amount `-500.00` runs nothing, and is left a number.
    """
    if value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


Value = str | None


class _CsvRows:
    def __init__(self, stream: TextIO, columns: Sequence[str]) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(columns)

    def write(self, values: Sequence[Value]) -> None:
        """Write one row: its values in the columns' order."""
        self._writer.writerow(
            ["" if value is None else spreadsheet_text(value) for value in values]
        )


class _JsonRows:
    def __init__(self, stream: TextIO, columns: Sequence[str]) -> None:
        self._write = stream.write
        self._columns = columns

    def write(self, values: Sequence[Value]) -> None:
        """Write one row: its values in the columns' order."""
        self._write(dumps(dict(zip(self._columns, values, strict=True))) + "\n")


RowWriter = _CsvRows | _JsonRows
_WRITERS: dict[str, type[RowWriter]] = {"csv": _CsvRows, "jsonl": _JsonRows}


def export_format(output: str, given: str | None, *, default: str) -> str:
    """The format asked for, else the one the file's extension names, else *default*."""
    if given is not None:
        return given
    return _EXTENSIONS.get(Path(output).suffix.lower(), default)


@contextlib.contextmanager
def open_export(
    output: str, fmt: str, stdout: TextIO, columns: Sequence[str]
) -> Iterator[RowWriter]:
    """A writer of *fmt* rows of *columns* to *output* (a path, or "-" for *stdout*).

    Raises:
        CliError: *output* cannot be written.
    """
    if output == STDOUT:
        yield _WRITERS[fmt](stdout, columns)
        stdout.flush()
        return
    path = Path(output)
    if path.is_dir():
        raise CliError(f"cannot write {output}: it is a directory")
    if path.exists() and not path.is_file():
        # A device, a pipe or /dev/fd/N (a shell's >(...)): write straight to it.
        with _failing_as(output):
            fd = os.open(path, os.O_WRONLY)
        with _text_writer(fd) as stream:
            yield _WRITERS[fmt](stream, columns)
        return
    # Replace what a symlink points to, not the link itself.
    with _replacing(path.resolve(), output) as stream:
        yield _WRITERS[fmt](stream, columns)


@contextlib.contextmanager
def _replacing(path: Path, output: str) -> Iterator[TextIO]:
    """A new file beside *path*, moved over it once written without an error.

    mkstemp creates the file exclusively (`O_EXCL`) under a random name, so a
    link planted beside *path* is never followed, and readable by its owner only
    (0600, or less under a stricter umask). A file that replaces another one
    takes that file's mode instead, as an editor's save does.
    """
    with _failing_as(output):
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.partial-{os.getpid()}-", dir=path.parent)
    partial = Path(name)
    try:
        with _text_writer(fd) as stream:
            _keep_mode(path, partial)
            yield stream
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _keep_mode(path: Path, partial: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return  # a new export: mkstemp's private mode stays
    partial.chmod(mode)


@contextlib.contextmanager
def _failing_as(output: str) -> Iterator[None]:
    """An OSError, as the one-line `CliError` naming *output*."""
    try:
        yield
    except OSError as err:
        raise CliError(f"cannot write {output}: {err.strerror or err}") from None


def _text_writer(fd: int) -> TextIO:
    # newline="": the csv module writes its own line ends. backslashreplace: a
    # lone surrogate (valid JSON: "\ud800") is written as its escape, as on
    # stdout, instead of aborting the export; JSON Lines reads it back unchanged.
    return os.fdopen(fd, "w", encoding="utf-8", newline="", errors="backslashreplace")
