"""The sandbox's money actions: pay, expire_attempt, pay_late, settle, in Python and HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sandbox_helpers import DAY_MS, NOW_MS, Api

from vapay.sandbox import (
    Fault,
    PaymentRefusedError,
    RecordNotFoundError,
    Sandbox,
    SandboxError,
    TransactionRecord,
)

VAS = "/api/v1.0/virtual-accounts"
TX = "/api/v1.0/va-transactions"
ROOT = Path(__file__).resolve().parents[2]


async def new_va(api: Api, **body: Any) -> dict[str, Any]:
    """A VA created through the API on the first account (a temporary 150,000 invoice)."""
    defaults = {
        "bank_code": "BRI",
        "kind": "temporary",
        "amount": 150000,
        "expired_at": NOW_MS + DAY_MS,
        "merchant_reff_no": "INV-2026-001",
    }
    account_id = api.sandbox.state.accounts[0].id
    status, resp = await api.call("POST", f"{VAS}/{account_id}", json=defaults | body)
    assert status == 200, resp
    return dict(resp["data"]) | {"account_id": account_id, "number": str(resp["data"]["number"])}


async def shown(api: Api, va: dict[str, Any]) -> dict[str, Any]:
    status, resp = await api.call("GET", f"{VAS}/{va['account_id']}/{va['id']}")
    assert status == 200, resp
    return dict(resp["data"])


async def test_pay_records_a_paid_payment_of_a_closed_vas_amount(api: Api) -> None:
    """pay() with no amount pays a closed VA's own amount, now, unsettled."""
    va = await new_va(api)

    tx = await api.sandbox.pay(va["account_id"], va["number"])

    assert isinstance(tx, TransactionRecord)
    assert (tx.status, tx.amount, tx.has_settle, tx.settle_at) == (
        "paid",
        Decimal(150000),
        False,
        None,
    )
    assert tx.post_timestamp == tx.processed_timestamp == NOW_MS
    assert (tx.va_number, tx.merchant_reff_no, tx.virtual_account_id) == (
        va["number"],
        "INV-2026-001",
        va["id"],
    )
    assert (tx.bank_code, tx.fee, tx.net) == ("BRI", Decimal(4500), Decimal(145500))


async def test_pay_counts_a_use_of_the_virtual_account(api: Api) -> None:
    """current_usage grows by one, as show and the state say."""
    va = await new_va(api, kind="permanent", max_usage=3)

    await api.sandbox.pay(va["account_id"], va["number"])
    await api.sandbox.pay(va["account_id"], va["number"])

    assert (await shown(api, va))["current_usage"] == 2
    record = api.sandbox.state.find_virtual_account(va["account_id"], va["id"])
    assert record is not None
    assert record.current_usage == 2


async def test_a_payment_is_the_newest_row_of_the_listing(api: Api) -> None:
    """The new row comes first in the default (newest first) order and shows by id."""
    va = await new_va(api)

    tx = await api.sandbox.pay(va["account_id"], va["number"], notes="Pembayaran order #1024")
    _, listed = await api.call("GET", f"{TX}/{va['account_id']}")
    _, one = await api.call("GET", f"{TX}/{va['account_id']}/{tx.transaction_id}")

    assert listed["data"][0] == one["data"]
    assert one["data"]["transaction_id"] == tx.transaction_id
    assert (one["data"]["status"], one["data"]["notes"]) == ("paid", "Pembayaran order #1024")
    assert Decimal(str(one["data"]["amount"]["value"])) == Decimal(150000)


@pytest.mark.parametrize("amount", [20000, "20000", Decimal("5000000.50")])
async def test_an_open_va_takes_an_amount_in_its_range(api: Api, amount: Any) -> None:
    """An open VA is paid the given amount, at both ends of its range."""
    va = await new_va(api, amount_type="open", min_amount=20000, max_amount="5000000.50")

    tx = await api.sandbox.pay(va["account_id"], va["number"], amount)

    assert tx.amount == Decimal(amount)


