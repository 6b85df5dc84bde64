"""The sandbox delivers the gateway's callbacks: signed, shaped, retried, logged, faulted."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from hook_helpers import ENDPOINT, Answer, ScriptedHandler, closed_port, pay_any, payable
from sandbox_helpers import NOW, Api

import vapay
from vapay.sandbox import DeliveryFault, Sandbox, WebhookReceiver

# Generous: a loaded machine must not turn a slow answer into a timeout.
FAST = {"webhook_retry_interval": 0.01, "webhook_timeout": 5.0}


@pytest.fixture(name="answers")
def _answers() -> list[Answer]:
    return [200]


@pytest.fixture(name="handler")
async def _handler(answers: list[Answer]) -> AsyncIterator[ScriptedHandler]:
    handler = ScriptedHandler(answers)
    async with WebhookReceiver(handler.app, endpoint=ENDPOINT) as receiver:
        handler.url = receiver.url
        yield handler
        handler.release()


@pytest.fixture(name="webhook_timeout")
def _webhook_timeout() -> float:
    return 5.0


@pytest.fixture(name="sandbox_options")
def _sandbox_options(handler: ScriptedHandler, webhook_timeout: float) -> dict[str, Any]:
    return {**FAST, "webhook_url": handler.url, "webhook_timeout": webhook_timeout}


def verify(sandbox: Sandbox, body: bytes, headers: Any) -> vapay.webhooks.Event:
    """`vapay.webhooks.verify` as the merchant would, on the sandbox's clock."""
    return vapay.webhooks.verify(
        body, headers, endpoint=ENDPOINT, secrets=[sandbox.client_secret], now=sandbox.state.clock()
    )


