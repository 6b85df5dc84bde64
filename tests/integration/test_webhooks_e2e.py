"""A merchant's aiohttp handler on 127.0.0.1 receives the sandbox's callbacks end to end.

The handler is written as the README's recipe: it verifies with
`vapay.webhooks.verify`, answers 400 with the reason when refused, and books each
payment once by `transaction_id` with a `MemorySeenStore`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

import vapay
from vapay.sandbox import Sandbox, WebhookReceiver
from vapay.sandbox._transactions import amount_range
from vapay.webhooks import MemorySeenStore

ENDPOINT = "/hooks/va?shop=e2e"
SECRET = "merchant-side-secret-e2e-41a7"
ROOT = Path(__file__).resolve().parents[2]


class Merchant:
    """The merchant's webhook handler; `answer` makes it fail verified deliveries on purpose."""

    def __init__(self, answer: int | str = 200) -> None:
        self.answer = answer
        self.received = 0
        self.booked: list[vapay.VATransactionEvent] = []
        self.refused: list[str] = []
        self.seen = MemorySeenStore()
        self.released = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_post("/hooks/va", self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        self.received += 1
        raw_body = await request.read()
        try:
            event = vapay.webhooks.verify(
                raw_body, request.headers, endpoint=ENDPOINT, secrets=[SECRET]
            )
        except vapay.WebhookVerificationError as err:
            self.refused.append(err.reason)
            return web.Response(status=400, text=err.reason)
        if self.answer == "hang":
            await self.released.wait()
        elif self.answer != 200:
            return web.Response(status=int(self.answer))
        if isinstance(event, vapay.VATransactionEvent) and await self.seen.claim(
            event.transaction_id
        ):
            self.booked.append(event)
        return web.Response(text="ok")


@pytest.fixture(name="merchant")
def _merchant(request: pytest.FixtureRequest) -> Merchant:
    return Merchant(getattr(request, "param", 200))


@pytest.fixture(name="shop")
async def _shop(merchant: Merchant) -> AsyncIterator[Sandbox]:
    """A sandbox delivering to the merchant's handler, retries 0.01 s apart."""
    async with WebhookReceiver(merchant.app, endpoint=ENDPOINT) as receiver:
        sandbox = Sandbox(
            webhook_url=receiver.url,
            webhook_secret=SECRET,
            webhook_retry_interval=0.01,
            webhook_timeout=0.3 if merchant.answer == "hang" else 5.0,
        )
        async with sandbox:
            yield sandbox
        merchant.released.set()


async def pay(sandbox: Sandbox) -> str:
    """Pay into the first payable VA; its transaction id."""
    account_id = sandbox.state.accounts[0].id
    for va in sandbox.state.virtual_accounts[account_id]:
        if va.kind == "permanent" and va.status == "active":
            amount = amount_range(va)[0] if va.amount_type == "open" else None
            return (await sandbox.pay(account_id, va.number, amount)).transaction_id
    raise AssertionError("no permanent active virtual account")


async def test_a_verified_payment_is_booked_and_the_retry_stops_after_the_2xx(
    shop: Sandbox, merchant: Merchant
) -> None:
    """One delivery, verified and booked; nothing more arrives after the 200."""
    transaction_id = await pay(shop)

    deliveries = await shop.drain_deliveries()
    await asyncio.sleep(0.05)  # five retry intervals: any retry would have come

    assert [d.status for d in deliveries] == [200]
    assert [e.transaction_id for e in merchant.booked] == [transaction_id]
    assert merchant.received == 1


@pytest.mark.parametrize(
    ("merchant", "retries"),
    [(500, 1), (503, 4), (404, 2), ("hang", 1)],
    ids=["500", "503", "404", "timeout"],
    indirect=["merchant"],
)
async def test_a_failing_handler_gets_exactly_the_documented_retries(
    shop: Sandbox, merchant: Merchant, retries: int
) -> None:
    """500 once, 503 four times, 404 twice, a timeout once: then no more."""
    await pay(shop)

    deliveries = await shop.drain_deliveries()
    await asyncio.sleep(0.05)

    assert [d.attempt for d in deliveries] == list(range(1, retries + 2))
    assert merchant.received == retries + 1
    assert merchant.refused == []


async def test_a_forged_delivery_is_refused_and_its_retry_booked(
    shop: Sandbox, merchant: Merchant
) -> None:
    """bad_signature, answered 400; the gateway's retry (signed) is booked."""
    shop.forge_next_delivery()
    transaction_id = await pay(shop)

    forged, retry = await shop.drain_deliveries()

    assert merchant.refused == ["bad_signature"]
    assert (forged.status, forged.response_body, retry.status) == (400, b"bad_signature", 200)
    assert [e.transaction_id for e in merchant.booked] == [transaction_id]


async def test_a_backdated_delivery_is_refused_as_expired(
    shop: Sandbox, merchant: Merchant
) -> None:
    """An X-Timestamp 301 s old is outside the window: expired."""
    shop.backdate_next_delivery(seconds=301, times=3)
    await pay(shop)

    deliveries = await shop.drain_deliveries()

    assert merchant.refused == ["expired"] * 3  # a 400 gets two retries, all backdated
    assert [d.status for d in deliveries] == [400] * 3
    assert merchant.booked == []


async def test_a_duplicate_delivery_is_booked_once(shop: Sandbox, merchant: Merchant) -> None:
    """Both copies verify and are acknowledged; the seen store books the payment once."""
    shop.duplicate_next_delivery()
    transaction_id = await pay(shop)

    deliveries = await shop.drain_deliveries()

    assert [(d.status, d.fault) for d in deliveries] == [(200, None), (200, "duplicate")]
    assert merchant.received == 2
    assert [e.transaction_id for e in merchant.booked] == [transaction_id]


async def test_vapay_sandbox_from_the_shell_delivers_its_http_payments(
    merchant: Merchant,
) -> None:
    """`python -m vapay.sandbox --webhook-url ... --webhook-secret-env` signs with that secret."""
    async with WebhookReceiver(merchant.app, endpoint=ENDPOINT) as receiver:
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "vapay.sandbox",
            *("--port", "0", "--accounts", "1", "--virtual-accounts", "0"),
            *("--webhook-url", receiver.url, "--webhook-secret-env", "SHOP_HOOK_SECRET"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT), "SHOP_HOOK_SECRET": SECRET},
        )
        try:
            assert server.stdout is not None
            lines = [await asyncio.wait_for(server.stdout.readline(), 20) for _ in range(4)]
            settings = dict(line.decode().strip().split("=", 1) for line in lines)
            async with aiohttp.ClientSession() as session:
                paid = await _pay_over_http(session, settings)
            for _ in range(200):
                if merchant.booked:
                    break
                await asyncio.sleep(0.025)
        finally:
            server.terminate()
            await server.wait()

    assert [e.transaction_id for e in merchant.booked] == [paid]
    assert SECRET not in settings.values()


async def _pay_over_http(session: aiohttp.ClientSession, settings: dict[str, str]) -> str:
    """Open a VA through the API and pay it with POST /_sandbox/pay."""
    base, key = settings["VAPAY_BASE_URL"], settings["VAPAY_API_KEY"]
    async with vapay.Client(
        api_key=key,
        client_id=settings["VAPAY_CLIENT_ID"],
        client_secret=settings["VAPAY_CLIENT_SECRET"],
        base_url=base,
    ) as client:
        (account,) = await client.accounts.list().collect()
        va = await client.virtual_accounts.create(
            account.id, bank_code="BRI", kind="permanent", amount=150_000, merchant_reff_no="E2E-1"
        )
    body = {"account_id": account.id, "va_number": va.number}
    headers = {"X-PARTNER-ID": key}
    async with session.post(f"{base}/_sandbox/pay", json=body, headers=headers) as response:
        answer = await response.json()
    assert response.status == 200, answer
    return str(answer["data"]["transaction_id"])
