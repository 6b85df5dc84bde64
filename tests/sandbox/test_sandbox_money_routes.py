"""The money-in routes' plumbing: auth, route names, the request log, faults, and the
account status route switch (MONEY-IN.md §2)."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import Api

from vapay.sandbox import Sandbox

UNAUTHORIZED = "Unauthorized partner, please sign in"


def paths(api: Api) -> dict[str, str]:
    """The ids that fill the route templates: a seeded VA and one of its payments."""
    state = api.sandbox.state
    tx = state.transactions.rows(state.accounts[0].id)[0]
    return {
        "account": tx.account_id,
        "va": tx.virtual_account_id,
        "number": tx.va_number,
        "tx": tx.transaction_id,
    }


CREATE = {"bank_code": "BNI", "kind": "permanent", "amount": 50000}
UPDATE = {"status": "active", "amount": 50000}
# (route name, method, path template, body); a path ending in ?... has a query.
MONEY_ROUTES = [
    ("virtual_accounts.create", "POST", "/api/v1.0/virtual-accounts/{account}", CREATE),
    ("virtual_accounts.get", "GET", "/api/v1.0/virtual-accounts/{account}/{va}", None),
    ("va_transactions.list", "GET", "/api/v1.0/va-transactions/{account}?status=paid", None),
    ("va_transactions.get", "GET", "/api/v1.0/va-transactions/{account}/{tx}", None),
    (
        "va_transactions.list_by_va_number",
        "GET",
        "/api/v1.0/va-transactions/{account}/detail-by-va-number/{number}",
        None,
    ),
    ("balance.get", "GET", "/api/v1.0/balance-inquiry", None),
    ("balance.get", "GET", "/api/v1.0/balance-inquiry/{account}", None),
    ("accounts.update", "PATCH", "/api/v1.0/accounts/update/{account}", {"status": "active"}),
]
ROUTE_IDS = [
    "va-create",
    "va-get",
    "tx-list",
    "tx-get",
    "tx-by-number",
    "balance",
    "balance-account",
    "account-update",
]


@pytest.mark.parametrize(("name", "method", "path", "body"), MONEY_ROUTES, ids=ROUTE_IDS)
async def test_every_money_route_answers_an_authorized_call(
    api: Api, name: str, method: str, path: str, body: Any
) -> None:
    """Each route answers 200 with the success envelope, and is logged by its name."""
    url = path.format(**paths(api))

    status, resp = await api.call(method, url, json=body)

    log = api.sandbox.state.requests[-1]
    assert (status, resp["success"]) == (200, True)
    assert (log.method, log.path, log.route, log.status) == (method, url.split("?")[0], name, 200)
    assert log.query == ({"status": "paid"} if "?" in url else {})
    assert log.json == body
    assert api.sandbox.state.count(name) == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        *[(method, path, body) for _, method, path, body in MONEY_ROUTES],
        ("PUT", "/api/v1.0/virtual-accounts/{account}/{va}", UPDATE),
        ("DELETE", "/api/v1.0/virtual-accounts/{account}/{va}", None),
    ],
    ids=[*ROUTE_IDS, "va-update", "va-delete"],
)
@pytest.mark.parametrize("credentials", ["no-token", "unknown-token", "wrong-partner"])
async def test_every_money_route_rejects_a_call_without_valid_credentials(
    api: Api, method: str, path: str, body: Any, credentials: str
) -> None:
    """Without a valid token and partner id, each route answers the seed's 401."""
    good = await api.auth_headers()
    headers = {
        "no-token": {"X-PARTNER-ID": api.sandbox.api_key},
        "unknown-token": {**good, "Authorization": "Bearer not-a-token"},
        "wrong-partner": {**good, "X-PARTNER-ID": "someone-else"},
    }[credentials]
    before = len(api.sandbox.state.expected_virtual_accounts(paths(api)["account"]))

    status, resp = await api.request(method, path.format(**paths(api)), headers=headers, json=body)

    assert status == 401
    assert resp["error"] == {"code": 401, "message": UNAUTHORIZED}
    assert len(api.sandbox.state.expected_virtual_accounts(paths(api)["account"])) == before


@pytest.mark.parametrize(
    ("name", "method", "path", "body"),
    [
        *MONEY_ROUTES,
        ("virtual_accounts.update", "PUT", "/api/v1.0/virtual-accounts/{account}/{va}", UPDATE),
        ("virtual_accounts.delete", "DELETE", "/api/v1.0/virtual-accounts/{account}/{va}", None),
    ],
    ids=[*ROUTE_IDS, "va-update", "va-delete"],
)
async def test_a_fault_targets_a_money_route_by_name(
    api: Api, name: str, method: str, path: str, body: Any
) -> None:
    """fail_next(route=name) answers that route's next call with the error, then stops."""
    headers = await api.auth_headers()
    api.sandbox.fail_next(503, route=name)
    url = path.format(**paths(api))

    first, _ = await api.request(method, url, headers=headers, json=body)
    log = api.sandbox.state.requests[-1]

    assert first == 503
    assert (log.route, log.fault) == (name, "status")
    assert api.sandbox.state.faults.pending == ()


