"""Seeded data: deterministic, served as recorded, with the real API's mixed types."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import Api

from vapay.sandbox import Sandbox, SandboxState

ACCOUNTS = "/api/v1.0/accounts"
MIXED: dict[str, Any] = {"accounts": 12, "virtual_accounts_per_account": 10}
ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


def wire_items(state: SandboxState) -> tuple[list[Any], list[Any]]:
    """Every account and virtual account as the sandbox encodes it."""
    accounts = [json.loads(item) for item in state.accounts_json()]
    vas = [
        json.loads(item)
        for account in state.accounts
        for item in state.virtual_accounts_json(account.id, None)
    ]
    return accounts, vas


def types_of(values: list[Any]) -> set[str]:
    return {type(v).__name__ for v in values}


def test_the_same_seed_gives_the_same_data() -> None:
    """Two sandboxes with one seed hold equal records and encode them alike."""
    one, two = Sandbox(seed=7, **MIXED).state, Sandbox(seed=7, **MIXED).state

    assert one.accounts == two.accounts
    assert one.virtual_accounts == two.virtual_accounts
    assert wire_items(one) == wire_items(two)


def test_another_seed_gives_other_data() -> None:
    """Ids and amounts change with the seed."""
    one, two = Sandbox(seed=1).state, Sandbox(seed=2).state

    assert [a.id for a in one.accounts] != [a.id for a in two.accounts]


def test_more_accounts_leave_the_first_ones_unchanged() -> None:
    """Account i's data depends on the seed and i only."""
    small, large = Sandbox(accounts=2).state, Sandbox(accounts=9).state

    assert large.accounts[:2] == small.accounts
    first = small.accounts[0].id
    assert large.virtual_accounts[first] == small.virtual_accounts[first]


@pytest.mark.parametrize("live", [False, True], ids=["seed", "live"])
def test_ids_are_unique(live: bool) -> None:
    """No two accounts, and no two virtual accounts, share an id."""
    state = Sandbox(accounts=50, virtual_accounts_per_account=20, live=live).state
    va_ids = [va.id for vas in state.virtual_accounts.values() for va in vas]

    assert len({a.id for a in state.accounts}) == 50
    assert len(set(va_ids)) == 1000


def test_kinds_alternate_per_account() -> None:
    """Each account's virtual accounts alternate kinds, so each kind is half."""
    state = Sandbox(accounts=2, virtual_accounts_per_account=5).state

    kinds = [[va.kind for va in vas] for vas in state.virtual_accounts.values()]

    assert kinds == [
        ["temporary", "permanent", "temporary", "permanent", "temporary"],
        ["permanent", "temporary", "permanent", "temporary", "permanent"],
    ]


@pytest.mark.parametrize("sandbox_options", [MIXED])
async def test_ids_arrive_as_numbers_and_as_strings(api: Api) -> None:
    """Seed-mode ids travel as JSON numbers for some items and strings for others."""
    accounts = await api.walk(ACCOUNTS)
    vas = await api.walk(f"/api/v1.0/virtual-accounts/{accounts[0]['id']}", kind="temporary")

    assert types_of([a["id"] for a in accounts]) == {"int", "str"}
    assert types_of([a["id"] for a in accounts + vas]) == {"int", "str"}


@pytest.mark.parametrize("seed", range(5))
def test_every_wire_type_is_mixed(seed: int) -> None:
    """Phones, VA numbers, amounts and created_at each come in every form."""
    accounts, vas = wire_items(Sandbox(seed=seed, **MIXED).state)

    assert types_of([a["phone"] for a in accounts if a["phone"] is not None]) == {"int", "str"}
    assert types_of([va["number"] for va in vas]) == {"int", "str"}
    assert types_of([va["amount"]["value"] for va in vas]) == {"int", "str", "float"}
    assert types_of([va["created_at"] for va in vas]) == {"int", "str"}


