"""Virtual-account create, show, update and delete (MONEY-IN.md §1)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import DAY_MS, NOW_MS, Api

VAS = "/api/v1.0/virtual-accounts"
ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
LIVE_VA_KEYS = {
    "id",
    "number",
    "merchant_reff_no",
    "code",
    "bank",
    "amount",
    "amount_type",
    "min_amount",
    "max_amount",
    "status",
    "kind",
    "name",
    "current_usage",
    "max_usage",
    "expired_at",
}
BOTH_MODES = pytest.mark.parametrize("sandbox_options", [{}, {"live": True}], ids=["seed", "live"])
BANK_CODES = [
    "BCA",
    "BNI",
    "BRI",
    "MANDIRI",
    "PERMATA",
    "MAYBANK",
    "CIMB",
    "BSI",
    "MUAMALAT",
    "BNC",
    "OCBC",
    "DANAMON",
]


def invoice(**overrides: Any) -> dict[str, Any]:
    """A valid create body: a temporary, closed VA for one invoice."""
    body = {
        "bank_code": "BRI",
        "kind": "temporary",
        "amount": 150000,
        "expired_at": NOW_MS + DAY_MS,
        "merchant_reff_no": "INV-2026-001",
        "name": "Toko Budi",
    }
    return {**body, **overrides}


def without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in keys}


def account_id(api: Api, index: int = 0) -> str:
    return api.sandbox.state.accounts[index].id


async def create(api: Api, body: dict[str, Any], index: int = 0) -> dict[str, Any]:
    status, resp = await api.call("POST", f"{VAS}/{account_id(api, index)}", json=body)
    assert status == 200, resp
    return dict(resp["data"])


@BOTH_MODES
async def test_create_answers_the_new_virtual_account(api: Api) -> None:
    """POST answers the live VA object: a ULID id, active, unused, with the body's values."""
    data = await create(api, invoice())

    assert set(data) == LIVE_VA_KEYS
    assert ULID.fullmatch(data["id"])
    assert (data["status"], data["kind"], data["amount_type"]) == ("active", "temporary", "closed")
    assert Decimal(str(data["amount"]["value"])) == Decimal(150000)
    assert data["amount"]["currency"] == "IDR"
    assert (data["current_usage"], data["max_usage"]) == (0, 255)
    assert (data["expired_at"], data["merchant_reff_no"], data["name"]) == (
        NOW_MS + DAY_MS,
        "INV-2026-001",
        "Toko Budi",
    )
    assert data["code"] == "VA_BRI"
    assert data["bank"] == {"short_name": "BRI", "number": "002", "swift_code": "BRINIDJA"}


async def test_create_stores_the_record(api: Api) -> None:
    """The state holds the created record: a 16-digit string number, exact amounts."""
    data = await create(api, invoice(amount="150000.50"))

    va = api.sandbox.state.find_virtual_account(account_id(api), data["id"])

    assert va is not None
    assert re.fullmatch(r"[0-9]{16}", va.number)
    assert str(data["number"]) == va.number
    assert va.amount == Decimal("150000.50")


@BOTH_MODES
async def test_a_created_virtual_account_is_listed_last(api: Api) -> None:
    """The list route serves the new VA after the seeded ones, in the mode's shape."""
    data = await create(api, invoice())
    state = api.sandbox.state

    items = await api.walk(f"{VAS}/{account_id(api)}", kind="temporary")

    assert [str(item["id"]) for item in items] == [
        va.id for va in state.expected_virtual_accounts(account_id(api), "temporary")
    ]
    assert items[-1]["id"] == data["id"]
    if not state.live:  # the seed page's shape, with the seed-only fields
        assert items[-1]["bank_code"] == "BRI"
        assert items[-1]["created_at"] is not None


async def test_create_applies_the_documented_defaults(api: Api) -> None:
    """Left out: amount_type closed, max_usage 255, currency IDR, no expiry or name."""
    body = {"bank_code": "BNI", "kind": "permanent", "amount": 50000}

    data = await create(api, body)

    assert (data["amount_type"], data["max_usage"], data["amount"]["currency"]) == (
        "closed",
        255,
        "IDR",
    )
    assert (data["expired_at"], data["name"], data["merchant_reff_no"]) == (None, None, None)
    assert (data["min_amount"], data["max_amount"]) == (None, None)


