"""accounts.update_status: the seed route first, the live route when the seed one is gone."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aioresponses import aioresponses
from yarl import URL

import vapay

BASE = "https://api.example.test"
SEED = f"{BASE}/api/v1.0/accounts/update-status/A1"
LIVE = f"{BASE}/api/v1.0/accounts/update/A1"
ACCOUNT = {"status": 200, "success": True, "data": {"id": "A1", "status": "inactive"}}
NOT_FOUND = {"status": 404, "success": False, "error": {"code": 404, "message": "Not Found"}}


@pytest.fixture(name="http")
def _http() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


def calls(http: aioresponses, url: str) -> int:
    return len(http.requests.get(("PATCH", URL(url)), []))


async def test_the_seed_route_is_used_when_it_answers(http: aioresponses) -> None:
    """A seed-route success is the answer, and the live route is never tried."""
    http.patch(SEED, payload=ACCOUNT, repeat=True)
    async with vapay.Client(api_key="k", token="t", base_url=BASE) as client:
        await client.accounts.update_status("A1", "inactive")
        await client.accounts.update_status("A1", "inactive")

    assert (calls(http, SEED), calls(http, LIVE)) == (2, 0)


async def test_a_missing_seed_route_falls_back_to_the_live_one_once(http: aioresponses) -> None:
    """After the seed route's 404 and a live success, the client goes straight to the live route."""
    http.patch(SEED, status=404, payload=NOT_FOUND, repeat=True)
    http.patch(LIVE, payload=ACCOUNT, repeat=True)
    async with vapay.Client(api_key="k", token="t", base_url=BASE) as client:
        first = await client.accounts.update_status("A1", vapay.AccountStatus.INACTIVE)
        await client.with_options(timeout=5).accounts.update_status("A1", "inactive")

    assert first.status is vapay.AccountStatus.INACTIVE
    assert (calls(http, SEED), calls(http, LIVE)) == (1, 2)
    (live_call, *_) = http.requests[("PATCH", URL(LIVE))]
    assert json.loads(live_call.kwargs["data"]) == {"status": "inactive"}


async def test_an_account_missing_on_both_routes_is_not_found(http: aioresponses) -> None:
    """A 404 from both routes is a NotFoundError."""
    http.patch(SEED, status=404, payload=NOT_FOUND)
    http.patch(LIVE, status=404, payload=NOT_FOUND)
    async with vapay.Client(api_key="k", token="t", base_url=BASE) as client:
        with pytest.raises(vapay.NotFoundError):
            await client.accounts.update_status("A1", "active")


@pytest.mark.parametrize("status", ["disabled", "ACTIVE", "pending", ""])
async def test_a_status_that_cannot_be_set_is_refused_locally(
    http: aioresponses, status: str
) -> None:
    """Only active and inactive can be set; anything else is a ValueError and sends nothing."""
    async with vapay.Client(api_key="k", token="t", base_url=BASE) as client:
        with pytest.raises(ValueError, match="status must be one of 'active', 'inactive'"):
            await client.accounts.update_status("A1", status)

    assert http.requests == {}