async def test_a_dropped_create_creates_nothing(api: Api) -> None:
    """drop_next on virtual_accounts.create closes the connection before the handler runs."""
    account_id = paths(api)["account"]
    before = api.sandbox.state.expected_virtual_accounts(account_id)
    api.sandbox.drop_next(route="virtual_accounts.create")
    headers = await api.auth_headers()

    with pytest.raises(Exception, match="disconnected"):
        await api.request(
            "POST", f"/api/v1.0/virtual-accounts/{account_id}", headers=headers, json=CREATE
        )

    assert api.sandbox.state.expected_virtual_accounts(account_id) == before
    assert api.sandbox.state.count("virtual_accounts.create") == 1


async def test_a_truncated_create_did_create(api: Api) -> None:
    """truncate_next lets the create run: the VA exists though its answer was cut."""
    account_id = paths(api)["account"]
    before = len(api.sandbox.state.expected_virtual_accounts(account_id))
    api.sandbox.truncate_next(route="virtual_accounts.create")
    body = CREATE | {"merchant_reff_no": "INV-UNCERTAIN"}

    headers = await api.auth_headers()
    url = f"{api.sandbox.url}/api/v1.0/virtual-accounts/{account_id}"

    async with api.session.post(url, headers=headers, json=body) as resp:
        text = await resp.text()

    assert resp.status == 200
    assert text.startswith('{"status":200')
    assert not text.endswith("}}")
    assert len(api.sandbox.state.expected_virtual_accounts(account_id)) == before + 1
    assert api.sandbox.state.expected_virtual_accounts(account_id, merchant_reff_no="uncertain")


async def test_the_va_update_also_answers_patch(api: Api) -> None:
    """The spec lists PATCH beside PUT: the same full replace, the same route name."""
    path = f"/api/v1.0/virtual-accounts/{paths(api)['account']}"
    _, created = await api.call("POST", path, json=CREATE)

    status, body = await api.call(
        "PATCH", f"{path}/{created['data']['id']}", json=UPDATE | {"amount": 60000}
    )

    assert status == 200
    assert body["data"]["amount"]["value"] in {"60000.00", 60000}
    assert api.sandbox.state.requests[-1].route == "virtual_accounts.update"


# The account status route switch.

SEED_ROUTE = "/api/v1.0/accounts/update-status/{}"
LIVE_ROUTE = "/api/v1.0/accounts/update/{}"


async def set_status(api: Api, template: str, status: str = "inactive") -> tuple[int, Any]:
    account_id = api.sandbox.state.accounts[0].id
    return await api.call("PATCH", template.format(account_id), json={"status": status})


@pytest.mark.parametrize("template", [SEED_ROUTE, LIVE_ROUTE], ids=["seed", "live"])
async def test_by_default_both_status_routes_work(api: Api, template: str) -> None:
    """status_route="both" (the default) serves the seed and the live route."""
    status, body = await set_status(api, template)

    assert status == 200
    assert body["data"]["status"] == "inactive"
    assert api.sandbox.state.accounts[0].status == "inactive"


@pytest.mark.parametrize("sandbox_options", [{"status_route": "live"}])
async def test_the_live_switch_makes_the_seed_route_a_plain_404(api: Api) -> None:
    """status_route="live": update-status is not there at all, as on the live API."""
    status, body = await set_status(api, SEED_ROUTE)
    logged = api.sandbox.state.requests[-1]
    live_status, _ = await set_status(api, LIVE_ROUTE)

    assert (status, body) == (
        404,
        {"status": 404, "success": False, "error": {"code": 404, "message": "Not Found"}},
    )
    assert logged.route == "unknown"
    assert api.sandbox.state.count("accounts.update_status") == 0
    assert live_status == 200
    assert api.sandbox.state.count("accounts.update") == 1


@pytest.mark.parametrize("sandbox_options", [{"status_route": "seed"}])
async def test_the_seed_switch_serves_only_the_seed_route(api: Api) -> None:
    """status_route="seed": the live route is the one missing."""
    live_status, _ = await set_status(api, LIVE_ROUTE)
    seed_status, _ = await set_status(api, SEED_ROUTE)

    assert (live_status, seed_status) == (404, 200)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "The status field is required."),
        ({"status": "pending"}, "The selected status is invalid."),
    ],
    ids=["missing", "pending"],
)
async def test_the_live_status_route_validates_like_the_seed_one(
    api: Api, body: dict[str, Any], message: str
) -> None:
    """PATCH .../update/{id} takes {"status"} with the same checks."""
    account_id = api.sandbox.state.accounts[0].id

    status, resp = await api.call("PATCH", LIVE_ROUTE.format(account_id), json=body)

    assert status == 422
    assert resp["error"]["errors"] == {"status": [message]}


async def test_the_live_status_route_of_an_unknown_account_is_a_404(api: Api) -> None:
    """An unknown account is the API's own 404 envelope, not the router's."""
    status, body = await api.call("PATCH", LIVE_ROUTE.format("999"), json={"status": "active"})

    assert status == 404
    assert body["error"]["message"] == "Account not found"


@pytest.mark.parametrize("value", ["Seed", "none", ""])
def test_an_unknown_status_route_is_refused(value: str) -> None:
    """Sandbox(status_route=...) takes seed, live or both."""
    with pytest.raises(ValueError, match="status_route"):
        Sandbox(status_route=value)  # type: ignore[arg-type]