async def test_an_open_virtual_account_keeps_its_range(api: Api) -> None:
    """An open VA serves its min and max amounts; its own amount is 0 and not required."""
    body = invoice(amount_type="open", min_amount=20000, max_amount="5000000.50")
    del body["amount"]

    data = await create(api, body)

    assert data["amount_type"] == "open"
    assert Decimal(str(data["amount"]["value"])) == 0
    assert Decimal(str(data["min_amount"]["value"])) == 20000
    assert Decimal(str(data["max_amount"]["value"])) == Decimal("5000000.50")


@pytest.mark.parametrize("bank_code", BANK_CODES)
async def test_every_documented_bank_is_accepted(api: Api, bank_code: str) -> None:
    """Each of the sandbox's twelve bank codes opens a VA coded VA_<bank>."""
    data = await create(api, invoice(bank_code=bank_code))

    assert data["code"] == f"VA_{bank_code}"


@pytest.mark.parametrize(
    ("overrides", "value"),
    [
        ({"expired_at": str(NOW_MS + DAY_MS)}, {"expired_at": NOW_MS + DAY_MS}),
        ({"max_usage": 1}, {"max_usage": 1}),
        ({"max_usage": 255}, {"max_usage": 255}),
        ({"max_usage": "7"}, {"max_usage": 7}),
        ({"amount": 10000, "bank_code": "BCA"}, {"amount_value": Decimal(10000)}),
        ({"amount": 20_000_000, "bank_code": "BCA"}, {"amount_value": Decimal(20_000_000)}),
        ({"amount": 250_000_000}, {"amount_value": Decimal(250_000_000)}),
        ({"amount": 150000.5}, {"amount_value": Decimal("150000.5")}),
        ({"currency": "USD"}, {"currency": "USD"}),
        ({"merchant_reff_no": "x" * 255}, {"merchant_reff_no": "x" * 255}),
    ],
    ids=[
        "expired-at-string",
        "max-usage-1",
        "max-usage-255",
        "max-usage-string",
        "bca-minimum",
        "bca-maximum",
        "bri-maximum",
        "float-amount",
        "currency",
        "reff-255",
    ],
)
async def test_create_accepts_values_at_the_bounds(
    api: Api, overrides: dict[str, Any], value: dict[str, Any]
) -> None:
    """Values on the documented bounds, and their string forms, are accepted."""
    data = await create(api, invoice(**overrides))
    served = {
        "expired_at": data["expired_at"],
        "max_usage": data["max_usage"],
        "amount_value": Decimal(str(data["amount"]["value"])),
        "currency": data["amount"]["currency"],
        "merchant_reff_no": data["merchant_reff_no"],
    }

    assert {key: served[key] for key in value} == value


