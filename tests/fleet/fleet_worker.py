"""One worker process of a test fleet: `python fleet_worker.py '<json settings>'`.

It builds its client (a Redis token store, and a Redis budget when `per_second` is
set), prints `ready`, waits for a line on stdin, makes `calls` calls with
`concurrency` tasks, and prints one JSON line: calls that succeeded, the errors,
its own token requests and how long it took.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import redis.asyncio

import vapay


def make_client(settings: dict[str, Any], r: redis.asyncio.Redis) -> vapay.Client:
    per_second = settings.get("per_second")
    return vapay.Client(
        **settings["client"],
        token_store=vapay.RedisTokenStore(r, lock_wait=settings.get("lock_wait")),
        rate_limit=None if per_second is None else vapay.RedisRateLimit(r, per_second=per_second),
        token_timeout=settings.get("token_timeout", 30.0),
        retry_policy=vapay.RetryPolicy(initial_delay=0.01, max_delay=0.05),
    )


async def run(settings: dict[str, Any]) -> dict[str, Any]:
    r = redis.asyncio.Redis.from_url(settings["redis_url"])
    client = make_client(settings, r)
    accounts = settings["accounts"]
    pause = settings.get("pause", 0.0)
    calls = iter(range(settings["calls"]))
    ok, errors = 0, []

    async def task() -> None:
        nonlocal ok
        for number in calls:
            try:
                await client.accounts.get(accounts[number % len(accounts)])
            except vapay.VapayError as err:
                errors.append(f"{type(err).__name__}: {err}")
            else:
                ok += 1
            await asyncio.sleep(pause)

    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    started = time.monotonic()
    await asyncio.gather(*(task() for _ in range(settings["concurrency"])))
    elapsed = time.monotonic() - started
    provider = client.token_provider
    assert isinstance(provider, vapay.ClientCredentialsTokenProvider)
    await client.close()
    await r.aclose()
    return {
        "ok": ok,
        "errors": errors,
        "token_requests": provider.token_requests,
        "elapsed": elapsed,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.loads(sys.argv[1])))), flush=True)
