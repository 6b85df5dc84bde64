"""Balances (MONEY-IN.md §4): pending until settled, then available; the merchant sums all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import Api

from vapay.sandbox import BalanceRecord

BALANCE = "/api/v1.0/balance-inquiry"
MONEY_KEYS = ("balance", "available_balance", "pending_balance", "held_balance")
BOTH_MODES = pytest.mark.parametrize("sandbox_options", [{}, {"live": True}], ids=["seed", "live"])


def amounts(data: dict[str, Any]) -> dict[str, Decimal]:
    """The four money objects of a balance, as exact values."""
    return {key: Decimal(data[key]["value"]) for key in MONEY_KEYS}


def as_served(balance: BalanceRecord) -> dict[str, Decimal]:
    return {
        "balance": balance.balance,
        "available_balance": balance.available,
        "pending_balance": balance.pending,
        "held_balance": balance.held,
    }


async def balance_of(api: Api, account_id: str | None = None) -> dict[str, Any]:
    path = BALANCE if account_id is None else f"{BALANCE}/{account_id}"
    status, body = await api.call("GET", path)
    assert status == 200, body
    return dict(body["data"])


@BOTH_MODES
async def test_the_merchant_balance_has_the_documented_shape(api: Api) -> None:
    """Four money objects with the value as a two-decimal string; no account_id."""
    data = await balance_of(api)

    assert set(data) == set(MONEY_KEYS)
    for key in MONEY_KEYS:
        assert set(data[key]) == {"value", "currency"}
        assert data[key]["currency"] == "IDR"
        assert isinstance(data[key]["value"], str)
        assert data[key]["value"].split(".")[1].isdigit()
        assert len(data[key]["value"].split(".")[1]) == 2


async def test_an_accounts_balance_names_the_account(api: Api) -> None:
    """The sub-account's balance carries its account_id."""
    account_id = api.sandbox.state.accounts[1].id

    data = await balance_of(api, account_id)

    assert data["account_id"] == account_id
    assert set(data) == {"account_id", *MONEY_KEYS}


@BOTH_MODES
async def test_a_balance_adds_up_the_paid_payments(api: Api) -> None:
    """Settled nets are available, unsettled ones pending, nothing held, balance the sum."""
    state = api.sandbox.state
    account_id = state.accounts[0].id
    paid = [tx for tx in state.transactions.rows(account_id) if tx.status == "paid"]

    served = amounts(await balance_of(api, account_id))

    available = sum((tx.amount - tx.fee for tx in paid if tx.has_settle), Decimal(0))
    pending = sum((tx.amount - tx.fee for tx in paid if not tx.has_settle), Decimal(0))
    assert served == {
        "balance": available + pending,
        "available_balance": available,
        "pending_balance": pending,
        "held_balance": Decimal(0),
    }
    assert served == as_served(state.expected_balance(account_id))
    assert available > 0
    assert pending > 0


async def test_the_merchant_balance_is_the_sum_of_the_accounts(api: Api) -> None:
    """Each of the merchant's four figures is the sum over its sub-accounts."""
    accounts = [amounts(await balance_of(api, a.id)) for a in api.sandbox.state.accounts]

    merchant = amounts(await balance_of(api))

    assert merchant == {key: sum((a[key] for a in accounts), Decimal(0)) for key in MONEY_KEYS}
    assert merchant == as_served(api.sandbox.state.expected_balance())


def open_active_va(api: Api) -> tuple[str, str]:
    """An account id and the number of one of its open, payable VAs."""
    state = api.sandbox.state
    va = next(
        va
        for account in state.accounts
        for va in state.virtual_accounts[account.id]
        if va.amount_type == "open" and va.status == "active"
    )
    return va.account_id, va.number


async def test_paying_adds_the_net_to_pending(api: Api) -> None:
    """A payment adds its net (amount - fee) to pending and to the balance."""
    account_id, number = open_active_va(api)
    before = amounts(await balance_of(api, account_id))

    tx = await api.sandbox.pay(account_id, number, Decimal(100_000))
    after = amounts(await balance_of(api, account_id))

    assert after["pending_balance"] - before["pending_balance"] == tx.net == 100_000 - tx.fee
    assert after["balance"] - before["balance"] == tx.net
    assert after["available_balance"] == before["available_balance"]


async def test_settling_moves_pending_to_available(api: Api) -> None:
    """Settlement empties pending into available; the balance stays."""
    account_id = api.sandbox.state.accounts[0].id
    before = amounts(await balance_of(api, account_id))

    settled = await api.sandbox.settle(account_id)
    after = amounts(await balance_of(api, account_id))

    assert settled
    assert after["pending_balance"] == 0
    assert after["available_balance"] == before["available_balance"] + before["pending_balance"]
    assert after["balance"] == before["balance"]


async def test_an_expired_attempt_moves_nothing_until_paid_late(api: Api) -> None:
    """An expired attempt leaves the balance; its late payment adds its net to pending."""
    account_id, number = open_active_va(api)
    before = amounts(await balance_of(api, account_id))

    attempt = await api.sandbox.expire_attempt(account_id, number, 250_000)
    unchanged = amounts(await balance_of(api, account_id))
    await api.sandbox.pay_late(attempt.transaction_id)
    after = amounts(await balance_of(api, account_id))

    assert unchanged == before
    assert after["pending_balance"] - before["pending_balance"] == attempt.net


async def test_payments_older_than_the_listings_window_still_count(api: Api) -> None:
    """The 12-month window hides rows from the listings, not money from the balance."""
    account_id = api.sandbox.state.accounts[0].id
    before = amounts(await balance_of(api, account_id))
    api.sandbox.state.clock.now += 2 * 365 * 86_400  # type: ignore[attr-defined]

    after = amounts(await balance_of(api, account_id))

    assert api.sandbox.state.expected_transactions(account_id) == []
    assert after == before


async def test_the_balance_of_an_unknown_account_is_a_404(api: Api) -> None:
    """No account, no balance."""
    status, body = await api.call("GET", f"{BALANCE}/999")

    assert status == 404
    assert body["error"]["message"] == "Account not found"


async def test_a_new_account_has_a_zero_balance(api: Api) -> None:
    """An account created through the API starts with nothing."""
    _, created = await api.call("POST", "/api/v1.0/accounts", json={"name": "Budi Santoso"})

    data = await balance_of(api, str(created["data"]["id"]))

    assert {key: data[key]["value"] for key in MONEY_KEYS} == dict.fromkeys(MONEY_KEYS, "0.00")
