"""The money-in commands' value parsers and decisions, called with literals."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal

import pytest

from vapay import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    UnprocessableEntityError,
    VapayError,
)
from vapay._cli._args import parse
from vapay._cli._money_in import may_have_landed, payment_filters
from vapay._cli._money_in_args import amount, when


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("150000.50", Decimal("150000.50")),
        ("150000", Decimal(150000)),
        ("0.125", Decimal("0.125")),
        ("0", Decimal(0)),
        ("9" * 30 + ".99", Decimal("9" * 30 + ".99")),
    ],
)
def test_amounts_keep_their_digits(text: str, value: Decimal) -> None:
    """An amount is the exact Decimal of its text, its scale kept."""
    parsed = amount(text)

    assert parsed == value
    assert str(parsed) == text


@pytest.mark.parametrize(
    "text",
    ["1e5", "1E+999999999", "-1", "+1", "1,000", "1_000", " 1", "1.", ".5", "NaN", "inf", "١٢"],
)
def test_amount_refusals(text: str) -> None:
    """Anything but digits with an optional fraction is refused, exponents included."""
    with pytest.raises(argparse.ArgumentTypeError, match="not an amount"):
        amount(text)


def test_amount_past_a_doubles_range_is_refused() -> None:
    """Digits past what the API's backend could hold are out of range."""
    with pytest.raises(argparse.ArgumentTypeError, match="out of range"):
        amount("9" * 400)


JAKARTA = dt.timezone(dt.timedelta(hours=7))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-12-01T00:00:00+07:00", dt.datetime(2026, 12, 1, tzinfo=JAKARTA)),
        ("2026-11-30T17:00:00Z", dt.datetime(2026, 11, 30, 17, tzinfo=dt.timezone.utc)),
        ("2026-11-30T17:00:00+00:00", dt.datetime(2026, 11, 30, 17, tzinfo=dt.timezone.utc)),
        ("1764522000000", 1764522000000),
    ],
    ids=["jakarta", "zulu", "utc", "unix-ms"],
)
def test_when_takes_an_offset_or_unix_ms(text: str, value: dt.datetime | int) -> None:
    """An ISO 8601 datetime with its offset (Z too), or 13 digits of Unix ms."""
    parsed = when(text)

    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-12-01T00:00:00", "no UTC offset: add one, as in 2026-12-01T00:00:00+07:00"),
        ("2026-12-01", "no UTC offset"),
        ("1764522000", "13 digits"),
        ("17645220000000", "13 digits"),
        ("next tuesday", "not an ISO 8601 datetime"),
        ("2026-13-01T00:00:00+07:00", "not an ISO 8601 datetime"),
        ("x" * 1000, "x" * 40 + "..."),
    ],
    ids=["naive", "date", "seconds", "14-digits", "words", "month-13", "long"],
)
def test_when_refusals(text: str, message: str) -> None:
    """A naive datetime, seconds for milliseconds, or no time at all is refused."""
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        when(text)

    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("err", "landed"),
    [
        (APITimeoutError("timed out"), True),
        (APIConnectionError("reset"), True),
        (APIConnectionError("refused", may_have_reached_server=False), False),
        (APIResponseValidationError("cut short", status=200), True),
        (InternalServerError("down", status=503), True),
        (UnprocessableEntityError("bad bank", status=422), False),
        (NotFoundError("no account", status=404), False),
        (RateLimitError("slow down", status=429), False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, VapayError) else str(v),
)
def test_may_have_landed(err: VapayError, landed: bool) -> None:
    """Only errors after which the VA may exist call for a look before a retry."""
    assert may_have_landed(err) is landed


def filters_of(*argv: str) -> object:
    """The SDK filters `transactions list ACCOUNT *argv` asks for."""
    args, _ = parse(["transactions", "list", "1", *argv])
    return payment_filters(args)


def test_no_flags_no_filters() -> None:
    """Unset flags are not sent: the API's defaults apply."""
    assert filters_of() == {}


def test_days_are_jakarta_midnights() -> None:
    """`--from`/`--to` are 00:00:00.000 of the first and 23:59:59.999 of the last, UTC+7."""
    start = dt.datetime(2026, 11, 1, tzinfo=JAKARTA)
    end = dt.datetime(2026, 12, 1, tzinfo=JAKARTA)

    assert filters_of("--from", "2026-11-01", "--to", "2026-11-30") == {
        "processed_timestamp_from": int(start.timestamp() * 1000),
        "processed_timestamp_to": int(end.timestamp() * 1000) - 1,
    }


def test_has_settle_is_a_bool() -> None:
    """`--has-settle yes|no` is the SDK's True or False."""
    assert filters_of("--has-settle", "no") == {"has_settle": False}
    assert filters_of("--has-settle", "yes") == {"has_settle": True}