async def test_a_payment_is_delivered_signed_for_the_urls_path_and_query(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """pay() POSTs one delivery that verify() accepts for the endpoint /hooks/va?source=test."""
    tx = await pay_any(sandbox)
    await sandbox.wait_for_deliveries(1)

    (received,) = handler.received
    event = verify(sandbox, received.body, received.headers)

    assert received.path_qs == ENDPOINT
    assert isinstance(event, vapay.VATransactionEvent)
    assert (event.transaction_id, event.amount.value) == (tx.transaction_id, tx.amount)


async def test_the_payment_event_has_the_documented_shape(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """The body is MONEY-IN.md's va-transaction event, with text times in Jakarta."""
    tx = await pay_any(sandbox)
    va = sandbox.state.find_virtual_account(tx.account_id, tx.virtual_account_id)
    assert va is not None
    (delivery,) = await sandbox.wait_for_deliveries(1)

    body = json.loads(delivery.body)

    assert body == {
        "status": 200,
        "success": True,
        "event": "va-transaction",
        "timestamp": "21 Sep 2025 10:00:00",
        "data": {
            "transaction": {
                "reff_no": va.merchant_reff_no,
                "transaction_id": tx.transaction_id,
                "type": "va",
                "status": "paid",
                "amount": {"value": int(tx.amount), "currency": "IDR"},
                "amount_type": va.amount_type,
                "tip": None,
                "post_timestamp": "21 Sep 2025 10:00:00",
                "processed_timestamp": "21 Sep 2025 10:00:00",
            },
            "payment": {
                "method": "va",
                "additional_info": {
                    "va_number": va.number,
                    "va_name": va.name,
                    "bank": {
                        "short_name": tx.bank.short_name,
                        "number": tx.bank.number,
                        "swift_code": tx.bank.swift_code,
                        "bank_code": tx.bank_code,
                    },
                    "fees": {"name": tx.fee_name, "amount": int(tx.fee), "currency": "IDR"},
                },
            },
        },
    }


async def test_the_headers_are_the_gateways(sandbox: Sandbox, handler: ScriptedHandler) -> None:
    """JSON, the sandbox's api key, Unix seconds, a Bearer token, 128 hex, the gateway's UA."""
    await pay_any(sandbox)
    await sandbox.wait_for_deliveries(1)

    headers = handler.received[0].headers

    assert headers["Content-Type"] == "application/json"
    assert headers["X-PARTNER-ID"] == sandbox.api_key
    assert headers["X-Timestamp"] == str(int(NOW))
    assert re.fullmatch(r"Bearer [0-9a-f]{32}", headers["Authorization"])
    assert re.fullmatch(r"[0-9a-f]{128}", headers["X-Signature"])
    assert headers["User-Agent"] == "SingaPaymentGateway/1.0"


@pytest.mark.parametrize("answers", [[500]])
async def test_every_delivery_has_its_own_token(sandbox: Sandbox, handler: ScriptedHandler) -> None:
    """A retry is signed afresh: a new Bearer token and signature."""
    await pay_any(sandbox)
    first, retry = await sandbox.drain_deliveries()

    assert first.headers["Authorization"] != retry.headers["Authorization"]
    assert first.headers["X-Signature"] != retry.headers["X-Signature"]
    assert first.body == retry.body


async def test_slashes_and_non_ascii_are_escaped_as_php_does(
    sandbox: Sandbox, api: Api, handler: ScriptedHandler
) -> None:
    """A reference with / and é travels as \\/ and \\u00e9, and still verifies."""
    account_id = sandbox.state.accounts[0].id
    status, created = await api.call(
        "POST",
        f"/api/v1.0/virtual-accounts/{account_id}",
        json={
            "bank_code": "BRI",
            "kind": "permanent",
            "amount": 150000,
            "merchant_reff_no": "INV/2026/Café",
            "name": "Kedai Café",
        },
    )
    assert status == 200, created
    await sandbox.pay(account_id, str(created["data"]["number"]))
    (delivery,) = await sandbox.wait_for_deliveries(1)

    event = verify(sandbox, delivery.body, delivery.headers)

    assert b'"reff_no":"INV\\/2026\\/Caf\\u00e9"' in delivery.body
    assert isinstance(event, vapay.VATransactionEvent)
    assert event.merchant_reff_no == "INV/2026/Café"


async def test_a_2xx_ends_the_delivery(sandbox: Sandbox, handler: ScriptedHandler) -> None:
    """An acknowledged delivery is not retried."""
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [(d.attempt, d.status, d.ok) for d in deliveries] == [(1, 200, True)]


@pytest.mark.parametrize(
    ("answers", "attempts"),
    [([500], 2), ([503], 5), ([400], 3), ([404], 3), ([502], 6), ([429], 6), ([302], 6)],
    ids=["500", "503", "400", "404", "502-other", "429-other", "302-not-followed"],
)
async def test_a_failing_handler_gets_the_documented_retries(
    sandbox: Sandbox, handler: ScriptedHandler, attempts: int
) -> None:
    """Each status gets its documented retries and no more."""
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [d.attempt for d in deliveries] == list(range(1, attempts + 1))
    assert len(handler.received) == attempts


@pytest.mark.parametrize("answers", [[503, 500]])
async def test_the_latest_failure_bounds_the_retries(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """A 503 then 500s: the 500's single retry is already spent at attempt 2."""
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [d.status for d in deliveries] == [503, 500]


@pytest.mark.parametrize(("answers", "webhook_timeout"), [(["hang"], 0.2)])
async def test_a_timeout_gets_one_retry(sandbox: Sandbox, handler: ScriptedHandler) -> None:
    """A handler that does not answer within webhook_timeout is retried once."""
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [(d.status, d.error) for d in deliveries] == [
        (None, "timeout: no answer within 0.2 s")
    ] * 2


@pytest.mark.parametrize("answers", [[500, 200]])
async def test_a_retry_that_succeeds_ends_the_delivery(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """500 then 200: two deliveries, the last acknowledged."""
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [(d.attempt, d.status) for d in deliveries] == [(1, 500), (2, 200)]


@pytest.mark.parametrize("sandbox_options", [FAST])
async def test_a_connection_error_gets_one_retry(sandbox: Sandbox) -> None:
    """Nobody listening: the delivery fails without a status and is retried once."""
    sandbox.send_webhooks_to(f"http://127.0.0.1:{closed_port()}/hooks")
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [d.status for d in deliveries] == [None, None]
    assert all(d.error and d.error.startswith("ClientConnectorError") for d in deliveries)


async def test_a_307_is_followed_on_loopback_with_the_same_signature(sandbox: Sandbox) -> None:
    """A 307 re-POSTs the same signed body to the new loopback URL."""
    app = web.Application()
    got: list[tuple[bytes, Any]] = []

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/hooks/new")

    async def new(request: web.Request) -> web.Response:
        got.append((await request.read(), request.headers.copy()))
        return web.Response(text="ok")

    app.router.add_post("/hooks/va", moved)
    app.router.add_post("/hooks/new", new)
    async with WebhookReceiver(app, endpoint=ENDPOINT) as receiver:
        sandbox.send_webhooks_to(receiver.url)
        await pay_any(sandbox)
        (delivery,) = await sandbox.drain_deliveries()
        new_url = receiver.url.replace(ENDPOINT, "/hooks/new")

    assert (delivery.status, delivery.redirects) == (200, (new_url,))
    assert isinstance(verify(sandbox, *got[0]), vapay.VATransactionEvent)


async def test_a_redirect_off_this_machine_is_not_followed(sandbox: Sandbox) -> None:
    """A 307 to another host ends the attempt as a failure, with the reason."""
    app = web.Application()

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("http://example.com/hooks")

    app.router.add_post("/hooks/va", moved)
    async with WebhookReceiver(app, endpoint=ENDPOINT) as receiver:
        sandbox.send_webhooks_to(receiver.url)
        await pay_any(sandbox)
        deliveries = await sandbox.drain_deliveries()

    assert len(deliveries) == 6  # any other failure: five retries
    assert (deliveries[0].status, deliveries[0].error) == (
        307,
        "a redirect off this machine was not followed",
    )


def redirecting(location: str, then: int | None = 200) -> web.Application:
    """A handler that answers 307 to *location*, then *then* (None: 307 every time)."""
    app = web.Application()
    hits: list[int] = []

    async def handle(request: web.Request) -> web.Response:
        hits.append(1)
        if then is None or len(hits) == 1:
            return web.Response(status=307, headers={"Location": location})
        return web.Response(status=then, text="ok")

    app.router.add_post("/hooks/va", handle)
    return app


@pytest.mark.parametrize("location", ["http://[bad", "http://127.0.0.1:99999/x"])
async def test_a_redirect_to_a_malformed_location_is_a_failed_attempt(
    sandbox: Sandbox, location: str
) -> None:
    """A 307 whose Location is no URL is logged as a failure, and the retry goes out."""
    async with WebhookReceiver(redirecting(location), endpoint=ENDPOINT) as receiver:
        sandbox.send_webhooks_to(receiver.url)
        await pay_any(sandbox)
        deliveries = await sandbox.drain_deliveries()

    assert [(d.attempt, d.status, d.error) for d in deliveries] == [
        (1, 307, "a redirect to a malformed Location was not followed"),
        (2, 200, None),
    ]


async def test_a_malformed_redirect_every_time_gets_five_retries(sandbox: Sandbox) -> None:
    """A malformed Location is "any other failure": five retries."""
    async with WebhookReceiver(
        redirecting("http://[bad", then=None), endpoint=ENDPOINT
    ) as receiver:
        sandbox.send_webhooks_to(receiver.url)
        await pay_any(sandbox)
        deliveries = await sandbox.drain_deliveries()

    assert [d.attempt for d in deliveries] == [1, 2, 3, 4, 5, 6]


def fail_first_exchanges(sandbox: Sandbox, count: int) -> None:
    """Make the first *count* attempts' exchanges raise an unexpected RuntimeError."""
    sender = sandbox.state.webhooks
    exchange = sender._exchange
    calls: list[int] = []

    async def failing(*args: Any) -> Any:
        calls.append(1)
        if len(calls) <= count:
            raise RuntimeError("boom")
        return await exchange(*args)

    sender._exchange = failing  # type: ignore[method-assign]


async def test_an_unexpected_error_is_logged_recorded_and_retried(
    sandbox: Sandbox, handler: ScriptedHandler, caplog: pytest.LogCaptureFixture
) -> None:
    """An attempt that raises is logged, logged as a delivery with the error, and retried."""
    fail_first_exchanges(sandbox, 1)
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [(d.attempt, d.status, d.error) for d in deliveries] == [
        (1, None, "unexpected error: RuntimeError: boom"),
        (2, 200, None),
    ]
    (record,) = [r for r in caplog.records if r.name == "vapay.sandbox"]
    assert "failed unexpectedly" in record.getMessage()
    assert record.exc_info is not None


async def test_an_error_every_time_gets_five_retries(
    sandbox: Sandbox, handler: ScriptedHandler, caplog: pytest.LogCaptureFixture
) -> None:
    """Unexpected errors are "any other failure": five retries, nothing sent."""
    fail_first_exchanges(sandbox, 99)
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert [d.attempt for d in deliveries] == [1, 2, 3, 4, 5, 6]
    assert handler.received == []


@pytest.mark.parametrize("answers", [[200]])
async def test_an_expired_attempt_sends_nothing_and_a_late_payment_does(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """VA webhooks fire on payment only: the attempt is silent, paying it late is not."""
    tx = await pay_any(sandbox)
    await sandbox.drain_deliveries()
    attempt = await sandbox.expire_attempt(tx.account_id, tx.va_number, tx.amount)
    await asyncio.sleep(0.05)
    assert len(sandbox.deliveries) == 1

    await sandbox.pay_late(attempt.transaction_id)
    _, late = await sandbox.wait_for_deliveries(2)

    event = verify(sandbox, late.body, late.headers)
    assert isinstance(event, vapay.VATransactionEvent)
    assert event.transaction_id == attempt.transaction_id


async def test_settle_sends_one_settlement_event_per_account(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """settle() announces each account's settled totals, with no list of payments."""
    await pay_any(sandbox, 0)
    await pay_any(sandbox, 1)
    await sandbox.drain_deliveries()

    settled = await sandbox.settle()
    deliveries = await sandbox.drain_deliveries()

    events = [verify(sandbox, d.body, d.headers) for d in deliveries[2:]]
    assert all(isinstance(e, vapay.SettlementEvent) for e in events)
    by_account: dict[str, list[Decimal]] = {}
    for tx in settled:
        by_account.setdefault(tx.account_id, []).append(tx.net)
    assert sorted(
        (e.total_to_transfer, e.total_transactions)
        for e in events
        if isinstance(e, vapay.SettlementEvent)
    ) == sorted((sum(nets), len(nets)) for nets in by_account.values())
    assert all("transactions" not in json.loads(d.body)["data"] for d in deliveries[2:])


async def test_a_settlement_event_has_the_documented_fields(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """The settlement object carries every documented field, and total_transactions."""
    await sandbox.settle(sandbox.state.accounts[0].id)
    (delivery,) = await sandbox.drain_deliveries()

    data = json.loads(delivery.body)["data"]

    assert json.loads(delivery.body)["event"] == "settlement.completed"
    assert set(data) == {"settlement", "total_transactions"}
    assert set(data["settlement"]) == {
        "id",
        "reference_no",
        "status",
        "settlement_type",
        "settlement_method",
        "start_date",
        "end_date",
        "amount",
        "total_admin_fee",
        "total_vendor_fee",
        "settlement_fee",
        "total_to_transfer",
        "total_refunded",
        "currency",
        "transfer_status",
    }


async def test_a_pay_over_http_is_delivered_too(
    sandbox: Sandbox, api: Api, handler: ScriptedHandler
) -> None:
    """POST /_sandbox/pay causes the same signed delivery."""
    account_id, va, amount = payable(sandbox)
    body: dict[str, Any] = {"account_id": account_id, "va_number": va.number}
    if amount is not None:
        body["amount"] = int(amount)
    status, answer = await api.request(
        "POST", "/_sandbox/pay", headers={"X-PARTNER-ID": sandbox.api_key}, json=body
    )
    assert status == 200, answer

    (delivery,) = await sandbox.wait_for_deliveries(1)

    event = verify(sandbox, delivery.body, delivery.headers)
    assert isinstance(event, vapay.VATransactionEvent)
    assert event.transaction_id == answer["data"]["transaction_id"]


async def test_forge_next_delivery_signs_with_another_secret(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """The forged delivery is logged as such and verify() refuses it; the fault is used up."""
    fault = sandbox.forge_next_delivery()
    await pay_any(sandbox)
    (delivery,) = await sandbox.wait_for_deliveries(1)

    with pytest.raises(vapay.WebhookVerificationError) as refused:
        verify(sandbox, delivery.body, delivery.headers)

    assert refused.value.reason == "bad_signature"
    assert (delivery.fault, fault.applied, fault.times) == ("bad_signature", 1, 0)
    assert sandbox.state.webhooks.faults == []


async def test_backdate_next_delivery_sends_an_old_timestamp(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """The backdated delivery's X-Timestamp is the given seconds old."""
    sandbox.backdate_next_delivery(seconds=301)
    await pay_any(sandbox)
    (delivery,) = await sandbox.wait_for_deliveries(1)

    assert delivery.headers["X-Timestamp"] == str(int(NOW) - 301)
    assert delivery.fault == "stale_timestamp"


async def test_duplicate_next_delivery_sends_a_signed_copy(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """The copy has the same body, its own token, and verifies too."""
    sandbox.duplicate_next_delivery()
    await pay_any(sandbox)

    original, copy = await sandbox.drain_deliveries()

    assert (original.fault, copy.fault) == (None, "duplicate")
    assert original.body == copy.body
    assert original.headers["Authorization"] != copy.headers["Authorization"]
    assert verify(sandbox, copy.body, copy.headers) == verify(
        sandbox, original.body, original.headers
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "late"},
        {"kind": "duplicate", "times": 0},
        {"kind": "stale_timestamp", "seconds": 0},
        {"kind": "stale_timestamp", "seconds": float("inf")},
        {"kind": "stale_timestamp", "seconds": float("nan")},
    ],
)
def test_a_bad_delivery_fault_is_refused(kwargs: dict[str, Any]) -> None:
    """Unknown kinds, times below 1 and an age not finite and positive raise ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011  (attrs' messages)
        DeliveryFault(**kwargs)


@pytest.mark.parametrize("seconds", [float("inf"), float("-inf"), float("nan")])
def test_backdating_by_a_non_finite_age_is_refused_at_the_call(seconds: float) -> None:
    """backdate_next_delivery() raises ValueError at once, and adds no fault."""
    sandbox = Sandbox()

    with pytest.raises(ValueError, match="seconds must be a finite number above 0"):
        sandbox.backdate_next_delivery(seconds)
    assert sandbox.state.webhooks.faults == []


async def test_clear_faults_clears_delivery_faults_too(sandbox: Sandbox) -> None:
    """clear_faults() removes pending delivery faults."""
    sandbox.forge_next_delivery(times=3)

    sandbox.clear_faults()

    assert sandbox.state.webhooks.faults == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hooks",
        "http://10.0.0.1/hooks",
        "http://0.0.0.0/hooks",
        "ftp://127.0.0.1/hooks",
        "/hooks/va",
        "http://user:pw@127.0.0.1/hooks",
    ],
)
def test_a_webhook_url_off_this_machine_is_refused(url: str) -> None:
    """Only http(s) URLs on loopback hosts, without credentials, are taken."""
    with pytest.raises(ValueError, match="webhook"):
        Sandbox(webhook_url=url)


def test_an_empty_webhook_secret_is_refused() -> None:
    """An empty secret would let anyone sign: ValueError."""
    with pytest.raises(ValueError, match="secret"):
        Sandbox(webhook_url="http://127.0.0.1:9/hooks", webhook_secret="")


def test_the_webhook_secret_defaults_to_the_client_secret() -> None:
    """Without webhook_secret, deliveries are signed with the client secret."""
    sandbox = Sandbox(client_secret="mine-123", webhook_url="http://localhost:9/hooks")

    assert (sandbox.webhook_secret, sandbox.webhook_url) == ("mine-123", "http://localhost:9/hooks")


@pytest.mark.parametrize(
    "kwargs",
    [{"webhook_retry_interval": -1}, {"webhook_timeout": 0}, {"webhook_timeout": float("inf")}],
)
def test_bad_webhook_timings_are_refused(kwargs: dict[str, float]) -> None:
    """A negative interval, or a timeout that is not a positive finite number: ValueError."""
    with pytest.raises(ValueError, match="webhook"):
        Sandbox(**kwargs)  # type: ignore[arg-type]


async def test_without_a_webhook_url_nothing_is_sent() -> None:
    """The default sandbox delivers nothing, and waiting says why it timed out."""
    async with Sandbox() as sandbox:
        await pay_any(sandbox)

        with pytest.raises(TimeoutError, match="no webhook URL"):
            await sandbox.wait_for_deliveries(1, timeout=0.05)
        assert sandbox.deliveries == []


@pytest.mark.parametrize("answers", [[500]])
async def test_wait_for_deliveries_times_out_with_a_count(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """Waiting for more deliveries than come raises TimeoutError saying how many ended."""
    await pay_any(sandbox)
    await sandbox.drain_deliveries()

    with pytest.raises(TimeoutError, match="2 of 3 webhook deliveries"):
        await sandbox.wait_for_deliveries(3, timeout=0.05)


async def test_later_events_go_where_send_webhooks_to_says(
    sandbox: Sandbox, handler: ScriptedHandler
) -> None:
    """send_webhooks_to(None) stops deliveries; a new URL takes the next ones."""
    sandbox.send_webhooks_to(None)
    await pay_any(sandbox)
    sandbox.send_webhooks_to(handler.url)
    await pay_any(sandbox)

    deliveries = await sandbox.drain_deliveries()

    assert len(deliveries) == len(handler.received) == 1


async def test_close_cancels_the_retries_due_at_once() -> None:
    """With a minute between retries, close() returns at once and leaves no task behind."""
    handler = ScriptedHandler([500])
    async with WebhookReceiver(handler.app, endpoint=ENDPOINT) as receiver:
        sandbox = Sandbox(webhook_url=receiver.url)
        await sandbox.start()
        await pay_any(sandbox)
        await sandbox.wait_for_deliveries(1)
        started = time.monotonic()
        await sandbox.close()

    assert time.monotonic() - started < 1
    assert sandbox.state.webhooks._tasks == set()
    assert len(handler.received) == 1
