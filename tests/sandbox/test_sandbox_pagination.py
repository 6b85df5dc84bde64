"""Page-number pagination: exact totals, the block's numbers, links."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import Api

ACCOUNTS = "/api/v1.0/accounts"
BIG = {"accounts": 23, "virtual_accounts_per_account": 37}


def va_path(api: Api, index: int = 0) -> str:
    return f"/api/v1.0/virtual-accounts/{api.sandbox.state.accounts[index].id}"


def listing_query(api: Api, listing: str) -> tuple[str, dict[str, str]]:
    """The path and query of the accounts listing or of the first account's VAs."""
    if listing == "accounts":
        return ACCOUNTS, {}
    return va_path(api), {"kind": "temporary"}


async def page(api: Api, path: str, **params: str) -> dict[str, Any]:
    status, body = await api.call("GET", path, params=params)
    assert status == 200, body
    return dict(body)


@pytest.mark.parametrize("sandbox_options", [BIG])
@pytest.mark.parametrize("per_page", ["1", "5", "10", "23", "25", "100"])
async def test_walking_accounts_yields_each_once(api: Api, per_page: str) -> None:
    """Every account comes exactly once, in state order, whatever the page size."""
    items = await api.walk(ACCOUNTS, per_page=per_page)

    assert [str(item["id"]) for item in items] == [a.id for a in api.sandbox.state.accounts]


@pytest.mark.parametrize("sandbox_options", [BIG])
@pytest.mark.parametrize("per_page", ["1", "4", "18", "19", "25"])
@pytest.mark.parametrize("kind", ["temporary", "permanent"])
async def test_walking_virtual_accounts_yields_each_once(
    api: Api, per_page: str, kind: str
) -> None:
    """Every virtual account of a kind comes exactly once, in state order."""
    account_id = api.sandbox.state.accounts[3].id
    expected = api.sandbox.state.expected_virtual_accounts(account_id, kind)

    items = await api.walk(va_path(api, 3), kind=kind, per_page=per_page)

    assert [str(item["id"]) for item in items] == [va.id for va in expected]


@pytest.mark.parametrize("sandbox_options", [BIG])
@pytest.mark.parametrize(
    ("per_page", "page_no", "count", "total_pages"),
    [(10, 1, 10, 3), (10, 3, 3, 3), (23, 1, 23, 1), (7, 4, 2, 4)],
)
async def test_the_block_counts_the_page(
    api: Api, per_page: int, page_no: int, count: int, total_pages: int
) -> None:
    """count, total, perPage, currentPage and totalPages describe the page."""
    body = await page(api, ACCOUNTS, per_page=str(per_page), page=str(page_no))

    block = body["pagination"]
    assert len(body["data"]) == count
    assert {k: block[k] for k in ("count", "total", "perPage", "currentPage", "totalPages")} == {
        "count": count,
        "total": 23,
        "perPage": per_page,
        "currentPage": page_no,
        "totalPages": total_pages,
    }


async def test_per_page_defaults_to_25(api: Api) -> None:
    """Without per_page, pages hold 25 items."""
    body = await page(api, ACCOUNTS)

    assert body["pagination"]["perPage"] == 25


@pytest.mark.parametrize(
    ("listing", "sandbox_options", "per_page"),
    [
        ("accounts", {"accounts": 101}, 100),
        ("virtual-accounts", {"virtual_accounts_per_account": 52}, 25),
    ],
    ids=["accounts-100", "virtual-accounts-25"],
)
async def test_a_listing_serves_pages_of_its_documented_maximum(
    api: Api, listing: str, per_page: int
) -> None:
    """per_page may be 100 for accounts and 25 for virtual accounts: a full page of it."""
    path, params = listing_query(api, listing)

    body = await page(api, path, **params, per_page=str(per_page))

    block = body["pagination"]
    assert (len(body["data"]), block["perPage"], block["totalPages"]) == (per_page, per_page, 2)


