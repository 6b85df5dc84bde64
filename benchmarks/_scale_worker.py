"""One measured fan-out walk, in a fresh process (so that its peak RSS is its own).

Run by `_scale.py` once per contender, concurrency and repetition:

    VAPAY_BASE_URL=... python benchmarks/_scale_worker.py CONTENDER CONCURRENCY ACCOUNTS \
        KIND PER_PAGE

CONTENDER is one of:

- `vapay`: `client.virtual_accounts.list_many(ids, kind=..., concurrency=N)`, every
  item iterated and dropped (the client's own pool, which follows the concurrency);
- `hand`: aiohttp `gather` over the accounts + `asyncio.Semaphore(N)`, with the same
  connection limit (vapay's default, or N above it), page 1 of an account telling
  its page count, each page decoded by the hand loop of `_baselines.py` and dropped;
- `payments`: `client.va_transactions.list_many(ids, concurrency=N)`;
- `payments-seq`: the same payments, one account after the other, one page at a time.

Before the clock starts: one token request, and the first ACCOUNTS accounts' ids
(listed by vapay). Prints one JSON object: requests, seconds, client CPU seconds,
the sum of the requests' durations (its ratio to the wall time is the mean number of
requests in flight, by Little's law), items, peak RSS in KiB; or `{"skip": reason}`
when the sandbox does not serve the payments route.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

import vapay
from _baselines import Listing, auth_headers, get_body, hand_items, last_page
from vapay._client import DEFAULT_CONNECTION_LIMIT
from vapay._transport import Handler, Request, Response

CONTENDERS = ("vapay", "hand", "payments", "payments-seq")


@dataclass
class Meter:
    """Requests sent, and the sum of their durations."""

    requests: int = 0
    busy: float = 0.0

    async def middleware(self, request: Request, call_next: Handler) -> Response:
        """A vapay middleware timing every attempt."""
        started = time.perf_counter()
        try:
            return await call_next(request)
        finally:
            self.requests += 1
            self.busy += time.perf_counter() - started

    async def timed(self, request: Awaitable[bytes]) -> bytes:
        """The hand contender's request, timed alike."""
        started = time.perf_counter()
        try:
            return await request
        finally:
            self.requests += 1
            self.busy += time.perf_counter() - started


@dataclass(frozen=True)
class Job:
    """What to walk."""

    contender: str
    concurrency: int
    accounts: int
    kind: str
    per_page: int


async def _count(items: AsyncIterator[object]) -> int:
    count = 0
    async for _ in items:
        count += 1
    return count


async def vapay_walk(client: vapay.Client, ids: list[str], job: Job) -> int:
    """vapay's fan-out over the accounts' virtual accounts."""
    stream = client.virtual_accounts.list_many(
        ids, kind=job.kind, per_page=job.per_page, concurrency=job.concurrency
    )
    return await _count(stream)


async def payments_walk(client: vapay.Client, ids: list[str], job: Job) -> int:
    """vapay's fan-out over the accounts' payments."""
    stream = client.va_transactions.list_many(
        ids, per_page=job.per_page, concurrency=job.concurrency
    )
    return await _count(stream)


async def payments_sequential(client: vapay.Client, ids: list[str], job: Job) -> int:
    """The same payments, a plain loop: one account, one page at a time."""
    count = 0
    for account_id in ids:
        count += await _count(aiter(client.va_transactions.list(account_id, per_page=job.per_page)))
    return count


async def hand_walk(
    meter: Meter, token: str, ids: list[str], job: Job, sandbox: dict[str, str]
) -> int:
    """`gather` over the accounts under one semaphore; each page decoded by hand, dropped."""
    headers = auth_headers(sandbox["VAPAY_API_KEY"], token)
    gate = asyncio.Semaphore(job.concurrency)
    limit = max(DEFAULT_CONNECTION_LIMIT, job.concurrency)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit)) as session:

        async def page(listing: Listing, number: int) -> Any:
            async with gate:
                body = await meter.timed(get_body(session, listing, headers, number))
            envelope = json.loads(body)
            return envelope, len(hand_items(envelope, listing.account_id))

        async def account(account_id: str) -> int:
            listing = Listing(sandbox["VAPAY_BASE_URL"], account_id, job.kind, job.per_page, 1, 0)
            first, count = await page(listing, 1)
            rest = await asyncio.gather(*(page(listing, n) for n in range(2, last_page(first) + 1)))
            return count + sum(items for _, items in rest)

        return sum(await asyncio.gather(*(account(account_id) for account_id in ids)))


Walk = Callable[[], Awaitable[int]]


async def measure(job: Job, sandbox: dict[str, str]) -> dict[str, object]:
    """One timed walk; its figures."""
    meter = Meter()
    async with vapay.Client(middlewares=[meter.middleware]) as client:
        accounts = await client.accounts.list(per_page=100).collect()
        ids = [account.id for account in accounts[: job.accounts]]
        token = (await client.token_provider.get_token()).access_token
        if job.contender.startswith("payments"):
            probe = client.va_transactions.list(ids[0], per_page=1).pages()
            try:
                async with contextlib.aclosing(probe) as pages:
                    await anext(pages, None)
            except vapay.NotFoundError:
                return {"skip": "the sandbox does not serve GET /api/v1.0/va-transactions/{id}"}
        walks: dict[str, Walk] = {
            "vapay": lambda: vapay_walk(client, ids, job),
            "hand": lambda: hand_walk(meter, token, ids, job, sandbox),
            "payments": lambda: payments_walk(client, ids, job),
            "payments-seq": lambda: payments_sequential(client, ids, job),
        }
        meter.requests, meter.busy = 0, 0.0
        cpu, started = time.process_time(), time.perf_counter()
        items = await walks[job.contender]()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        **asdict(job),
        "items": items,
        "requests": meter.requests,
        "seconds": seconds,
        "cpu": cpu,
        "busy": meter.busy,
        "peak_rss_kib": peak_rss_kib(),
    }


def peak_rss_kib() -> int:
    """This process's peak RSS in KiB.

    From /proc's VmHWM, the high-water mark of this program's own memory:
    `getrusage`'s ru_maxrss carries over the parent's across fork and exec (run.py's
    own, here), so it is only the fallback where /proc is missing.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    """Measure one walk and print its figures as JSON."""
    contender, concurrency, accounts, kind, per_page = argv
    if contender not in CONTENDERS:
        raise SystemExit(f"contender must be one of {', '.join(CONTENDERS)}")
    job = Job(contender, int(concurrency), int(accounts), kind, int(per_page))
    sandbox = dict(os.environ)  # the VAPAY_* settings of the sandbox
    print(json.dumps(asyncio.run(measure(job, sandbox))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