@pytest.mark.parametrize("live", [False, True], ids=["seed", "live"])
@pytest.mark.parametrize("seed", range(5))
def test_leading_zero_values_are_always_strings(seed: int, live: bool) -> None:
    """A phone or VA number with a leading zero is never a JSON number."""
    state = Sandbox(seed=seed, live=live, **MIXED).state
    accounts, vas = wire_items(state)
    records = [va for vas_ in state.virtual_accounts.values() for va in vas_]

    zero_numbers = [
        w["number"] for w, r in zip(vas, records, strict=True) if r.number.startswith("0")
    ]
    zero_phones = [
        a["phone"]
        for a, r in zip(accounts, state.accounts, strict=True)
        if (r.phone or "").startswith("0")
    ]

    assert zero_numbers
    assert all(isinstance(v, str) for v in zero_numbers + zero_phones)


def test_float_amounts_are_exact() -> None:
    """An amount sent as a float is exactly its record's Decimal."""
    state = Sandbox(seed=3, **MIXED).state
    _, vas = wire_items(state)
    records = [va for vas_ in state.virtual_accounts.values() for va in vas_]

    floats = [
        (w, r) for w, r in zip(vas, records, strict=True) if isinstance(w["amount"]["value"], float)
    ]

    assert floats
    assert all(Decimal(w["amount"]["value"]) == r.amount for w, r in floats)


@pytest.mark.parametrize("sandbox_options", [MIXED])
async def test_served_virtual_accounts_match_their_records(api: Api) -> None:
    """Normalised, every served field equals the record's, and totals are exact."""
    account_id = api.sandbox.state.accounts[2].id
    records = api.sandbox.state.expected_virtual_accounts(account_id)
    served = await api.walk(f"/api/v1.0/virtual-accounts/{account_id}", kind="temporary")
    served += await api.walk(f"/api/v1.0/virtual-accounts/{account_id}", kind="permanent")
    by_id = {str(item["id"]): item for item in served}

    for va in records:
        item = by_id[va.id]
        assert str(item["number"]) == va.number
        assert Decimal(str(item["amount"]["value"])) == va.amount
        assert item["amount"]["currency"] == va.currency == "IDR"
        assert int(item["created_at"]) == va.created_at
        assert (item["kind"], item["status"], item["bank_code"]) == (
            va.kind,
            va.status,
            va.bank_code,
        )
    total = sum(Decimal(str(item["amount"]["value"])) for item in served)
    assert total == sum(va.amount for va in records)


@pytest.mark.parametrize("sandbox_options", [MIXED])
async def test_served_accounts_match_their_records(api: Api) -> None:
    """Normalised, every served account equals its record."""
    served = await api.walk(ACCOUNTS)

    for item, account in zip(served, api.sandbox.state.accounts, strict=True):
        phone = None if item["phone"] is None else str(item["phone"])
        assert (str(item["id"]), item["name"], item["email"], phone, item["status"]) == (
            account.id,
            account.name,
            account.email,
            account.phone,
            account.status,
        )


def test_seeded_values_come_from_the_documented_sets() -> None:
    """Statuses, kinds and bank codes are the seed pages' values; permanent is 0."""
    state = Sandbox(accounts=30, virtual_accounts_per_account=10).state
    vas = [va for vas_ in state.virtual_accounts.values() for va in vas_]

    assert {a.status for a in state.accounts} == {"active", "inactive", "pending", "rejected"}
    assert {va.status for va in vas} == {"active", "expired"}
    assert {va.bank_code for va in vas} == {"BRI", "BCA", "BNI", "MANDIRI"}
    assert {va.amount for va in vas if va.kind == "permanent"} == {Decimal(0)}
    assert all(va.id.isdigit() for va in vas)