@pytest.mark.parametrize(
    ("listing", "per_page", "message"),
    [
        ("accounts", "101", "The per page field must not be greater than 100."),
        ("virtual-accounts", "26", "The per page field must not be greater than 25."),
    ],
    ids=["accounts-101", "virtual-accounts-26"],
)
async def test_a_listing_refuses_per_page_over_its_documented_maximum(
    api: Api, listing: str, per_page: str, message: str
) -> None:
    """One more than the maximum is a 422 naming per_page, as Laravel's max rule says it."""
    path, params = listing_query(api, listing)

    status, body = await api.call("GET", path, params={**params, "per_page": per_page})

    assert status == 422
    assert body["error"]["errors"] == {"per_page": [message]}


@pytest.mark.parametrize("sandbox_options", [BIG])
async def test_links_point_to_the_neighbouring_pages(api: Api) -> None:
    """A middle page links to the previous and next pages with full URLs."""
    body = await page(api, ACCOUNTS, per_page="5", page="3")

    links = body["pagination"]["links"]
    base = api.sandbox.url + ACCOUNTS
    assert links == {
        "previous": f"{base}?per_page=5&page=2",
        "next": f"{base}?per_page=5&page=4",
    }


@pytest.mark.parametrize("sandbox_options", [BIG])
@pytest.mark.parametrize(
    ("page_no", "keys"),
    [("1", {"next"}), ("5", {"previous"})],
    ids=["first", "last"],
)
async def test_the_first_page_has_no_previous_and_the_last_no_next(
    api: Api, page_no: str, keys: set[str]
) -> None:
    """previous only after page 1, next only before the last page."""
    body = await page(api, ACCOUNTS, per_page="5", page=page_no)

    assert set(body["pagination"]["links"]) == keys


async def test_virtual_account_links_keep_the_query(api: Api) -> None:
    """A link carries kind and per_page, so following it continues the listing."""
    body = await page(api, va_path(api), kind="temporary", per_page="1")

    next_url = body["pagination"]["links"]["next"]
    assert next_url == f"{api.sandbox.url}{va_path(api)}?kind=temporary&per_page=1&page=2"


@pytest.mark.parametrize("sandbox_options", [{"accounts": 40}])
async def test_single_page_links_are_empty_as_object_or_array(api: Api) -> None:
    """A single page's links are {} or, for a share of responses, PHP's []."""
    shapes = set()
    for index in range(40):
        body = await page(api, va_path(api, index), kind="temporary")
        shapes.add(type(body["pagination"]["links"]).__name__)

    assert shapes == {"dict", "list"}


async def test_the_same_request_gets_the_same_links_shape(api: Api) -> None:
    """Which empty shape a response carries is fixed by the seed and the URL."""
    first = await page(api, va_path(api), kind="temporary")
    second = await page(api, va_path(api), kind="temporary")

    assert first["pagination"]["links"] == second["pagination"]["links"]
    assert type(first["pagination"]["links"]) is type(second["pagination"]["links"])


@pytest.mark.parametrize("page_no", ["2", "99", "123456789012345678901234567890"])
async def test_a_page_past_the_end_is_empty(api: Api, page_no: str) -> None:
    """Past the last page: no data, currentPage is the page asked for."""
    body = await page(api, ACCOUNTS, page=page_no)

    assert body["data"] == []
    assert body["pagination"]["count"] == 0
    assert body["pagination"]["currentPage"] == int(page_no)
    assert body["pagination"]["totalPages"] == 1


@pytest.mark.parametrize("sandbox_options", [{"accounts": 0}])
async def test_an_empty_listing_has_one_page(api: Api) -> None:
    """No items: total 0 and, as Laravel reports it, totalPages 1."""
    body = await page(api, ACCOUNTS)

    assert body["data"] == []
    assert (body["pagination"]["total"], body["pagination"]["totalPages"]) == (0, 1)
