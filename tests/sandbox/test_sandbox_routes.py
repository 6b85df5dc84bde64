"""The five seed endpoints: auth, happy paths, 404s and 422s."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import Api

ACCOUNTS = "/api/v1.0/accounts"
UNAUTHORIZED = "Unauthorized partner, please sign in"


def first_id(api: Api) -> str:
    return api.sandbox.state.accounts[0].id


ROUTES = [
    ("GET", "/api/v1.0/accounts", None),
    ("GET", "/api/v1.0/accounts/{id}", None),
    ("POST", "/api/v1.0/accounts", {"name": "Dhany Ahmad"}),
    ("PATCH", "/api/v1.0/accounts/update-status/{id}", {"status": "inactive"}),
    ("GET", "/api/v1.0/virtual-accounts/{id}?kind=temporary", None),
]
ROUTE_IDS = ["list", "get", "create", "update-status", "virtual-accounts"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
async def test_every_route_answers_an_authorized_call(
    api: Api, method: str, path: str, body: Any
) -> None:
    """Each route answers 200 with the success envelope given a valid token."""
    status, resp = await api.call(method, path.format(id=first_id(api)), json=body)

    assert status == 200
    assert resp["success"] is True


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize(
    "credentials",
    ["no-token", "unknown-token", "wrong-partner", "basic-scheme"],
)
async def test_every_route_rejects_a_call_without_valid_credentials(
    api: Api, method: str, path: str, body: Any, credentials: str
) -> None:
    """Without a valid token and partner id, each route answers the seed's 401."""
    good = await api.auth_headers()
    token = good["Authorization"].removeprefix("Bearer ")
    headers = {
        "no-token": {"X-PARTNER-ID": api.sandbox.api_key},
        "unknown-token": {**good, "Authorization": "Bearer not-a-token"},
        "wrong-partner": {**good, "X-PARTNER-ID": "someone-else"},
        "basic-scheme": {**good, "Authorization": f"Basic {token}"},
    }[credentials]

    status, resp = await api.request(
        method, path.format(id=first_id(api)), headers=headers, json=body
    )

    assert status == 401
    assert resp == {
        "status": 401,
        "success": False,
        "error": {"code": 401, "message": UNAUTHORIZED},
    }


async def test_a_rejected_call_changes_nothing(api: Api) -> None:
    """An unauthenticated create does not create an account."""
    before = len(api.sandbox.state.accounts)

    await api.request("POST", ACCOUNTS, json={"name": "Dhany Ahmad"})

    assert len(api.sandbox.state.accounts) == before


async def test_get_returns_the_account(api: Api) -> None:
    """GET /accounts/{id} serves the account's record."""
    account = api.sandbox.state.accounts[1]

    status, body = await api.call("GET", f"{ACCOUNTS}/{account.id}")

    assert status == 200
    assert str(body["data"]["id"]) == account.id
    assert body["data"]["name"] == account.name
    assert body["data"]["status"] == account.status


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1.0/accounts/999", None),
        ("GET", "/api/v1.0/accounts/01K946KF851RK7FX075GJHBVKF", None),
        ("PATCH", "/api/v1.0/accounts/update-status/999", {"status": "active"}),
        ("GET", "/api/v1.0/virtual-accounts/999?kind=temporary", None),
        ("GET", "/api/v1.0/virtual-accounts/999", None),
    ],
    ids=["get", "get-ulid", "update-status", "virtual-accounts", "404-before-422"],
)
async def test_an_unknown_account_is_a_404_envelope(
    api: Api, method: str, path: str, body: Any
) -> None:
    """An id that matches no account gets the 404 envelope."""
    status, resp = await api.call(method, path, json=body)

    assert status == 404
    assert resp["success"] is False
    assert resp["error"]["code"] == 404


async def test_create_answers_the_new_account(api: Api) -> None:
    """POST /accounts answers the created account, with a leading-zero phone kept."""
    payload = {
        "name": "Dhany Ahmad 19hapus",
        "email": "dhany@example.com",
        "phone": "082371268163823",
    }

    status, body = await api.call("POST", ACCOUNTS, json=payload)

    assert status == 200
    assert body["data"]["name"] == payload["name"]
    assert body["data"]["email"] == payload["email"]
    assert body["data"]["phone"] == "082371268163823"
    assert body["data"]["status"] == "active"


async def test_create_appends_the_account_to_the_listing(api: Api) -> None:
    """The created account is the last one listed and is in the state."""
    _, created = await api.call("POST", ACCOUNTS, json={"name": "Budi Santoso"})

    listed = await api.walk(ACCOUNTS)

    assert str(listed[-1]["id"]) == str(created["data"]["id"])
    assert api.sandbox.state.accounts[-1].name == "Budi Santoso"
    assert api.sandbox.state.expected_virtual_accounts(str(created["data"]["id"])) == []


