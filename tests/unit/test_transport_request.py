"""`Request.replace_headers` copies every field but the headers."""

from __future__ import annotations

import attrs
from yarl import URL

from vapay import Request


def test_replace_headers_keeps_every_other_field() -> None:
    """A field added to Request and forgotten in replace_headers fails here."""
    original = Request(
        method="DELETE",
        url=URL("https://api.example.test/api/v1.0/x"),
        params={"page": "2"},
        json={"a": 1},
        headers={"A": "1"},
        idempotent=True,
        timeout=3.0,
        max_retries=4,
        deadline=99.0,
        attempt=2,
        reached_before=True,
    )
    # Every field differs from its default here, so a forgotten copy shows below.
    assert all(
        getattr(original, f.name) != f.default
        for f in attrs.fields(Request)
        if f.default is not attrs.NOTHING and not isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
    )

    copy = original.replace_headers({"B": "2"})

    assert attrs.evolve(copy, headers=original.headers) == original
