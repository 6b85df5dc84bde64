"""Not run: type-checked by `mypy --strict` in CI, to keep the public API pleasant to type.

Each function uses the API the way the README shows; a change that makes users'
annotations wrong fails here first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from aiohttp import web

import vapay
from vapay.sandbox import DeliveryFault, Sandbox, WebhookDelivery, WebhookReceiver


async def endpoints(client: vapay.Client) -> None:
    account: vapay.Account = await client.accounts.create(name="Dhany", phone="0823")
    account = await client.accounts.get(account.id)
    account = await client.accounts.update_status(account.id, vapay.AccountStatus.INACTIVE)
    account = await client.accounts.update_status(23643, "active")
    status: vapay.AccountStatus | str | None = account.status

    pager: vapay.AsyncPager[vapay.VirtualAccount] = client.virtual_accounts.list(
        account.id, kind=vapay.VirtualAccountKind.TEMPORARY, per_page=25, concurrency=4
    )
    async for page in pager.pages():
        items: list[vapay.VirtualAccount] = page.items
        block: vapay.Pagination | None = page.pagination
        following: int | None = page.next_page()
    resume: int | None = pager.resume_page
    vas = await client.virtual_accounts.list(account.id, kind="permanent").collect()
    amount: Decimal = vas[0].amount.value
    created: dt.datetime | None = vas[0].created_at
    async for va in client.virtual_accounts.list_many(client.accounts.list(), kind="temporary"):
        owner: str | None = va.account_id
    async for each in client.accounts.list(dedupe=True):
        name: str | None = each.name
    del status, items, block, following, resume, amount, created, owner, name


async def configuration() -> None:
    async with vapay.Client(
        api_key="k",
        client_id="c",
        client_secret="s",
        base_url=vapay.PRODUCTION_URL,
        timeout=10,
        max_retries=3,
        deadline=60.0,
        retry_policy=vapay.RetryPolicy(max_retry_after=30),
    ) as client:
        fast: vapay.Client = client.with_options(max_retries=0, timeout=None)
        data: object = await fast.request("GET", "/api/v1.0/accounts")
        del data


class MyTokens:
    async def get_token(self, *, force: bool = False) -> vapay.Token:
        return vapay.Token(access_token="t", expires_in=3600.0 if force else None)


async def timing(request: vapay.Request, call_next: vapay.Handler) -> vapay.Response:
    response = await call_next(request)
    print(request.method, request.path, request.attempt, response.status, response.elapsed)
    return response


def extension_points() -> vapay.Client:
    provider: vapay.TokenProvider = MyTokens()
    middlewares: list[vapay.Middleware] = [timing]
    return vapay.Client(api_key="k", token=provider, middlewares=middlewares)


def errors(err: vapay.VapayError) -> str:
    if isinstance(err, vapay.UnprocessableEntityError):
        return ", ".join(f"{field}: {msgs}" for field, msgs in err.errors.items())
    if isinstance(err, vapay.APIStatusError):
        return f"{err.status} {err.code} {err.message} {err.body!r}"
    if isinstance(err, vapay.APIConnectionError):
        return f"{err.may_have_reached_server}"
    return str(err)


async def money_in(client: vapay.Client, account_id: str) -> None:
    va: vapay.VirtualAccount = await client.virtual_accounts.create(
        account_id,
        bank_code="BRI",
        kind="temporary",
        amount=Decimal(150000),
        expired_at=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc),
        merchant_reff_no="INV-1",
        name="Toko Budi",
    )
    va = await client.virtual_accounts.get(account_id, va.id)
    va = await client.virtual_accounts.update(
        account_id, va.id, status="inactive", amount=150_000, expired_at=1764547200000, max_usage=1
    )
    await client.virtual_accounts.delete(account_id, va.id)
    landed = await client.virtual_accounts.list(account_id, merchant_reff_no="INV-1").collect()

    pager: vapay.AsyncPager[vapay.VATransaction] = client.va_transactions.list(
        account_id,
        status=vapay.VATransactionStatus.PAID,
        processed_timestamp_from=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        processed_timestamp_to=1767225600000,
        sort_order="asc",
    )
    async for tx in pager:
        settled: dt.datetime | None = tx.settle_at
        fee: Decimal | None = tx.fees.amount.value if tx.fees is not None else None
        currency: str = tx.amount.currency
        by_currency: dict[str, Decimal] = {currency: tx.amount.value}
    by_number = client.va_transactions.list_by_va_number(account_id, va.number)
    tx = await client.va_transactions.get(account_id, "VA-20251024-0001H9X8ZK")
    async for each in client.va_transactions.list_many(
        client.accounts.list(), status="paid", concurrency=16, dedupe=True
    ):
        owner: str | None = each.account_id

    balance: vapay.Balance = await client.balance.get()
    mine: vapay.Balance = await client.balance.get(account_id)
    held: vapay.Money | None = mine.held_balance
    available: Decimal = balance.available_balance.value
    del landed, settled, fee, by_currency, by_number, owner, held, available


async def per_call_and_responses(client: vapay.Client, account_id: str) -> None:
    view: vapay.Client = client.with_options(
        timeout=5, max_retries=0, deadline=10, headers={"X-Request-Id": "r"}
    )
    with vapay.capture_responses() as seen:
        account: vapay.Account = await view.accounts.get(account_id)
    last: vapay.ResponseInfo = seen[-1]
    status: int = last.status
    attempts: int = last.attempts
    elapsed: float = last.elapsed
    date: str | None = last.headers.get("Date")
    page: str | None = last.params.get("page")
    where: str = f"{last.method} {last.path}"
    del account, status, attempts, elapsed, date, page, where


def request_of(err: vapay.APIStatusError | vapay.APIConnectionError) -> str | None:
    if err.method is None or err.path is None:
        return None
    return f"{err.method} {err.path}"


def webhook_event(raw_body: bytes, headers: Mapping[str, str], secret: str) -> str:
    try:
        event: vapay.webhooks.Event = vapay.webhooks.verify(
            raw_body,
            headers,
            endpoint="/hooks/va?source=prod",
            secrets=[secret, "another"],
            tolerance=300,
            now=None,
        )
    except vapay.WebhookVerificationError as err:
        reason: str = err.reason
        return f"{reason}: {err.message}"
    event = vapay.webhooks.verify(raw_body, headers, endpoint="/h", secrets={"api-key": [secret]})
    if isinstance(event, vapay.VATransactionEvent):
        paid: Decimal = event.amount.value
        when: dt.datetime | None = event.processed_timestamp
        status: vapay.VATransactionStatus | str = event.status
        fee: vapay.Fee | None = event.fees
        return f"{event.transaction_id} {event.merchant_reff_no} {paid} {when} {status} {fee}"
    if isinstance(event, vapay.SettlementEvent):
        total: Decimal | None = event.total_to_transfer
        return f"{event.settlement_id} {total}"
    if isinstance(event, vapay.ExpirationEvent):
        return str(len(event.virtual_account_transactions))
    unknown: vapay.UnknownEvent = event  # the only kind left
    raw: Mapping[str, object] = unknown.raw
    return f"{unknown.event} {unknown.data!r} {len(raw)}"


async def accept(
    event: vapay.webhooks.Event,
    *,
    seen: vapay.webhooks.SeenStore,
    queue: asyncio.Queue[vapay.webhooks.Event],
) -> int:
    key = event.transaction_id if isinstance(event, vapay.VATransactionEvent) else None
    if key is not None and not await seen.claim(key):
        return 200
    try:
        queue.put_nowait(event)
    except asyncio.QueueFull:
        if key is not None:
            await seen.release(key)
        return 503
    return 200


async def webhook_app() -> web.Application:
    events = web.AppKey("events", asyncio.Queue[vapay.webhooks.Event])
    seen = web.AppKey("seen", vapay.webhooks.MemorySeenStore)
    app = web.Application()
    app[events] = asyncio.Queue(maxsize=10_000)
    app[seen] = vapay.webhooks.MemorySeenStore(max_keys=100_000, ttl=24 * 3600)
    status: int = await accept(vapay.webhooks.parse(b"{}"), seen=app[seen], queue=app[events])
    limit: int = vapay.webhooks.MAX_BODY_BYTES
    del status, limit
    return app


async def fleet(url: str) -> None:
    import redis.asyncio as redis  # noqa: PLC0415 - the optional extra, as users import it

    r = redis.Redis.from_url(url)
    async with vapay.Client(
        token_store=vapay.RedisTokenStore(r),
        rate_limit=vapay.RedisRateLimit(r, per_second=50),
        token_timeout=10.0,
    ) as client:
        await client.accounts.get("1")
    store: vapay.TokenStore = vapay.MemoryTokenStore()
    budget: vapay.RequestBudget = vapay.RateLimit(per_second=50, burst=5, max_wait=2.0)
    vapay.Client(token_store=store, rate_limit=budget)
    seen: vapay.webhooks.SeenStore = vapay.RedisSeenStore(r, ttl=24 * 3600)
    first: bool = await seen.claim("VA-20251024-0001H9X8ZK")
    await seen.release("VA-20251024-0001H9X8ZK")
    del first


async def sandbox_webhooks(account_id: str, va_number: str) -> None:
    async with Sandbox(webhook_retry_interval=0.01, webhook_timeout=5.0) as sandbox:
        async with WebhookReceiver(secrets=[sandbox.webhook_secret]) as receiver:
            sandbox.send_webhooks_to(receiver.url)
            fault: DeliveryFault = sandbox.forge_next_delivery(times=2)
            await sandbox.pay(account_id, va_number)
            deliveries: list[WebhookDelivery] = await sandbox.wait_for_deliveries(1, timeout=5)
            status: int | None = deliveries[0].status
            events: list[vapay.webhooks.Event] = await receiver.wait_for_events(1)
            refused: list[vapay.WebhookVerificationError] = receiver.refusals
        done: list[WebhookDelivery] = await sandbox.drain_deliveries(timeout=5)
    url: str | None = sandbox.webhook_url
    del fault, status, events, refused, done, url