async def test_create_ignores_unknown_keys(api: Api) -> None:
    """Fields the endpoint does not know are ignored, not rejected."""
    status, _ = await api.call("POST", ACCOUNTS, json={"name": "Budi", "extra": [1]})

    assert status == 200


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "name", "The name field is required."),
        ({"name": ""}, "name", "The name field is required."),
        ({"name": "Al"}, "name", "The name field must be at least 3 characters."),
        ({"name": "x" * 101}, "name", "The name field must not be greater than 100 characters."),
        ({"name": 12345}, "name", "The name field must be a string."),
        (
            {"name": "Budi", "email": "budi"},
            "email",
            "The email field must be a valid email address.",
        ),
        (
            {"name": "Budi", "email": "a b@c.d"},
            "email",
            "The email field must be a valid email address.",
        ),
        ({"name": "Budi", "phone": 82371268}, "phone", "The phone field must be a string."),
        ({"name": "Budi", "phone": "+6282"}, "phone", "The phone field must only contain digits."),
        (["name", "Budi"], "name", "The name field is required."),
    ],
    ids=[
        "missing",
        "empty",
        "short",
        "long",
        "number",
        "email",
        "email-space",
        "phone-number",
        "phone-plus",
        "array-body",
    ],
)
async def test_create_validates_its_body(api: Api, payload: Any, field: str, message: str) -> None:
    """An invalid create is a 422 with Laravel's message under error.errors."""
    before = len(api.sandbox.state.accounts)

    status, body = await api.call("POST", ACCOUNTS, json=payload)

    assert status == 422
    assert body["error"]["errors"][field] == [message]
    assert len(api.sandbox.state.accounts) == before


@pytest.mark.parametrize("name", ["abc", "x" * 100, "Siti Rahayu 🌺"], ids=["3", "100", "emoji"])
async def test_create_accepts_names_at_the_bounds(api: Api, name: str) -> None:
    """Names of 3 and 100 characters are valid."""
    status, body = await api.call("POST", ACCOUNTS, json={"name": name})

    assert status == 200
    assert body["data"]["name"] == name


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", ACCOUNTS), ("PATCH", "/api/v1.0/accounts/update-status/{id}")],
    ids=["create", "update-status"],
)
async def test_a_non_json_body_is_a_400_envelope(api: Api, method: str, path: str) -> None:
    """A body that does not parse as JSON is a 400 envelope."""
    status, body = await api.call(method, path.format(id=first_id(api)), data=b"{name: x")

    assert status == 400
    assert body["success"] is False


async def test_a_deeply_nested_body_is_a_400_envelope(api: Api) -> None:
    """JSON nested past the parser's recursion limit is malformed, not a crash."""
    status, body = await api.call("POST", ACCOUNTS, data=b"[" * 100_000 + b"]" * 100_000)

    assert status == 400
    assert body["success"] is False


async def test_update_status_keeps_the_wire_types(api: Api) -> None:
    """Re-encoding after a status change keeps each field's JSON type."""
    account = api.sandbox.state.accounts[0]
    _, before = await api.call("GET", f"{ACCOUNTS}/{account.id}")

    _, after = await api.call(
        "PATCH", f"/api/v1.0/accounts/update-status/{account.id}", json={"status": "inactive"}
    )

    assert {k: type(v) for k, v in after["data"].items()} == {
        k: type(v) for k, v in before["data"].items()
    }


async def test_update_status_changes_the_account(api: Api) -> None:
    """PATCH update-status answers and stores the new status."""
    account = api.sandbox.state.accounts[0]
    new = "inactive" if account.status == "active" else "active"

    status, body = await api.call(
        "PATCH", f"/api/v1.0/accounts/update-status/{account.id}", json={"status": new}
    )
    _, shown = await api.call("GET", f"{ACCOUNTS}/{account.id}")

    assert status == 200
    assert body["data"]["status"] == new
    assert shown["data"]["status"] == new
    assert account.status == new


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "The status field is required."),
        ({"status": "pending"}, "The selected status is invalid."),
        ({"status": "ACTIVE"}, "The selected status is invalid."),
        ({"status": 1}, "The selected status is invalid."),
    ],
    ids=["missing", "pending", "upper-case", "number"],
)
async def test_update_status_validates_the_status(
    api: Api, payload: dict[str, Any], message: str
) -> None:
    """Only active and inactive can be set."""
    path = f"/api/v1.0/accounts/update-status/{first_id(api)}"

    status, body = await api.call("PATCH", path, json=payload)

    assert status == 422
    assert body["error"]["errors"] == {"status": [message]}


