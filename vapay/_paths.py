"""Paths built from ids: every id becomes exactly one quoted path segment."""

from __future__ import annotations

from urllib.parse import quote


def path_segment(value: object, *, name: str) -> str:
    """*value* as one percent-encoded path segment.

    Raises:
        ValueError: not a string or an integer, blank, or `.`/`..` (which would
            move up the path however they are quoted).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{name} must be a string or an integer, got {type(value).__name__}")
    text = str(value)
    if not text.strip():
        raise ValueError(f"{name} must not be empty")
    if text in {".", ".."}:
        raise ValueError(f"{name} must not be {text!r}")
    return quote(text, safe="")


def api_path(*parts: str) -> str:
    """`/api/...` from already-quoted parts."""
    return "/api/" + "/".join(parts)