MS_MESSAGE = "The expired at field must be a Unix timestamp in milliseconds."
BAD_CREATES = [
    ("bank-unknown", invoice(bank_code="XYZ"), "bank_code", "The selected bank code is invalid."),
    ("bank-lower", invoice(bank_code="bri"), "bank_code", "The selected bank code is invalid."),
    (
        "bank-missing",
        without(invoice(), "bank_code"),
        "bank_code",
        "The bank code field is required.",
    ),
    ("kind-missing", without(invoice(), "kind"), "kind", "The kind field is required."),
    ("kind-unknown", invoice(kind="daily"), "kind", "The selected kind is invalid."),
    (
        "type-unknown",
        invoice(amount_type="fixed"),
        "amount_type",
        "The selected amount type is invalid.",
    ),
    ("closed-no-amount", without(invoice(), "amount"), "amount", "The amount field is required."),
    ("amount-text", invoice(amount="abc"), "amount", "The amount field must be a number."),
    ("amount-bool", invoice(amount=True), "amount", "The amount field must be a number."),
    ("amount-negative", invoice(amount=-1), "amount", "The amount field must be at least 0."),
    ("amount-nan", invoice(amount="NaN"), "amount", "The amount field must be a number."),
    (
        "bca-below",
        invoice(bank_code="BCA", amount=9999),
        "amount",
        "The amount field must be between 10000 and 20000000.",
    ),
    (
        "bca-above",
        invoice(bank_code="BCA", amount=20_000_001),
        "amount",
        "The amount field must be between 10000 and 20000000.",
    ),
    (
        "bri-above",
        invoice(amount="250000000.01"),
        "amount",
        "The amount field must be between 10000 and 250000000.",
    ),
    (
        "open-max-below-min",
        invoice(amount_type="open", min_amount=50000, max_amount=20000),
        "max_amount",
        "The max amount field must be greater than or equal to min amount.",
    ),
    (
        "open-min-below-bank",
        invoice(amount_type="open", min_amount=5000),
        "min_amount",
        "The min amount field must be between 10000 and 250000000.",
    ),
    (
        "temporary-no-expiry",
        without(invoice(), "expired_at"),
        "expired_at",
        "The expired at field is required.",
    ),
    ("expiry-date", invoice(expired_at="2026-12-01"), "expired_at", MS_MESSAGE),
    ("expiry-iso", invoice(expired_at="2026-12-01T00:00:00+07:00"), "expired_at", MS_MESSAGE),
    ("expiry-seconds", invoice(expired_at=1_798_761_600), "expired_at", MS_MESSAGE),
    ("expiry-float", invoice(expired_at=1_798_761_600_000.0), "expired_at", MS_MESSAGE),
    ("expiry-14-digits", invoice(expired_at=17_987_616_000_000), "expired_at", MS_MESSAGE),
    ("expiry-bool", invoice(expired_at=True), "expired_at", MS_MESSAGE),
    (
        "max-usage-0",
        invoice(max_usage=0),
        "max_usage",
        "The max usage field must be between 1 and 255.",
    ),
    (
        "max-usage-256",
        invoice(max_usage=256),
        "max_usage",
        "The max usage field must be between 1 and 255.",
    ),
    (
        "max-usage-float",
        invoice(max_usage=1.5),
        "max_usage",
        "The max usage field must be an integer.",
    ),
    (
        "max-usage-text",
        invoice(max_usage="ten"),
        "max_usage",
        "The max usage field must be an integer.",
    ),
    (
        "reff-256",
        invoice(merchant_reff_no="x" * 256),
        "merchant_reff_no",
        "The merchant reff no field must not be greater than 255 characters.",
    ),
    (
        "reff-number",
        invoice(merchant_reff_no=12),
        "merchant_reff_no",
        "The merchant reff no field must be a string.",
    ),
    (
        "name-256",
        invoice(name="x" * 256),
        "name",
        "The name field must not be greater than 255 characters.",
    ),
    (
        "currency-lower",
        invoice(currency="idr"),
        "currency",
        "The currency field must be 3 capital letters.",
    ),
    (
        "currency-long",
        invoice(currency="RUPIAH"),
        "currency",
        "The currency field must be 3 capital letters.",
    ),
]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [case[1:] for case in BAD_CREATES],
    ids=[case[0] for case in BAD_CREATES],
)
async def test_create_validates_its_body(
    api: Api, body: dict[str, Any], field: str, message: str
) -> None:
    """A bad create is a 422 naming the field, and creates nothing."""
    before = api.sandbox.state.expected_virtual_accounts(account_id(api))

    status, resp = await api.call("POST", f"{VAS}/{account_id(api)}", json=body)

    assert status == 422
    assert resp["error"]["errors"] == {field: [message]}
    assert api.sandbox.state.expected_virtual_accounts(account_id(api)) == before


async def test_create_reports_every_bad_field_at_once(api: Api) -> None:
    """As in Laravel, one 422 lists every failed field."""
    status, resp = await api.call("POST", f"{VAS}/{account_id(api)}", json={})

    assert status == 422
    assert set(resp["error"]["errors"]) == {"bank_code", "kind", "amount"}


async def test_create_for_an_unknown_account_is_a_404(api: Api) -> None:
    """No account, no VA: 404 before any validation."""
    status, resp = await api.call("POST", f"{VAS}/999", json={})

    assert status == 404
    assert resp["error"]["message"] == "Account not found"


@BOTH_MODES
async def test_show_serves_the_live_shape_of_a_seeded_virtual_account(api: Api) -> None:
    """GET /{account}/{va} serves every live field of the record, in both modes."""
    va = api.sandbox.state.expected_virtual_accounts(account_id(api, 1))[1]

    status, resp = await api.call("GET", f"{VAS}/{va.account_id}/{va.id}")

    data = resp["data"]
    assert status == 200
    assert set(data) == LIVE_VA_KEYS
    assert (data["id"], str(data["number"]), data["kind"], data["status"]) == (
        va.id,
        va.number,
        va.kind,
        va.status,
    )
    assert (data["current_usage"], data["max_usage"], data["amount_type"]) == (
        va.current_usage,
        va.max_usage,
        va.amount_type,
    )
    assert Decimal(str(data["amount"]["value"])) == va.amount


