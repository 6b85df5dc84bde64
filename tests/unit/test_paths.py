"""Path building: every id becomes exactly one quoted path segment, or a ValueError."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vapay._paths import api_path, path_segment


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01K96K1YWFEC0BAQ9E0ZY7W882", "01K96K1YWFEC0BAQ9E0ZY7W882"),
        ("23643", "23643"),
        (23643, "23643"),
        (0, "0"),
        ("a/b", "a%2Fb"),
        ("../x", "..%2Fx"),
        ("..%2F..", "..%252F.."),
        ("?q", "%3Fq"),
        ("#f", "%23f"),
        ("%2F", "%252F"),
        (" id ", "%20id%20"),
        ("a;b", "a%3Bb"),
        ("a b+c", "a%20b%2Bc"),
        ("\\x", "%5Cx"),
        ("é", "%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("...", "..."),
        (" ..", "%20.."),
    ],
    ids=[
        "ulid",
        "digit-string",
        "integer",
        "zero",
        "slash",
        "dot-dot-slash",
        "encoded-traversal",
        "query",
        "fragment",
        "percent",
        "padded",
        "semicolon",
        "space-and-plus",
        "backslash",
        "latin",
        "cjk",
        "three-dots",
        "padded-dot-dot",
    ],
)
def test_path_segment_quotes_everything_but_unreserved(value: str | int, expected: str) -> None:
    """Every character that could end or change a segment is percent-encoded."""
    assert path_segment(value, name="account_id") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "account_id must not be empty"),
        ("   ", "account_id must not be empty"),
        ("\t\n", "account_id must not be empty"),
        ("\u3000", "account_id must not be empty"),
        (".", "account_id must not be '.'"),
        ("..", "account_id must not be '..'"),
        (None, "account_id must be a string or an integer, got NoneType"),
        (True, "account_id must be a string or an integer, got bool"),
        (1.5, "account_id must be a string or an integer, got float"),
        (23643.0, "account_id must be a string or an integer, got float"),
        ([], "account_id must be a string or an integer, got list"),
        (b"23643", "account_id must be a string or an integer, got bytes"),
    ],
    ids=[
        "empty",
        "blank",
        "whitespace",
        "ideographic-space",
        "dot",
        "dot-dot",
        "none",
        "bool",
        "float",
        "integral-float",
        "list",
        "bytes",
    ],
)
def test_path_segment_rejects(value: object, message: str) -> None:
    """Blank ids, `.`/`..` and non-str/int values are a ValueError naming the argument."""
    with pytest.raises(ValueError, match=f"^{message}$"):
        path_segment(value, name="account_id")


def test_path_segment_rejects_lone_surrogate() -> None:
    """A string that cannot be UTF-8 encoded is a ValueError too."""
    with pytest.raises(ValueError):  # noqa: PT011 - the codec's own message
        path_segment("\ud800", name="account_id")


def test_api_path_joins_quoted_parts() -> None:
    """api_path puts `/api/` in front and joins the parts with single slashes."""
    segment = path_segment("a/b", name="account_id")
    assert api_path("v1.0", "accounts", segment) == "/api/v1.0/accounts/a%2Fb"


def test_api_path_for_update_status() -> None:
    """The update-status path has the quoted id as its last segment."""
    segment = path_segment("../admin", name="account_id")
    expected = "/api/v1.0/accounts/update-status/..%2Fadmin"
    assert api_path("v1.0", "accounts", "update-status", segment) == expected


ENCODABLE_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1)


@settings(max_examples=200, deadline=None, database=None)
@given(ENCODABLE_TEXT.filter(lambda s: s.strip() and s not in {".", ".."}))
def test_path_segment_is_always_one_reversible_segment(value: str) -> None:
    """Any accepted string yields one segment with no `/`, `?` or `#`, decoding back to it."""
    segment = path_segment(value, name="id")
    assert not set(segment) & set("/?#\\ ")
    assert segment not in {".", ".."}
    assert unquote(segment, errors="strict") == value