@pytest.mark.parametrize("kind", ["temporary", "permanent"])
async def test_virtual_accounts_filter_by_kind(api: Api, kind: str) -> None:
    """The kind parameter lists only that kind, in the state's order."""
    account_id = first_id(api)
    expected = api.sandbox.state.expected_virtual_accounts(account_id, kind)

    items = await api.walk(f"/api/v1.0/virtual-accounts/{account_id}", kind=kind)

    assert [str(item["id"]) for item in items] == [va.id for va in expected]
    assert {item["kind"] for item in items} == {kind}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("", "kind", "The kind field is required."),
        ("?kind=daily", "kind", "The selected kind is invalid."),
        ("?kind=Temporary", "kind", "The selected kind is invalid."),
        ("?kind=", "kind", "The kind field is required."),
    ],
    ids=["missing", "unknown", "case", "empty"],
)
async def test_virtual_accounts_validate_kind(
    api: Api, query: str, field: str, message: str
) -> None:
    """In seed mode kind is mandatory and must be temporary or permanent."""
    path = f"/api/v1.0/virtual-accounts/{first_id(api)}{query}"

    status, body = await api.call("GET", path)

    assert status == 422
    assert body["error"]["errors"] == {field: [message]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=0", "page", "The page field must be at least 1."),
        ("page=-1", "page", "The page field must be at least 1."),
        ("page=abc", "page", "The page field must be an integer."),
        ("page=1.5", "page", "The page field must be an integer."),
        ("per_page=0", "per_page", "The per page field must be at least 1."),
        ("per_page=ten", "per_page", "The per page field must be an integer."),
    ],
    ids=[
        "page-0",
        "page-negative",
        "page-text",
        "page-float",
        "per-page-0",
        "per-page-text",
    ],
)
@pytest.mark.parametrize("listing", ["accounts", "virtual-accounts"])
async def test_listings_validate_page_and_per_page(
    api: Api, query: str, field: str, message: str, listing: str
) -> None:
    """page and per_page must be integers of at least 1."""
    path = (
        f"{ACCOUNTS}?{query}"
        if listing == "accounts"
        else f"/api/v1.0/virtual-accounts/{first_id(api)}?kind=temporary&{query}"
    )

    status, body = await api.call("GET", path)

    assert status == 422
    assert body["error"]["errors"] == {field: [message]}


async def test_empty_query_values_count_as_absent(api: Api) -> None:
    """As in Laravel, page= and per_page= fall back to their defaults."""
    status, body = await api.call("GET", f"{ACCOUNTS}?page=&per_page=")

    assert status == 200
    assert (body["pagination"]["currentPage"], body["pagination"]["perPage"]) == (1, 25)


async def test_an_unknown_path_is_a_404_envelope(api: Api) -> None:
    """A path the API does not have gets a JSON 404, not aiohttp's text page."""
    status, body = await api.call("GET", "/api/v1.0/nothing-here")

    assert status == 404
    assert body["error"]["code"] == 404


async def test_a_wrong_method_is_a_405_envelope(api: Api) -> None:
    """A known path with an unsupported method gets a JSON 405."""
    status, body = await api.call("DELETE", ACCOUNTS)

    assert status == 405
    assert body["success"] is False


async def test_requests_are_logged_with_their_route(api: Api) -> None:
    """Each request is recorded with method, path, query, body and route name."""
    await api.call("GET", ACCOUNTS, params={"page": "1"})
    await api.call("POST", ACCOUNTS, json={"name": "Budi"})

    log = [r for r in api.sandbox.state.requests if r.route != "token"]

    assert [(r.method, r.path, r.route, r.status) for r in log] == [
        ("GET", ACCOUNTS, "accounts.list", 200),
        ("POST", ACCOUNTS, "accounts.create", 200),
    ]
    assert log[0].query == {"page": "1"}
    assert log[1].json == {"name": "Budi"}
    assert log[1].headers["x-partner-id"] == api.sandbox.api_key
    assert api.sandbox.state.count("accounts.create") == 1


@pytest.mark.parametrize("sandbox_options", [{"record_requests": False}])
async def test_requests_can_be_counted_without_being_kept(api: Api) -> None:
    """With record_requests=False the log stays empty and the counters still count."""
    await api.call("GET", ACCOUNTS)

    assert api.sandbox.state.requests == []
    assert (api.sandbox.state.count("accounts.list"), api.sandbox.state.token_requests) == (1, 1)
