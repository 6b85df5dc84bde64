"""Checks and wire forms of resource arguments, applied before anything is sent.

Values the API documents as a closed set (statuses, kinds, sort orders) are
checked here, with the allowed values in the message, so that a typo costs no
round trip; open sets (bank codes) are the server's to refuse.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
from collections.abc import Iterable
from decimal import Decimal

from vapay._numbers import in_range
from vapay._validate import check_int

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MILLISECOND = dt.timedelta(milliseconds=1)


def choice(value: object, allowed: type[enum.Enum] | Iterable[str], *, name: str) -> str:
    """The wire string of *value*, an enum member or a string among *allowed*.

    Raises:
        ValueError: any other value, naming the allowed ones.
    """
    values = [m.value for m in allowed] if isinstance(allowed, type) else list(allowed)
    raw = value.value if isinstance(value, enum.Enum) else value
    if not isinstance(raw, str) or raw not in values:
        shown = ", ".join(repr(v) for v in values)
        guess = _closest(raw, values) if isinstance(raw, str) else None
        hint = "" if guess is None else f" (did you mean {guess!r}?)"
        raise ValueError(f"{name} must be one of {shown}, got {value!r:.60}{hint}")
    return raw


def _closest(text: str, values: list[str]) -> str | None:
    """The allowed value *text* was probably meant to be: other case, a prefix, a typo."""
    lowered = text.strip().lower()
    starts = [v for v in values if lowered and v.startswith(lowered)]
    if len(starts) == 1:
        return starts[0]
    close = difflib.get_close_matches(lowered, values, n=1, cutoff=0.75)
    return close[0] if close else None


def text(value: object, *, name: str, max_length: int | None = None) -> str:
    """*value* if it is a non-blank string (at most *max_length* characters)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r:.60}")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"{name} must be at most {max_length} characters, got {len(value)}")
    return value


def amount(value: object, *, name: str) -> Decimal:
    """*value*, a `Decimal` or an `int` >= 0, as an exact `Decimal`.

    A float is refused: it has already rounded the amount it was meant to be.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        hint = (
            " (pass a Decimal: a float has already rounded it)" if isinstance(value, float) else ""
        )
        raise ValueError(f"{name} must be a Decimal or an int{hint}, got {value!r:.60}")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name} must be a finite amount >= 0, got {value}")
    try:
        return in_range(number)
    except ValueError:
        raise ValueError(f"{name} is out of range: {value!s:.40}") from None


def unix_ms(value: object, *, name: str) -> int:
    """*value*, an aware `datetime` or an `int` of Unix milliseconds, as Unix milliseconds.

    A naive datetime is refused: read in the server's time zone, it would move a
    payment window by hours.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{name} must be an aware datetime (with tzinfo), got a naive {value.isoformat()}"
            )
        return (value - _EPOCH) // _MILLISECOND
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            f"{name} must be an aware datetime or an int of Unix milliseconds, got {value!r:.60}"
        )
    return check_int(value, name=name, minimum=0)


def flag(value: object, *, name: str) -> str:
    """*value*, a bool, as the query's "1" or "0" (what Laravel's boolean rule accepts)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r:.60}")
    return "1" if value else "0"


def bounded(value: object, *, name: str, minimum: int, maximum: int) -> int:
    """*value*, an int in [*minimum*, *maximum*]."""
    number = check_int(value, name=name, minimum=minimum)
    if number > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {number}")
    return number


def listing(
    *, per_page: int | None, max_per_page: int | None = None, **params: str | None
) -> dict[str, str]:
    """Query parameters of a listing: the given ones, and `per_page` when set.

    *max_per_page* is the API's documented largest page for the listing, if any.
    """
    query = {name: value for name, value in params.items() if value is not None}
    if per_page is not None:
        check_int(per_page, name="per_page", minimum=1)
        if max_per_page is not None and per_page > max_per_page:
            raise ValueError(
                f"per_page must be between 1 and {max_per_page} (the API's maximum for "
                f"this listing), got {per_page}"
            )
        query["per_page"] = str(per_page)
    return query
