"""The API's conventions: envelopes, Laravel-style validation, pagination blocks."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from aiohttp import web
from yarl import URL

from vapay.sandbox._data import dumps

_JSON = "application/json"
_INTEGER = re.compile(r"-?[0-9]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DIGITS = re.compile(r"[0-9]+")
_NUMERIC = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_UNIX_MS = re.compile(r"[0-9]{13}")
# Laravel's `boolean` rule (true, false, 1, 0, "1", "0"; 1 and 0 are the same keys
# as True and False), plus the words a query string carries.
_BOOLEANS: dict[object, bool] = {True: True, False: False, "1": True, "0": False}
_BOOLEANS |= {"true": True, "false": False}
_CAMEL = ("perPage", "currentPage", "totalPages")
_SNAKE = ("per_page", "current_page", "total_pages")
# What the vendor's nginx answers when the app behind it is down.
_HTML_PAGE = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def json_response(status: int, text: str, headers: Mapping[str, str] | None = None) -> web.Response:
    """A JSON response with *text* as its body."""
    return web.Response(body=text.encode(), status=status, content_type=_JSON, headers=headers)


def ok_response(data: str, tail: str = "") -> web.Response:
    """The success envelope around already-encoded *data* (and a pagination tail)."""
    return json_response(200, f'{{"status":200,"success":true,"data":{data}{tail}}}')


def reason(status: int) -> str:
    """A human message for *status*, Laravel's wording where it has its own."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return "Too Many Attempts."
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def html_response(status: int) -> web.Response:
    """An HTML proxy error page."""
    text = _HTML_PAGE.format(status=status, phrase=reason(status))
    return web.Response(text=text, status=status, content_type="text/html")


