"""Exact decimal numbers from the API's text, within the range any JSON peer can mean.

The API's backend serialises doubles: no number it sends honestly lies outside a
double's range, and one like `1E+999999999` (twelve characters) would cost
gigabytes and seconds wherever it is printed, rounded or summed. Such a number
is refused where it is read, with the reason.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# A double's decimal exponents: 4.9E-324 (the smallest subnormal) to 1.8E+308.
MIN_EXPONENT = -324
MAX_EXPONENT = 308
# Python's own limit on the digits of an integer read from text.
MAX_DIGITS = 4300
# Digits and signs only, this many characters at most: |adjusted()| <= 300.
_SHORT = 300


class NumberOutOfRangeError(ValueError):
    """A number too large, too small or too long to be an amount, a count or an id."""


def in_range(number: Decimal) -> Decimal:
    """*number* itself, or NumberOutOfRangeError past a double's exponent range."""
    if number.is_finite() and not MIN_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise NumberOutOfRangeError(f"the number {number!s:.40} is out of range")
    return number


def decimal_from_text(text: str) -> Decimal:
    """*text* (a JSON number, or an amount sent as a string) as an exact Decimal.

    Raises:
        NumberOutOfRangeError: more than `MAX_DIGITS` characters, or past the range.
        ValueError: not a decimal number at all.
    """
    if len(text) <= _SHORT and "e" not in text and "E" not in text:
        # Without an exponent, a number this short is within a double's range:
        # the common case, decided without `in_range`.
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"expected a decimal number, got {text!r:.40}") from None
    if len(text) > MAX_DIGITS:
        raise NumberOutOfRangeError(f"a number of {len(text)} characters")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"expected a decimal number, got {text!r:.40}") from None
    return in_range(number)


def decimal_from_string(text: str) -> Decimal:
    """An amount sent as a JSON string ("11000.00"), or written in a ledger, as a Decimal.

    Decimal() alone would also read "1_000" and digits of other scripts (full
    width, Arabic-Indic): no honest amount is written so, and such text is refused.
    NaN and the infinities are read (and refused where finite amounts are needed).

    Raises:
        NumberOutOfRangeError: as `decimal_from_text`.
        ValueError: not ASCII decimal notation.
    """
    if not text.isascii() or "_" in text:
        raise ValueError(f"expected a decimal number, got {text!r:.40}")
    return decimal_from_text(text)
