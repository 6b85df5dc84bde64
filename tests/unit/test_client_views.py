"""`Client.with_options()` views: their settings reach every resource, and they own nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cached_property

import pytest
from aioresponses import aioresponses

import vapay
from vapay.resources._base import Resource

BASE = "https://api.example.test"
RESOURCES = sorted(
    name for name, value in vars(vapay.Client).items() if isinstance(value, cached_property)
)


@pytest.fixture(name="http")
def _http() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


def make_client() -> vapay.Client:
    return vapay.Client(api_key="k", token="t", base_url=BASE, max_retries=2, timeout=30)


def test_the_client_has_the_four_resources() -> None:
    """accounts, virtual_accounts, va_transactions and balance are the client's resources."""
    assert RESOURCES == ["accounts", "balance", "va_transactions", "virtual_accounts"]


@pytest.mark.parametrize("name", RESOURCES)
async def test_every_resource_of_a_view_sends_with_the_views_options(name: str) -> None:
    """A view's resource uses the view's settings, even when the client's was built first."""
    client = make_client()
    before = getattr(client, name)  # built, and cached, on the parent first
    view = client.with_options(timeout=1.5, max_retries=0, headers={"X-Trace": "abc"})

    resource = getattr(view, name)

    assert isinstance(resource, Resource)
    assert resource is not before
    options = resource._api.options
    assert (options.timeout, options.max_retries, dict(options.headers)) == (
        1.5,
        0,
        {"X-Trace": "abc"},
    )
    assert before._api.options.timeout == 30


async def test_view_headers_are_sent_with_the_client_headers(http: aioresponses) -> None:
    """with_options(headers=) adds headers; the API headers stay."""
    http.get(re.compile(r".*"), payload={"status": 200, "success": True, "data": {"id": 1}})
    async with make_client() as client:
        await client.with_options(headers={"X-Request-Id": "r-1"}).accounts.get(1)

    ((_, (call,)),) = http.requests.items()
    assert call.kwargs["headers"]["X-Request-Id"] == "r-1"
    assert call.kwargs["headers"]["X-PARTNER-ID"] == "k"


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({"X Bad": "1"}, "a header name"),
        ({"X-Ok": "line\r\nInjected: 1"}, "without control characters"),
        ({"X-Ok": 5}, "without control characters"),
    ],
    ids=["space-in-name", "crlf-in-value", "not-a-string"],
)
def test_unsendable_view_headers_are_refused(headers: dict[str, object], match: str) -> None:
    """A header that could not be sent as given is a ValueError at with_options()."""
    with pytest.raises(ValueError, match=match):
        make_client().with_options(headers=headers)  # type: ignore[arg-type]


async def test_closing_a_view_leaves_the_client_open(http: aioresponses) -> None:
    """close() (or `async with`) on a view does not close the client it came from."""
    http.get(
        re.compile(r".*"), payload={"status": 200, "success": True, "data": {"id": 1}}, repeat=True
    )
    client = make_client()
    async with client.with_options(timeout=5) as view:
        await view.accounts.get(1)

    account = await client.accounts.get(1)

    assert account.id == "1"
    assert "open" in repr(client)
    await client.close()


async def test_request_sends_decimals_exactly(http: aioresponses) -> None:
    """client.request(json=) takes what the API returned, Decimals included."""
    http.post(re.compile(r".*"), payload={"status": 200, "success": True, "data": None})
    async with make_client() as client:
        data = await client.request("POST", "/api/v1.0/echo", json={"value": Decimal("0.10")})

    assert data is None
    ((_, (call,)),) = http.requests.items()
    assert call.kwargs["data"] == b'{"value":0.10}'
    assert json.loads(call.kwargs["data"]) == {"value": 0.1}


async def test_an_unsendable_json_body_is_a_value_error(http: aioresponses) -> None:
    """A body JSON cannot carry is a ValueError naming the call, and nothing is sent."""
    async with make_client() as client:
        with pytest.raises(ValueError, match=r"POST /api/x: the json body cannot be sent: set"):
            await client.request("POST", "/api/x", json={"ids": {1, 2}})

    assert http.requests == {}
