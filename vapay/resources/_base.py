"""What every resource shares: its client and the checks on common arguments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vapay._validate import check_int

if TYPE_CHECKING:
    from vapay._client import Client


class Resource:
    """A group of endpoints, built from the client that sends its requests."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


def listing_params(*, per_page: int | None, **params: str | None) -> dict[str, str]:
    """Query parameters of a listing: the given ones, and `per_page` when set."""
    query = {name: value for name, value in params.items() if value is not None}
    if per_page is not None:
        query["per_page"] = str(check_int(per_page, name="per_page", minimum=1))
    return query


def enum_value(value: object, *, name: str) -> str:
    """The wire string of an enum member or a plain string."""
    raw = getattr(value, "value", value)
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return raw
