"""Reconciliation against the sandbox: a late bank callback moves an invoice to matched."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import vapay
from sdk_clients import client_for
from vapay._signature import JAKARTA
from vapay.reconcile import Invoice, jakarta_days, reconcile
from vapay.sandbox import Sandbox


async def test_a_late_payment_moves_its_invoice_from_unpaid_to_matched() -> None:
    """First run: unpaid with its expired attempt; after the late callback: matched, once."""
    sandbox = Sandbox(accounts=2, virtual_accounts_per_account=0)
    async with sandbox, client_for(sandbox) as client:
        account_id = sandbox.state.accounts[1].id
        va = await client.virtual_accounts.create(
            account_id,
            bank_code="BNI",
            kind="temporary",
            amount=Decimal("75000.00"),
            expired_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2),
            merchant_reff_no="INV-LATE",
        )
        attempt = await sandbox.expire_attempt(account_id, va.number)
        invoices = [Invoice(reference="INV-LATE", amount=Decimal(75000), account_id=account_id)]
        today = dt.datetime.now(JAKARTA).date()
        start, end = jakarta_days(today - dt.timedelta(days=1), today + dt.timedelta(days=1))

        async def run() -> vapay.reconcile.Report:
            payments = client.va_transactions.list_many(
                client.accounts.list(),
                processed_timestamp_from=start,
                processed_timestamp_to=end,
                sort_order="asc",
            )
            return await reconcile(payments, invoices)

        before = await run()
        await sandbox.pay_late(attempt.transaction_id)
        after = await run()

    (unpaid,) = before.unpaid.entries
    assert isinstance(unpaid, vapay.reconcile.Unpaid)
    assert unpaid.attempts == (attempt.transaction_id,)
    assert (after.matched.count, after.unpaid.count, after.payments) == (1, 0, 1)
    assert after.received.gross == {"IDR": Decimal("75000.00")}


async def test_a_late_callback_during_the_walk_loses_no_other_payment() -> None:
    """A row leaving the window mid-walk shifts the rest up; dedupe=True walks again.

    Yesterday's payments are reconciled while the bank's late callback for an
    expired attempt (yesterday) lands after page 1: that row moves to today, the
    rows after it move up a place, and the one crossing the page boundary would
    never be served. (Found by the adversarial review.)
    """
    now = [time.time()]
    yesterday = dt.datetime.now(JAKARTA).date() - dt.timedelta(days=1)
    late: list[str] = []
    fired: list[bool] = []

    async def late_callback(request: vapay.Request, call_next: vapay.Handler) -> vapay.Response:
        response = await call_next(request)
        if "va-transactions" in request.path and not fired:
            fired.append(True)  # after page 1 was served
            await sandbox.pay_late(late[0])
        return response

    sandbox = Sandbox(accounts=1, virtual_accounts_per_account=0, clock=lambda: now[0])
    async with sandbox, client_for(sandbox, middlewares=[late_callback]) as client:
        account_id = sandbox.state.accounts[0].id
        invoices = []
        for n in range(5):
            va = await client.virtual_accounts.create(
                account_id,
                bank_code="BRI",
                kind="permanent",
                amount=Decimal(100000),
                merchant_reff_no=f"INV-{n}",
            )
            invoices.append(Invoice(reference=f"INV-{n}", amount=Decimal(100000)))
            now[0] = dt.datetime.combine(yesterday, dt.time(9), tzinfo=JAKARTA).timestamp()
            if n == 0:
                late.append((await sandbox.expire_attempt(account_id, va.number)).transaction_id)
            else:
                await sandbox.pay(account_id, va.number)
            now[0] = time.time()
        start, end = jakarta_days(yesterday)
        payments = client.va_transactions.list_many(
            [account_id],
            processed_timestamp_from=start,
            processed_timestamp_to=end,
            sort_order="asc",
            per_page=2,
            dedupe=True,
        )
        report = await reconcile(payments, invoices)

    # INV-1..4 were paid yesterday; INV-0 was paid late, today: outside the window.
    assert fired
    assert [e.invoice.reference for e in report.unpaid.entries] == ["INV-0"]
    assert report.matched.count == 4
