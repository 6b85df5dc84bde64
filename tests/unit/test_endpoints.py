"""Each endpoint sends the method, path, query, headers and body the seed pages give."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

import vapay

BASE = "https://api.example.test"
ACCOUNT = {"id": 23643, "name": "John", "email": "j@x.test", "phone": "0812", "status": "active"}
VA = {
    "id": "2374354",
    "amount": {"value": "11000.00", "currency": "IDR"},
    "kind": "temporary",
    "status": "expired",
    "bank_code": "BRI",
    "number": "465436543564546",
    "created_at": "1714616095080",
}


def ok(data: object, **extra: object) -> dict[str, object]:
    return {"status": 200, "success": True, "data": data, **extra}


def one_page(count: int = 1) -> dict[str, object]:
    return {"count": count, "total": count, "perPage": 25, "currentPage": 1, "totalPages": 1}


@pytest.fixture(name="http")
def _http() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


@pytest.fixture(name="client")
async def _client() -> AsyncIterator[vapay.Client]:
    async with vapay.Client(api_key="partner-1", token="tok-1", base_url=BASE) as client:
        yield client


def sent(http: aioresponses, method: str, url: str) -> Any:
    (call,) = http.requests[(method, URL(url))]
    return call


def sent_body(call: Any) -> object:
    """The JSON body a call sent (vapay encodes it itself), or None without one."""
    data = call.kwargs["data"]
    return None if data is None else json.loads(data)


def assert_api_headers(call: Any) -> None:
    headers = call.kwargs["headers"]
    assert headers["X-PARTNER-ID"] == "partner-1"
    assert headers["Accept"] == "application/json"
    assert headers["Authorization"] == "Bearer tok-1"


async def test_accounts_list_sends_get_with_page_query(
    http: aioresponses, client: vapay.Client
) -> None:
    """accounts.list() is GET /api/v1.0/accounts?page=1 with the API headers."""
    http.get(f"{BASE}/api/v1.0/accounts?page=1", payload=ok([ACCOUNT], pagination=one_page()))

    accounts = await client.accounts.list().collect()

    assert [a.id for a in accounts] == ["23643"]
    call = sent(http, "GET", f"{BASE}/api/v1.0/accounts?page=1")
    assert_api_headers(call)
    assert sent_body(call) is None


async def test_accounts_list_sends_page_and_per_page(
    http: aioresponses, client: vapay.Client
) -> None:
    """page= and per_page= go in the query string."""
    url = f"{BASE}/api/v1.0/accounts?page=3&per_page=50"
    block = {"count": 1, "total": 101, "perPage": 50, "currentPage": 3, "totalPages": 3}
    http.get(url, payload=ok([ACCOUNT], pagination=block))

    accounts = await client.accounts.list(page=3, per_page=50).collect()

    assert len(accounts) == 1
    assert sent(http, "GET", url).kwargs["params"] == {"page": "3", "per_page": "50"}


async def test_accounts_get_sends_get_to_the_id_path(
    http: aioresponses, client: vapay.Client
) -> None:
    """accounts.get(id) is GET /api/v1.0/accounts/{id}."""
    http.get(f"{BASE}/api/v1.0/accounts/23643", payload=ok(ACCOUNT))

    account = await client.accounts.get(23643)

    assert account == vapay.Account(
        id="23643", name="John", email="j@x.test", phone="0812", status="active"
    )
    assert_api_headers(sent(http, "GET", f"{BASE}/api/v1.0/accounts/23643"))


@pytest.mark.parametrize(
    ("account_id", "wire"),
    [("a/b", "a%2Fb"), ("../admin", "..%2Fadmin"), ("x?y=1", "x%3Fy%3D1"), ("1 2", "1%202")],
    ids=["slash", "dotdot-prefix", "query", "space"],
)
async def test_account_ids_cannot_change_the_path(
    http: aioresponses, client: vapay.Client, account_id: str, wire: str
) -> None:
    """An id is percent-encoded into exactly one path segment."""
    http.get(re.compile(r".*"), payload=ok(ACCOUNT))

    await client.accounts.get(account_id)

    ((method, url),) = http.requests
    assert (method, url.raw_path) == ("GET", f"/api/v1.0/accounts/{wire}")


@pytest.mark.parametrize("account_id", ["", "   ", ".", ".."], ids=repr)
async def test_blank_or_dot_ids_are_rejected_before_any_request(
    http: aioresponses, client: vapay.Client, account_id: str
) -> None:
    """An empty, blank or dot id is a ValueError and nothing is sent."""
    with pytest.raises(ValueError, match="account_id"):
        await client.accounts.get(account_id)

    assert http.requests == {}


async def test_accounts_create_posts_only_the_given_fields(
    http: aioresponses, client: vapay.Client
) -> None:
    """create() POSTs name and the optionals that were set; None is not sent."""
    http.post(f"{BASE}/api/v1.0/accounts", payload=ok({**ACCOUNT, "email": None}))

    await client.accounts.create(name="Dhany", phone="082371268163823")

    call = sent(http, "POST", f"{BASE}/api/v1.0/accounts")
    assert sent_body(call) == {"name": "Dhany", "phone": "082371268163823"}
    assert_api_headers(call)


@pytest.mark.parametrize(
    "fields",
    [{"name": ""}, {"name": "  "}, {"name": 5}, {"name": "ok", "phone": 82371268163823}],
    ids=["empty-name", "blank-name", "int-name", "int-phone"],
)
async def test_accounts_create_rejects_bad_fields_before_any_request(
    http: aioresponses, client: vapay.Client, fields: dict[str, Any]
) -> None:
    """A bad field is a ValueError naming it, and nothing is sent."""
    with pytest.raises(ValueError, match=r"name|phone"):
        await client.accounts.create(**fields)

    assert http.requests == {}


@pytest.mark.parametrize(
    "status", [vapay.AccountStatus.INACTIVE, "inactive"], ids=["enum", "string"]
)
async def test_update_status_patches_the_status(
    http: aioresponses, client: vapay.Client, status: vapay.AccountStatus | str
) -> None:
    """update_status() is PATCH /api/v1.0/accounts/update-status/{id} with {"status"}."""
    url = f"{BASE}/api/v1.0/accounts/update-status/23643"
    http.patch(url, payload=ok({**ACCOUNT, "status": "inactive"}))

    account = await client.accounts.update_status("23643", status)

    assert account.status is vapay.AccountStatus.INACTIVE
    call = sent(http, "PATCH", url)
    assert sent_body(call) == {"status": "inactive"}
    assert_api_headers(call)


async def test_virtual_accounts_list_sends_kind_in_the_query(
    http: aioresponses, client: vapay.Client
) -> None:
    """virtual_accounts.list(id, kind=) is GET /api/v1.0/virtual-accounts/{id}?kind=&page=."""
    url = f"{BASE}/api/v1.0/virtual-accounts/23643?kind=temporary&page=1"
    http.get(url, payload=ok([VA], pagination=one_page()))

    (va,) = await client.virtual_accounts.list(23643, kind="temporary").collect()

    assert (va.id, va.account_id, str(va.amount.value)) == ("2374354", "23643", "11000.00")
    call = sent(http, "GET", url)
    assert_api_headers(call)
    assert call.kwargs["params"] == {"kind": "temporary", "page": "1"}
    assert sent_body(call) is None


async def test_virtual_accounts_list_omits_kind_when_not_given(
    http: aioresponses, client: vapay.Client
) -> None:
    """Without kind=, no kind parameter is sent (the live API dropped it)."""
    url = f"{BASE}/api/v1.0/virtual-accounts/23643?page=1"
    http.get(url, payload=ok([VA], pagination=one_page()))

    await client.virtual_accounts.list("23643").collect()

    assert sent(http, "GET", url).kwargs["params"] == {"page": "1"}


async def test_listing_does_no_io_until_iterated(http: aioresponses, client: vapay.Client) -> None:
    """list() returns a pager at once and sends nothing."""
    pager = client.virtual_accounts.list("23643", kind=vapay.VirtualAccountKind.PERMANENT)

    assert isinstance(pager, vapay.AsyncPager)
    assert http.requests == {}


async def test_a_redirect_is_an_error_and_not_followed(
    http: aioresponses, client: vapay.Client
) -> None:
    """A 3xx is an APIStatusError; the Location is never requested."""
    http.get(
        f"{BASE}/api/v1.0/accounts/1",
        status=302,
        headers={"Location": "https://evil.test/steal"},
        body="",
    )

    with pytest.raises(vapay.APIStatusError) as caught:
        await client.accounts.get(1)

    assert caught.value.status == 302
    assert list(http.requests) == [("GET", URL(f"{BASE}/api/v1.0/accounts/1"))]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, vapay.BadRequestError),
        (403, vapay.PermissionDeniedError),
        (404, vapay.NotFoundError),
        (422, vapay.UnprocessableEntityError),
    ],
    ids=["400", "403", "404", "422"],
)
async def test_error_statuses_raise_their_class_with_the_server_message(
    http: aioresponses,
    client: vapay.Client,
    status: int,
    error: type[vapay.APIStatusError],
) -> None:
    """A 4xx envelope becomes its typed error carrying status, code and message."""
    body = {"status": status, "success": False, "error": {"code": status, "message": "nope"}}
    http.get(f"{BASE}/api/v1.0/accounts/9", status=status, payload=body)

    with pytest.raises(error) as caught:
        await client.accounts.get(9)

    assert (caught.value.status, caught.value.code, caught.value.message) == (
        status,
        status,
        "nope",
    )


async def test_success_false_under_200_is_an_error(
    http: aioresponses, client: vapay.Client
) -> None:
    """An envelope saying success: false is an error even under HTTP 200."""
    body = {"status": 404, "success": False, "error": {"code": 404, "message": "no account"}}
    http.get(f"{BASE}/api/v1.0/accounts/9", status=200, payload=body)

    with pytest.raises(vapay.NotFoundError, match="no account"):
        await client.accounts.get(9)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"status":200,"success":true,"data":{"id":', "not JSON"),
        ("<html><body>Bad gateway</body></html>", "not JSON"),
        ('{"status":200,"success":true}', "$.data"),
        ('{"status":200,"success":true,"data":{"name":"x"}}', "$.data.id"),
        ('{"status":200,"success":true,"data":[1]}', "$.data"),
    ],
    ids=["truncated", "html", "no-data", "no-id", "list-for-object"],
)
async def test_malformed_bodies_raise_validation_errors_saying_where(
    http: aioresponses, client: vapay.Client, body: str, where: str
) -> None:
    """A body that is not the documented shape is APIResponseValidationError, never a crash."""
    http.get(f"{BASE}/api/v1.0/accounts/9", status=200, body=body)

    with pytest.raises(vapay.APIResponseValidationError) as caught:
        await client.accounts.get(9)

    assert where in str(caught.value)
    assert "GET /api/v1.0/accounts/9" in str(caught.value)


async def test_a_bad_item_in_a_page_names_its_index(
    http: aioresponses, client: vapay.Client
) -> None:
    """The error for a bad item says which item and which field."""
    items = [VA, VA, VA, {**VA, "amount": {"value": "eleven", "currency": "IDR"}}]
    http.get(
        f"{BASE}/api/v1.0/virtual-accounts/1?page=1",
        payload=ok(items, pagination=one_page(4)),
    )

    with pytest.raises(vapay.APIResponseValidationError) as caught:
        await client.virtual_accounts.list(1).collect()

    assert "$.data[3].amount.value" in str(caught.value)
