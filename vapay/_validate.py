"""Argument checks shared by the client, the resources and the pager."""

from __future__ import annotations

import math
import re


def check_int(value: object, *, name: str, minimum: int) -> int:
    """*value* if it is an integer (not a bool) >= *minimum*, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def check_positive(value: object, *, name: str, zero: bool = False) -> float:
    """*value* if it is a finite number > 0 (>= 0 with *zero*), else ValueError."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (value == 0 and not zero)
    ):
        least = ">= 0" if zero else "> 0"
        raise ValueError(f"{name} must be a finite number {least}, got {value!r}")
    return float(value)


_TOKEN_CHARS = re.compile(r"[!-~]+")  # visible ASCII: what a header value can carry as is


def is_header_token(value: str) -> bool:
    """Whether *value* can be sent in a header as it is (no spaces, no control bytes)."""
    return _TOKEN_CHARS.fullmatch(value) is not None


def check_header_token(value: str, *, name: str) -> str:
    """*value* if `is_header_token`, else a ValueError naming *name* (never the value)."""
    if not is_header_token(value):
        raise ValueError(f"{name} must be visible ASCII without spaces (it is sent in a header)")
    return value
