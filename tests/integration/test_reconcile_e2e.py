"""Reconciliation against the sandbox: a late bank callback moves an invoice to matched."""

from __future__ import annotations

import datetime as dt
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