REFUSALS = [
    ("inactive", {}, {"status": "inactive"}, None, "inactive"),
    ("status-expired", {}, {"status": "expired"}, None, "expired"),
    ("past-expired-at", {"expired_at": NOW_MS}, None, None, "expired"),
    ("used-up", {"kind": "permanent", "max_usage": 1}, "pay-once", None, "used_up"),
    ("open-no-amount", {"amount_type": "open"}, None, None, "amount"),
    ("open-below", {"amount_type": "open", "min_amount": 20000}, None, 19999, "amount"),
    ("open-above", {"amount_type": "open", "max_amount": 50000}, None, 50001, "amount"),
    ("open-above-bank", {"amount_type": "open", "bank_code": "BCA"}, None, 20_000_001, "amount"),
    ("closed-other-amount", {}, None, 150001, "amount"),
]


@pytest.mark.parametrize(
    ("body", "change", "amount", "reason"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
async def test_a_payment_the_va_cannot_take_is_refused(
    api: Api, body: dict[str, Any], change: Any, amount: int | None, reason: str
) -> None:
    """Inactive, expired (by status or expired_at), used-up VAs and bad amounts are refused."""
    va = await new_va(api, **body)
    if change == "pay-once":
        await api.sandbox.pay(va["account_id"], va["number"])
    elif change is not None:
        fields = {"amount": 150000, "expired_at": NOW_MS + DAY_MS, "max_usage": 1}
        status, _ = await api.call(
            "PUT", f"{VAS}/{va['account_id']}/{va['id']}", json=fields | change
        )
        assert status == 200
    before = (len(api.sandbox.state.transactions), (await shown(api, va))["current_usage"])

    with pytest.raises(PaymentRefusedError) as caught:
        await api.sandbox.pay(va["account_id"], va["number"], amount)

    assert caught.value.reason == reason
    assert va["number"] in str(caught.value)
    after = (len(api.sandbox.state.transactions), (await shown(api, va))["current_usage"])
    assert after == before


@pytest.mark.parametrize("amount", ["abc", "NaN", "Infinity", Decimal("-Infinity")])
async def test_an_amount_that_is_no_number_is_a_value_error(api: Api, amount: Any) -> None:
    """A programming error, not a refusal: ValueError, and nothing is recorded."""
    va = await new_va(api, amount_type="open")
    before = len(api.sandbox.state.transactions)

    with pytest.raises(ValueError, match="finite number"):
        await api.sandbox.pay(va["account_id"], va["number"], amount)

    assert len(api.sandbox.state.transactions) == before


async def test_an_active_seeded_va_past_its_expiry_is_refused(api: Api) -> None:
    """The gateway's sweep lags: status active, expired_at past, payment refused."""
    state = api.sandbox.state
    va = next(
        va
        for account in state.accounts
        for va in state.virtual_accounts[account.id]
        if va.kind == "temporary" and va.status == "active"
    )

    with pytest.raises(PaymentRefusedError, match="expired") as caught:
        await api.sandbox.pay(va.account_id, va.number)

    assert va.expired_at is not None
    assert va.expired_at < NOW_MS
    assert caught.value.reason == "expired"


@pytest.mark.parametrize("where", ["account", "number"])
async def test_paying_an_unknown_va_is_a_lookup_error(api: Api, where: str) -> None:
    """An unknown account or number raises RecordNotFoundError, a LookupError."""
    account_id = api.sandbox.state.accounts[0].id
    args = ("999", "123") if where == "account" else (account_id, "123")

    with pytest.raises(LookupError) as caught:
        await api.sandbox.pay(*args)

    assert isinstance(caught.value, RecordNotFoundError)
    assert caught.value.reason == "not_found"


async def test_expire_attempt_records_an_expired_row_and_nothing_else(api: Api) -> None:
    """An attempt that lapsed is an expired row; the VA's usage stays."""
    va = await new_va(api)

    tx = await api.sandbox.expire_attempt(va["account_id"], va["number"])
    listed = await api.walk(f"{TX}/{va['account_id']}", va_number=va["number"])

    assert (tx.status, tx.amount, tx.has_settle) == ("expired", Decimal(150000), False)
    assert [item["status"] for item in listed] == ["expired"]
    assert (await shown(api, va))["current_usage"] == 0


async def test_pay_late_turns_an_expired_attempt_into_a_payment(api: Api) -> None:
    """The late callback: same id and post time, paid, processed now, one more use."""
    va = await new_va(api)
    attempt = await api.sandbox.expire_attempt(va["account_id"], va["number"])
    api.sandbox.state.clock.now += 3600  # type: ignore[attr-defined]

    paid = await api.sandbox.pay_late(attempt.transaction_id)
    _, one = await api.call("GET", f"{TX}/{va['account_id']}/{attempt.transaction_id}")

    assert (paid.transaction_id, paid.post_timestamp) == (
        attempt.transaction_id,
        attempt.post_timestamp,
    )
    assert (paid.status, paid.processed_timestamp) == ("paid", NOW_MS + 3_600_000)
    assert one["data"]["status"] == "paid"
    assert one["data"]["processed_timestamp"] == str(NOW_MS + 3_600_000)
    assert (await shown(api, va))["current_usage"] == 1
    assert attempt.status == "expired"  # the earlier snapshot is unchanged


async def test_a_late_payment_is_found_by_a_trailing_window(api: Api) -> None:
    """Re-pulling on processed_timestamp finds the payment first seen as expired."""
    va = await new_va(api)
    attempt = await api.sandbox.expire_attempt(va["account_id"], va["number"])
    api.sandbox.state.clock.now += 2 * 86_400  # type: ignore[attr-defined]
    await api.sandbox.pay_late(attempt.transaction_id)
    since = NOW_MS + DAY_MS

    items = await api.walk(
        f"{TX}/{va['account_id']}", status="paid", processed_timestamp_from=str(since)
    )

    assert [item["transaction_id"] for item in items] == [attempt.transaction_id]


async def test_a_seeded_expired_row_can_be_paid_late(api: Api) -> None:
    """The seeded history's expired attempts take late payments too."""
    state = api.sandbox.state
    expired = next(
        tx for a in state.accounts for tx in state.transactions.rows(a.id) if tx.status == "expired"
    )

    paid = await api.sandbox.pay_late(expired.transaction_id)

    assert paid.status == "paid"
    assert state.transactions.find(expired.transaction_id) == paid


async def test_pay_late_ignores_the_vas_state_now(api: Api) -> None:
    """The bank has the money: a late payment lands even on an inactive VA."""
    va = await new_va(api)
    attempt = await api.sandbox.expire_attempt(va["account_id"], va["number"])
    body = {"status": "inactive", "amount": 150000, "expired_at": NOW_MS + DAY_MS, "max_usage": 1}
    await api.call("PUT", f"{VAS}/{va['account_id']}/{va['id']}", json=body)

    paid = await api.sandbox.pay_late(attempt.transaction_id)

    assert paid.status == "paid"


async def test_pay_late_wants_an_expired_transaction(api: Api) -> None:
    """A paid transaction cannot be paid again; an unknown one is not found."""
    va = await new_va(api)
    tx = await api.sandbox.pay(va["account_id"], va["number"])

    with pytest.raises(SandboxError) as caught:
        await api.sandbox.pay_late(tx.transaction_id)
    with pytest.raises(RecordNotFoundError):
        await api.sandbox.pay_late("VA-20250101-0000000000")

    assert caught.value.reason == "not_expired"


async def test_settle_settles_every_paid_unsettled_payment(api: Api) -> None:
    """settle() stamps has_settle and settle_at=now on what was pending, and returns it."""
    state = api.sandbox.state
    pending = {
        tx.transaction_id
        for a in state.accounts
        for tx in state.transactions.rows(a.id)
        if tx.status == "paid" and not tx.has_settle
    }

    settled = await api.sandbox.settle()
    again = await api.sandbox.settle()

    assert {tx.transaction_id for tx in settled} == pending
    assert all(tx.has_settle and tx.settle_at == NOW_MS for tx in settled)
    assert again == []
    assert state.expected_transactions(state.accounts[0].id, has_settle=False, status="paid") == []


async def test_settle_can_be_limited_to_one_account(api: Api) -> None:
    """settle(account_id) leaves the other accounts' payments pending."""
    state = api.sandbox.state
    first, second = state.accounts[0].id, state.accounts[2].id

    settled = await api.sandbox.settle(first)

    assert {tx.account_id for tx in settled} == {first}
    assert state.expected_transactions(second, status="paid", has_settle=False)
    with pytest.raises(RecordNotFoundError):
        await api.sandbox.settle("999")


async def test_settled_rows_are_served_settled(api: Api) -> None:
    """The listing serves has_settle true and settle_at as an ms integer after settle()."""
    va = await new_va(api)
    tx = await api.sandbox.pay(va["account_id"], va["number"])
    api.sandbox.state.clock.now += 86_400  # type: ignore[attr-defined]

    await api.sandbox.settle(va["account_id"])
    _, one = await api.call("GET", f"{TX}/{va['account_id']}/{tx.transaction_id}")

    assert (one["data"]["has_settle"], one["data"]["settle_at"]) == (True, NOW_MS + DAY_MS)
    assert tx.has_settle is False  # the snapshot pay() returned


# The same actions over HTTP, under /_sandbox/.


async def control(
    api: Api, action: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """POST /_sandbox/<action> with the API key only, as another process would."""
    sent = {"X-PARTNER-ID": api.sandbox.api_key} if headers is None else headers
    return await api.request("POST", f"/_sandbox/{action}", headers=sent, json=body)


async def test_http_pay_answers_the_row(api: Api) -> None:
    """POST /_sandbox/pay answers the envelope with the row the listing then serves."""
    va = await new_va(api)

    status, body = await control(
        api, "pay", {"account_id": va["account_id"], "va_number": va["number"]}
    )
    _, listed = await api.call("GET", f"{TX}/{va['account_id']}")

    assert (status, body["success"]) == (200, True)
    assert body["data"] == listed["data"][0]
    assert body["data"]["status"] == "paid"


async def test_http_actions_drive_the_whole_flow(api: Api) -> None:
    """expire-attempt, pay-late and settle over HTTP, with an open VA's amount."""
    va = await new_va(api, amount_type="open")
    target = {"account_id": va["account_id"], "va_number": va["number"], "amount": "75000.50"}

    _, attempt = await control(api, "expire-attempt", target)
    transaction_id = attempt["data"]["transaction_id"]
    _, late = await control(api, "pay-late", {"transaction_id": transaction_id})
    _, settled = await control(api, "settle", {"account_id": va["account_id"]})

    assert attempt["data"]["status"] == "expired"
    assert Decimal(str(attempt["data"]["amount"]["value"])) == Decimal("75000.50")
    assert (late["data"]["transaction_id"], late["data"]["status"]) == (transaction_id, "paid")
    assert transaction_id in [row["transaction_id"] for row in settled["data"]]
    assert all(row["has_settle"] for row in settled["data"])


async def test_concurrent_http_payments_never_exceed_max_usage(api: Api) -> None:
    """Twenty concurrent payments into a VA usable five times: five land, fifteen refused."""
    va = await new_va(api, kind="permanent", max_usage=5)
    target = {"account_id": va["account_id"], "va_number": va["number"]}

    results = await asyncio.gather(*(control(api, "pay", target) for _ in range(20)))

    assert sorted(status for status, _ in results) == [200] * 5 + [409] * 15
    assert {body["error"]["reason"] for status, body in results if status == 409} == {"used_up"}
    assert (await shown(api, va))["current_usage"] == 5


@pytest.mark.parametrize(
    ("action", "body", "status", "reason"),
    [
        ("pay", {"account_id": "999", "va_number": "1"}, 404, "not_found"),
        ("pay-late", {"transaction_id": "VA-20250101-0000000000"}, 404, "not_found"),
        ("settle", {"account_id": "999"}, 404, "not_found"),
        ("pay", {"va_number": "x", "amount": 1}, 409, "amount"),
        ("pay-late", {"transaction_id": "paid"}, 409, "not_expired"),
    ],
    ids=["pay-unknown", "late-unknown", "settle-unknown", "pay-refused", "late-not-expired"],
)
async def test_http_refusals_carry_a_reason(
    api: Api, action: str, body: dict[str, Any], status: int, reason: str
) -> None:
    """An unknown id is a 404, a refusal a 409; both say why in error.reason."""
    va = await new_va(api)
    if body.get("va_number") == "x":
        body = body | {"account_id": va["account_id"], "va_number": va["number"]}
    if body.get("transaction_id") == "paid":
        tx = await api.sandbox.pay(va["account_id"], va["number"])
        body = {"transaction_id": tx.transaction_id}

    got, resp = await control(api, action, body)

    assert got == status
    assert resp["success"] is False
    assert resp["error"]["code"] == status
    assert resp["error"]["reason"] == reason


@pytest.mark.parametrize(
    ("action", "body", "errors"),
    [
        ("pay", {}, {"account_id", "va_number"}),
        ("pay", {"account_id": "1", "va_number": 88810012345678}, {"va_number"}),
        ("pay", {"account_id": "1", "va_number": "1", "amount": "abc"}, {"amount"}),
        ("expire-attempt", {"account_id": "1"}, {"va_number"}),
        ("pay-late", {}, {"transaction_id"}),
        ("settle", {"account_id": 5}, {"account_id"}),
    ],
    ids=["pay-empty", "pay-number-as-int", "pay-bad-amount", "attempt", "late", "settle"],
)
async def test_http_bodies_are_validated(
    api: Api, action: str, body: dict[str, Any], errors: set[str]
) -> None:
    """A bad body is a 422 naming its fields."""
    status, resp = await control(api, action, body)

    assert status == 422
    assert set(resp["error"]["errors"]) == errors


@pytest.mark.parametrize("headers", ["none", "wrong-key", "token-only"])
async def test_http_actions_need_the_api_key(api: Api, headers: str) -> None:
    """Without the right X-PARTNER-ID: 401, and nothing is paid."""
    va = await new_va(api)
    token = await api.token()
    sent = {
        "none": {},
        "wrong-key": {"X-PARTNER-ID": "someone-else"},
        "token-only": {"Authorization": f"Bearer {token}"},
    }[headers]
    before = len(api.sandbox.state.transactions)

    status, _ = await control(
        api, "pay", {"account_id": va["account_id"], "va_number": va["number"]}, sent
    )

    assert status == 401
    assert len(api.sandbox.state.transactions) == before


async def test_http_actions_are_logged_under_their_own_names_and_never_faulted(
    api: Api,
) -> None:
    """A fault on every route spares /_sandbox/; the log names the action, not an API route."""
    va = await new_va(api)
    api.sandbox.fail_next(503, times=5)
    api.sandbox.delay_next(5.0, times=5)

    status, _ = await control(
        api, "pay", {"account_id": va["account_id"], "va_number": va["number"]}
    )

    log = api.sandbox.state.requests[-1]
    assert status == 200
    assert (log.method, log.path, log.route, log.fault, log.status) == (
        "POST",
        "/_sandbox/pay",
        "sandbox.pay",
        None,
        200,
    )
    assert log.json == {"account_id": va["account_id"], "va_number": va["number"]}
    assert api.sandbox.state.count("sandbox.pay") == 1
    assert api.sandbox.state.count("va_transactions.list") == 0
    assert all(fault.applied == 0 for fault in api.sandbox.state.faults.pending)


def test_a_fault_cannot_target_a_sandbox_action() -> None:
    """The /_sandbox/ routes are not fault targets."""
    with pytest.raises(ValueError, match="route"):
        Fault(kind="status", route="sandbox.pay")


def test_a_sandbox_served_from_the_shell_takes_payments_over_http() -> None:
    """`python -m vapay.sandbox --status-route live` is driven from another process."""
    args = ["--port", "0", "--accounts", "2", "--virtual-accounts", "4", "--status-route", "live"]
    # The same seed gives the same virtual accounts in this process.
    state = Sandbox(accounts=2, virtual_accounts_per_account=4).state
    va = next(
        va
        for account in state.accounts
        for va in state.virtual_accounts[account.id]
        if va.amount_type == "open" and va.status == "active"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "vapay.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        watchdog = threading.Timer(20, proc.kill)  # a hung start must not hang the suite
        watchdog.start()
        try:
            assert proc.stdout is not None
            lines = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(4))
            paid = post(
                lines["VAPAY_BASE_URL"] + "/_sandbox/pay",
                {"account_id": va.account_id, "va_number": va.number, "amount": 25000},
                {"X-PARTNER-ID": lines["VAPAY_API_KEY"]},
            )
            seed_route = post(
                lines["VAPAY_BASE_URL"] + f"/api/v1.0/accounts/update-status/{va.account_id}",
                {"status": "inactive"},
                {},
                method="PATCH",
            )
            proc.terminate()
            proc.wait(timeout=10)
        finally:
            watchdog.cancel()
            proc.kill()

    assert paid[0] == 200
    assert (paid[1]["data"]["va_number"], paid[1]["data"]["status"]) == (va.number, "paid")
    assert seed_route[0] == 404


def post(
    url: str, body: dict[str, Any], headers: dict[str, str], method: str = "POST"
) -> tuple[int, Any]:
    """One JSON request with the standard library, as a non-Python tool would send it."""
    request = urllib.request.Request(  # noqa: S310  (a loopback URL the test built)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method=method,
    )
    try:
        with urllib.request.urlopen(request) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.loads(err.read())