class ApiError(Exception):
    """An error answer, raised by a handler and rendered as the error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers
        # Only the sandbox's own /_sandbox/ routes set it: a machine-readable why.
        self.reason = reason

    def response(self) -> web.Response:
        """The `{"status", "success": false, "error"}` envelope."""
        error: dict[str, Any] = {"code": self.status, "message": self.message}
        if self.errors:
            error["errors"] = self.errors
        if self.reason is not None:
            error["reason"] = self.reason
        body = {"status": self.status, "success": False, "error": error}
        return json_response(self.status, dumps(body), self.headers)


def _label(field: str) -> str:
    return field.replace("_", " ")


def _absent(raw: object) -> bool:
    return raw is None or raw == ""


def _number(raw: object) -> Decimal | None:
    """A JSON number or numeric string as an exact Decimal; `None` if it is neither."""
    if isinstance(raw, bool):  # True is an int to Python, not a number to Laravel
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # repr() is the shortest text that reads back as this float: the JSON text.
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    if isinstance(raw, str) and _NUMERIC.fullmatch(raw):
        return Decimal(raw)
    return None


class Validator:
    """Collects field errors with Laravel's messages, then raises one 422.

    As Laravel's `ConvertEmptyStringsToNull` does, an empty string counts as absent.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def fail(self, field: str, message: str) -> None:
        """Record *message* against *field*."""
        self.errors.setdefault(field, []).append(message)

    def check(self) -> None:
        """Raise the 422 if any field failed."""
        if self.errors:
            raise ApiError(422, "Validation error", errors=self.errors)

    def integer(self, field: str, *, default: int, maximum: int | None = None) -> int:
        """A positive integer (a query parameter arrives as a string)."""
        raw = self.data.get(field)
        if raw is None or raw == "":
            return default
        if not isinstance(raw, str) or not _INTEGER.fullmatch(raw):
            self.fail(field, f"The {_label(field)} field must be an integer.")
            return default
        try:
            value = int(raw)
        except ValueError:  # more digits than int() converts: over any maximum
            self.fail(field, f"The {_label(field)} field is too large.")
            return default
        if value < 1:
            self.fail(field, f"The {_label(field)} field must be at least 1.")
        elif maximum is not None and value > maximum:
            self.fail(field, f"The {_label(field)} field must not be greater than {maximum}.")
        return value

    def _missing(self, field: str, required: bool, message: str | None) -> None:
        if required:
            self.fail(field, message or f"The {_label(field)} field is required.")

    def number(
        self,
        field: str,
        *,
        required: bool = False,
        required_message: str | None = None,
        minimum: Decimal | None = None,
    ) -> Decimal | None:
        """A number (JSON number or numeric string) as an exact `Decimal`."""
        raw = self.data.get(field)
        if _absent(raw):
            self._missing(field, required, required_message)
            return None
        value = _number(raw)
        if value is None:
            self.fail(field, f"The {_label(field)} field must be a number.")
        elif minimum is not None and value < minimum:
            self.fail(field, f"The {_label(field)} field must be at least {minimum}.")
        else:
            return value
        return None

    def whole(
        self,
        field: str,
        *,
        minimum: int,
        maximum: int,
        required: bool = False,
        required_message: str | None = None,
    ) -> int | None:
        """An integer in [minimum, maximum] (a JSON integer or a digit string)."""
        raw = self.data.get(field)
        if _absent(raw):
            self._missing(field, required, required_message)
            return None
        value = _number(raw)
        if value is None or value != value.to_integral_value() or isinstance(raw, float):
            self.fail(field, f"The {_label(field)} field must be an integer.")
        elif not minimum <= value <= maximum:
            self.fail(field, f"The {_label(field)} field must be between {minimum} and {maximum}.")
        else:
            return int(value)
        return None

    def timestamp_ms(
        self, field: str, *, required: bool = False, required_message: str | None = None
    ) -> int | None:
        """Unix milliseconds: 13 digits, as a JSON integer or a string.

        A date string, a float or seconds (10 digits) are refused: the API reads
        milliseconds only, and seconds would silently mean January 1970.
        """
        raw = self.data.get(field)
        if _absent(raw):
            self._missing(field, required, required_message)
            return None
        text = str(raw) if isinstance(raw, (int, str)) and not isinstance(raw, bool) else ""
        if not _UNIX_MS.fullmatch(text):
            self.fail(field, f"The {_label(field)} field must be a Unix timestamp in milliseconds.")
            return None
        return int(text)

    def boolean(self, field: str) -> bool | None:
        """An optional boolean: true/false, 1/0, or those as strings."""
        raw = self.data.get(field)
        if _absent(raw):
            return None
        found = _BOOLEANS.get(raw) if isinstance(raw, (int, str)) else None
        if found is None:
            self.fail(field, f"The {_label(field)} field must be true or false.")
        return found

    def choice(self, field: str, choices: Sequence[str], *, required: bool) -> str | None:
        """One of *choices*; `None` when absent and optional."""
        raw = self.data.get(field)
        if raw is None or raw == "":
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return None
        if raw not in choices:
            self.fail(field, f"The selected {_label(field)} is invalid.")
            return None
        return str(raw)

    def string(
        self,
        field: str,
        *,
        required: bool = False,
        min_length: int = 0,
        max_length: int | None = None,
        pattern: re.Pattern[str] | None = None,
        pattern_message: str = "",
    ) -> str | None:
        """A string (nullable when optional) within the given bounds."""
        raw = self.data.get(field)
        if raw is None or raw == "":
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return None
        label = _label(field)
        if not isinstance(raw, str):
            self.fail(field, f"The {label} field must be a string.")
        elif len(raw) < min_length:
            self.fail(field, f"The {label} field must be at least {min_length} characters.")
        elif max_length is not None and len(raw) > max_length:
            self.fail(
                field,
                f"The {label} field must not be greater than {max_length} characters.",
            )
        elif pattern is not None and not pattern.fullmatch(raw):
            self.fail(field, pattern_message.format(label=label))
        else:
            return raw
        return None

    def email(self, field: str) -> str | None:
        """An optional, valid-looking email address."""
        return self.string(
            field,
            pattern=_EMAIL,
            pattern_message="The {label} field must be a valid email address.",
        )

    def digits(self, field: str) -> str | None:
        """An optional string of digits (a number would lose a leading zero)."""
        return self.string(
            field,
            max_length=20,
            pattern=_DIGITS,
            pattern_message="The {label} field must only contain digits.",
        )

    def string_list(self, field: str) -> list[str] | None:
        """An optional list of strings."""
        raw = self.data.get(field)
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            self.fail(field, f"The {_label(field)} field must be a list of strings.")
            return None
        return raw


def page_tail(
    url: URL,
    *,
    count: int,
    total: int,
    page: int,
    per_page: int,
    block: str,
    snake_case: bool,
    seed: int,
) -> str:
    """The encoded `,"pagination":{...}` (or `,"meta":{...}`) after a list's data.

    Laravel reports one page for an empty list (`last_page` is 1), so `totalPages`
    is never 0.
    """
    total_pages = max(1, -(-total // per_page))
    links: dict[str, str] = {}
    if page > 1:
        links["previous"] = str(url.update_query(page=page - 1))
    if page < total_pages:
        links["next"] = str(url.update_query(page=page + 1))
    # PHP's empty array, which some responses carry instead of {}.
    empty_as_list = not links and zlib.crc32(f"{seed}{url.path_qs}".encode()) % 3 == 0
    per_page_key, current_key, total_key = _SNAKE if snake_case else _CAMEL
    content = {
        "count": count,
        "total": total,
        per_page_key: per_page,
        current_key: page,
        total_key: total_pages,
        "links": [] if empty_as_list else links,
    }
    return f',"{block}":{dumps(content)}'