async def test_show_answers_what_create_answered(api: Api) -> None:
    """Reading a created VA back gives the same object."""
    data = await create(api, invoice())

    _, resp = await api.call("GET", f"{VAS}/{account_id(api)}/{data['id']}")

    assert resp["data"] == data


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("where", ["unknown-va", "other-account", "unknown-account"])
async def test_an_unknown_virtual_account_is_a_404(api: Api, method: str, where: str) -> None:
    """A VA id that is not the account's, or an unknown account, is a 404."""
    other = api.sandbox.state.expected_virtual_accounts(account_id(api, 1))[0].id
    path = {
        "unknown-va": f"{VAS}/{account_id(api)}/01K946KF851RK7FX075GJHBVKF",
        "other-account": f"{VAS}/{account_id(api)}/{other}",
        "unknown-account": f"{VAS}/999/{other}",
    }[where]

    status, resp = await api.call(method, path, json={"status": "active"})

    assert status == 404
    assert resp["success"] is False


async def permanent_closed(api: Api) -> dict[str, Any]:
    return await create(api, {"bank_code": "BRI", "kind": "permanent", "amount": 75000})


async def test_update_of_only_the_status_wants_the_amount(api: Api) -> None:
    """A closed VA's full replace needs its amount: the gateway's own 422 message."""
    data = await permanent_closed(api)

    status, resp = await api.call(
        "PUT", f"{VAS}/{account_id(api)}/{data['id']}", json={"status": "inactive"}
    )

    assert status == 422
    assert resp["error"]["errors"] == {"amount": ["Amount is required"]}


async def test_update_of_a_temporary_va_wants_expiry_and_usage(api: Api) -> None:
    """A temporary closed VA also needs expired_at and max_usage."""
    data = await create(api, invoice())

    status, resp = await api.call(
        "PUT", f"{VAS}/{account_id(api)}/{data['id']}", json={"status": "inactive"}
    )

    assert status == 422
    assert resp["error"]["errors"] == {
        "amount": ["Amount is required"],
        "expired_at": ["Expired at is required"],
        "max_usage": ["Max usage is required"],
    }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"amount": 75000}, "status", "The status field is required."),
        ({"status": "paused", "amount": 75000}, "status", "The selected status is invalid."),
        ({"status": "active", "amount": "lots"}, "amount", "The amount field must be a number."),
        (
            {"status": "active", "amount": 1},
            "amount",
            "The amount field must be between 10000 and 250000000.",
        ),
        (
            {"status": "active", "amount": 75000, "max_usage": 0},
            "max_usage",
            "The max usage field must be between 1 and 255.",
        ),
        ({"status": "active", "amount": 75000, "expired_at": "tomorrow"}, "expired_at", MS_MESSAGE),
    ],
    ids=["no-status", "bad-status", "bad-amount", "below-bank", "max-usage-0", "expiry-text"],
)
async def test_update_validates_its_body(
    api: Api, body: dict[str, Any], field: str, message: str
) -> None:
    """A bad update is a 422 naming the field, and changes nothing."""
    data = await permanent_closed(api)
    path = f"{VAS}/{account_id(api)}/{data['id']}"

    status, resp = await api.call("PUT", path, json=body)
    _, shown = await api.call("GET", path)

    assert status == 422
    assert resp["error"]["errors"] == {field: [message]}
    assert shown["data"] == data


@BOTH_MODES
async def test_update_replaces_the_fields(api: Api) -> None:
    """PUT sets status, amount, expiry and usage; show and the list then serve them."""
    data = await create(api, invoice())
    path = f"{VAS}/{account_id(api)}/{data['id']}"
    body = {
        "status": "inactive",
        "amount": "99000.50",
        "expired_at": NOW_MS + 2 * DAY_MS,
        "max_usage": 3,
    }

    status, resp = await api.call("PUT", path, json=body)
    _, shown = await api.call("GET", path)
    listed = await api.walk(f"{VAS}/{account_id(api)}", kind="temporary")

    updated = resp["data"]
    assert status == 200
    assert shown["data"] == updated
    assert (updated["status"], updated["expired_at"], updated["max_usage"]) == (
        "inactive",
        NOW_MS + 2 * DAY_MS,
        3,
    )
    assert Decimal(str(updated["amount"]["value"])) == Decimal("99000.50")
    assert listed[-1]["status"] == "inactive"
    # Not in the body, so kept: the update replaces only what it documents.
    assert (updated["name"], updated["merchant_reff_no"]) == ("Toko Budi", "INV-2026-001")


