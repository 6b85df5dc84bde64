"""Argument checks shared by the client, the resources and the pager."""

from __future__ import annotations


def check_int(value: object, *, name: str, minimum: int) -> int:
    """*value* if it is an integer (not a bool) >= *minimum*, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value
