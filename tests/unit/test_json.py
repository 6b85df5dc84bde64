"""`_json.dumps`: request bodies with exact numbers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from vapay._json import dumps, loads


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ({"a": Decimal("11000.00")}, b'{"a":11000.00}'),
        ([Decimal("12345678901234567.80")], b"[12345678901234567.80]"),
        ({"n": None, "t": True, "f": False, "i": -7}, b'{"n":null,"t":true,"f":false,"i":-7}'),
        ({"s": 'Budi/Jaya \u00e9 "q"'}, b'{"s":"Budi/Jaya \\u00e9 \\"q\\""}'),
        ((1, 2.5), b"[1,2.5]"),
        ({}, b"{}"),
    ],
    ids=["scale", "past-a-double", "literals", "text", "tuple-and-float", "empty"],
)
def test_dumps_writes_compact_json_with_exact_decimals(value: object, wire: bytes) -> None:
    """Decimals keep their digits and scale; everything else is standard JSON."""
    assert dumps(value) == wire


def test_dumps_and_loads_round_trip_an_amount_exactly() -> None:
    """What loads read, dumps writes back with the same digits."""
    body = b'{"amount":{"value":99000.10,"currency":"IDR"}}'

    assert dumps(loads(body)) == body


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ({"a": Decimal("NaN")}, ValueError, "no number NaN"),
        ([float("inf")], ValueError, "no number inf"),
        ({1: "x"}, TypeError, "keys must be strings"),
        ({"when": object()}, TypeError, "object is not JSON serializable"),
    ],
    ids=["nan", "inf", "int-key", "object"],
)
def test_dumps_refuses_what_json_cannot_carry(
    value: object, error: type[Exception], match: str
) -> None:
    """NaN, infinities, non-string keys and other types are refused, named."""
    with pytest.raises(error, match=match):
        dumps(value)


def test_dumps_refuses_absurd_nesting() -> None:
    """A body nested past 64 levels is a ValueError, not a RecursionError."""
    value: object = 1
    for _ in range(100):
        value = [value]

    with pytest.raises(ValueError, match="nested more than 64"):
        dumps(value)


def test_dumps_is_valid_json() -> None:
    """The standard library reads what dumps writes."""
    value = {"a": [Decimal("1E+2"), Decimal("-0.5"), "x"], "b": {"c": None}}

    assert json.loads(dumps(value)) == {"a": [100.0, -0.5, "x"], "b": {"c": None}}