LIVE = {"live": True, "accounts": 4, "virtual_accounts_per_account": 6}
LIVE_ACCOUNT_KEYS = {
    "id",
    "name",
    "status",
    "account_number",
    "account_type",
    "kyb_status",
    "invite_members",
}
LIVE_VA_KEYS = {
    "id", "number", "merchant_reff_no", "code", "bank", "amount", "amount_type",
    "min_amount", "max_amount", "status", "kind", "name", "current_usage", "max_usage",
    "expired_at",
}  # fmt: skip


@pytest.mark.parametrize("sandbox_options", [LIVE])
async def test_live_accounts_have_the_current_shape(api: Api) -> None:
    """Live accounts: ULID ids, the newer fields, no email/phone, snake_case block."""
    _, body = await api.call("GET", ACCOUNTS)

    assert all(set(item) == LIVE_ACCOUNT_KEYS for item in body["data"])
    assert all(ULID.fullmatch(item["id"]) for item in body["data"])
    assert {item["account_type"] for item in body["data"]} <= {
        "owned",
        "personal_managed",
        "business_managed",
    }
    assert {"per_page", "current_page", "total_pages"} <= set(body["pagination"])


@pytest.mark.parametrize("sandbox_options", [LIVE])
async def test_live_virtual_accounts_have_the_current_shape(api: Api) -> None:
    """Live VAs: ULID ids, bank object, no bank_code/created_at, a snake_case meta."""
    account = api.sandbox.state.accounts[0]

    _, body = await api.call("GET", f"/api/v1.0/virtual-accounts/{account.id}")

    assert "pagination" not in body
    assert set(body["meta"]) == {
        "count",
        "total",
        "per_page",
        "current_page",
        "total_pages",
        "links",
    }
    items = body["data"]
    assert all(set(item) == LIVE_VA_KEYS for item in items)
    assert all(ULID.fullmatch(item["id"]) for item in items)
    assert {item["code"] for item in items} <= {"VA_BRI", "VA_BCA", "VA_BNI", "VA_MANDIRI"}
    assert all(set(item["bank"]) == {"short_name", "number", "swift_code"} for item in items)
    assert all(isinstance(item["expired_at"], int) for item in items)


@pytest.mark.parametrize("sandbox_options", [LIVE])
async def test_live_mode_lists_every_kind_without_kind(api: Api) -> None:
    """The live API's kind is an optional filter: without it, all kinds come."""
    account_id = api.sandbox.state.accounts[0].id

    items = await api.walk(f"/api/v1.0/virtual-accounts/{account_id}")

    assert [item["id"] for item in items] == [
        va.id for va in api.sandbox.state.expected_virtual_accounts(account_id)
    ]
    assert {item["kind"] for item in items} == {"temporary", "permanent"}


@pytest.mark.parametrize("sandbox_options", [LIVE])
async def test_live_mode_still_rejects_a_bad_kind(api: Api) -> None:
    """An unknown kind is a 422 in live mode too."""
    account_id = api.sandbox.state.accounts[0].id

    status, _ = await api.call("GET", f"/api/v1.0/virtual-accounts/{account_id}?kind=x")

    assert status == 422


@pytest.mark.parametrize("sandbox_options", [LIVE])
@pytest.mark.parametrize(
    ("payload", "status", "account_type"),
    [
        ({"name": "Budi"}, 200, "owned"),
        ({"name": "Budi", "account_type": "business_managed"}, 200, "business_managed"),
        ({"name": "Budi", "account_type": "corporate"}, 422, None),
        ({"name": "Budi", "invite_members": "a@b.c"}, 422, None),
    ],
    ids=["default", "business", "bad-type", "bad-members"],
)
async def test_live_create_takes_account_type(
    api: Api, payload: dict[str, Any], status: int, account_type: str | None
) -> None:
    """Live create validates account_type and answers the live shape."""
    got, body = await api.call("POST", ACCOUNTS, json=payload)

    assert got == status
    if status == 200:
        assert set(body["data"]) == LIVE_ACCOUNT_KEYS
        assert body["data"]["account_type"] == account_type