async def test_update_twice_is_harmless(api: Api) -> None:
    """Sending the same full replace again answers the same object."""
    data = await permanent_closed(api)
    path = f"{VAS}/{account_id(api)}/{data['id']}"
    body = {"status": "inactive", "amount": 80000}

    _, first = await api.call("PUT", path, json=body)
    _, second = await api.call("PUT", path, json=body)

    assert first == second


async def test_update_of_an_open_va_needs_only_the_status(api: Api) -> None:
    """An open, permanent VA has nothing else required; its range is reset when left out."""
    va = next(
        va
        for va in api.sandbox.state.expected_virtual_accounts(account_id(api))
        if va.amount_type == "open" and va.max_amount is not None
    )

    status, resp = await api.call(
        "PUT", f"{VAS}/{va.account_id}/{va.id}", json={"status": "inactive"}
    )

    assert status == 200
    assert (resp["data"]["status"], resp["data"]["max_amount"]) == ("inactive", None)


async def test_update_keeps_the_wire_types(api: Api) -> None:
    """Re-encoding after an update keeps each field's JSON type."""
    va = api.sandbox.state.expected_virtual_accounts(account_id(api), "temporary")[0]
    path = f"{VAS}/{va.account_id}/{va.id}"
    body = {
        "status": "inactive",
        "amount": str(va.amount),
        "expired_at": va.expired_at,
        "max_usage": va.max_usage,
    }
    _, before = await api.call("GET", path)

    _, after = await api.call("PUT", path, json=body)

    assert after["data"]["status"] == "inactive"
    assert {k: type(v) for k, v in after["data"].items()} == {
        k: type(v) for k, v in before["data"].items()
    }


@BOTH_MODES
async def test_delete_removes_a_virtual_account_without_payments(api: Api) -> None:
    """DELETE answers the documented message; the VA is gone from show and the list."""
    data = await create(api, invoice())
    path = f"{VAS}/{account_id(api)}/{data['id']}"

    status, resp = await api.call("DELETE", path)
    shown, _ = await api.call("GET", path)

    assert (status, resp) == (
        200,
        {
            "status": 200,
            "success": True,
            "data": {"message": "Virtual Account delete successfully"},
        },
    )
    assert shown == 404
    ids = [va.id for va in api.sandbox.state.expected_virtual_accounts(account_id(api))]
    assert data["id"] not in ids


async def test_delete_of_a_virtual_account_with_payments_is_forbidden(api: Api) -> None:
    """A VA with transactions answers the documented 403 and stays."""
    state = api.sandbox.state
    tx = state.transactions.rows(account_id(api))[0]
    path = f"{VAS}/{tx.account_id}/{tx.virtual_account_id}"

    status, resp = await api.call("DELETE", path)
    shown, _ = await api.call("GET", path)

    assert (status, resp) == (
        403,
        {
            "status": 403,
            "success": False,
            "error": {"code": 403, "message": "This Virtual Account has have transactions"},
        },
    )
    assert shown == 200


async def test_an_expired_attempt_alone_blocks_delete(api: Api) -> None:
    """Any transaction counts, even an attempt that expired unpaid."""
    data = await create(api, invoice())
    await api.sandbox.expire_attempt(account_id(api), str(data["number"]))

    status, _ = await api.call("DELETE", f"{VAS}/{account_id(api)}/{data['id']}")

    assert status == 403


@BOTH_MODES
@pytest.mark.parametrize("reff", ["INV-00002-000", "inv-00002", "-0003"])
async def test_the_list_filters_by_merchant_reff_no(api: Api, reff: str) -> None:
    """merchant_reff_no lists the VAs whose reference contains it, ignoring case."""
    account = account_id(api, 1)
    expected = api.sandbox.state.expected_virtual_accounts(account, merchant_reff_no=reff)
    params = {"merchant_reff_no": reff} | ({} if api.sandbox.state.live else {"kind": "temporary"})

    items = await api.walk(f"{VAS}/{account}", **params)

    kinds = None if api.sandbox.state.live else "temporary"
    assert expected
    assert [str(item["id"]) for item in items] == [
        va.id for va in expected if kinds is None or va.kind == kinds
    ]
    assert all(reff.lower() in (va.merchant_reff_no or "").lower() for va in expected)
