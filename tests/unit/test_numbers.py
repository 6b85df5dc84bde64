"""Exact numbers from text, refused past a double's range before they cost anything."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vapay._numbers import NumberOutOfRangeError, decimal_from_string, decimal_from_text


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.000",
        "-1.5",
        "99000.10",
        "12345678901234567.80",
        "1.7976931348623157E+308",
        "4.9E-324",
        "9" * 300,
        "0." + "0" * 297 + "1",
        "9" * 301,
    ],
    ids=[
        "zero",
        "zero-with-scale",
        "negative",
        "scale",
        "past-float-digits",
        "largest",
        "smallest",
        "300-digits",
        "300-characters-tiny",
        "301-digits",
    ],
)
def test_number_in_range_is_exact(text: str) -> None:
    """A number a double's range allows comes back with exactly the digits sent."""
    assert str(decimal_from_text(text)) == str(Decimal(text))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1E+309", "the number 1E+309 is out of range"),
        ("1E-325", "the number 1E-325 is out of range"),
        ("1E+999999999", "the number 1E+999999999 is out of range"),
        ("0E-999999999", "the number 0E-999999999 is out of range"),
        ("1" * 4301, "a number of 4301 characters"),
        ("1" * 310, "the number 1111111111111111111111111111111111111111 is out of range"),
        ("0." + "0" * 330 + "1", "the number 1E-331 is out of range"),
    ],
    ids=[
        "too-large",
        "too-small",
        "huge-exponent",
        "zero-huge-exponent",
        "too-long",
        "310-digits",
        "tiny-without-exponent",
    ],
)
def test_number_out_of_range_is_refused(text: str, problem: str) -> None:
    """A number no double could hold is refused, saying why, before it is expanded."""
    with pytest.raises(NumberOutOfRangeError) as info:
        decimal_from_text(text)
    assert str(info.value) == problem


def test_text_that_is_no_number_is_a_value_error() -> None:
    """Letters are a ValueError naming them, not an out-of-range error."""
    with pytest.raises(ValueError, match="expected a decimal number, got 'abc'") as info:
        decimal_from_text("abc")
    assert not isinstance(info.value, NumberOutOfRangeError)


@pytest.mark.parametrize(
    "text",
    ["1_000", "\uff11\uff12", "\u0661\u0662", "1e", ".", "+"],
    ids=[
        "underscore",
        "full-width",
        "arabic-indic",
        "bare-exponent",
        "dot",
        "sign",
    ],
)
def test_an_amount_string_must_be_plain_ascii_decimal(text: str) -> None:
    """What Decimal() would also take (underscores, other scripts' digits) is refused."""
    with pytest.raises(ValueError, match="expected a decimal number"):
        decimal_from_string(text)


@pytest.mark.parametrize("text", ["11000.00", "-0.5", "1E+5", ".5", "5."])
def test_plain_decimal_strings_are_read_exactly(text: str) -> None:
    """Ordinary notation is read with its digits and scale."""
    assert decimal_from_string(text) == Decimal(text)
