"""The fleet row: what a Redis token store and request budget cost per request.

Two clients of the same sandbox take turns (round-robin, the order rotating): one
plain, one with `vapay.RedisTokenStore` and a `vapay.RedisRateLimit` whose rate is
far above what they send, so that the row measures the cost of the shared budget
(one Lua script per request, one reservation at a time per process) and not its
throttling. Each round sends `requests` GETs from 16 tasks. A redis-server of its
own runs on a free loopback port for the row; without one the row is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import vapay
from _report import Measure, Row, Target, median
from _sandbox import SandboxSettings

CONCURRENCY = 16
# Far above what 16 tasks at 50 ms send (320/s): the budget must never make them wait.
PER_SECOND = 100_000
_START = 10.0


@contextlib.contextmanager
def redis_process() -> Iterator[str]:
    """A redis-server on a free loopback port, without persistence; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(  # noqa: S603 - a fixed command
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + _START
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


async def _send(client: vapay.Client, account_id: str, requests: int) -> int:
    """*requests* GETs from 16 tasks; how many were sent."""
    calls = iter(range(requests))

    async def task() -> None:
        for _ in calls:
            await client.accounts.get(account_id)

    await asyncio.gather(*(task() for _ in range(CONCURRENCY)))
    return requests


async def _measure(sandbox: SandboxSettings, redis_url: str, *, requests: int, rounds: int) -> Row:
    import redis.asyncio  # noqa: PLC0415 - the optional extra

    credentials = {
        "api_key": sandbox.api_key,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "base_url": sandbox.base_url,
    }
    r = redis.asyncio.Redis.from_url(redis_url)
    plain = vapay.Client(**credentials)
    fleet = vapay.Client(
        **credentials,
        token_store=vapay.RedisTokenStore(r),
        rate_limit=vapay.RedisRateLimit(r, per_second=PER_SECOND),
    )
    times: dict[str, list[float]] = {"none": [], "redis": []}
    async with plain, fleet:
        account_id = (await plain.accounts.list().collect())[0].id
        contenders = {"none": plain, "redis": fleet}
        for client in contenders.values():  # warm-up: the token, connections
            await _send(client, account_id, CONCURRENCY)
        for round_ in range(rounds):
            names = list(contenders)[round_ % 2 :] + list(contenders)[: round_ % 2]
            for name in names:
                gc.collect()
                started = time.perf_counter()
                await _send(contenders[name], account_id, requests)
                times[name].append(time.perf_counter() - started)
    await r.aclose()
    return Row(
        f"{sandbox.latency * 1000:g} ms c16: Redis store + budget vs none (overhead < 10%)",
        Measure("redis", requests / median(times["redis"]), "it/s"),
        Measure("none", requests / median(times["none"]), "it/s"),
        Target(">=", 0.9),
        [tn / tr for tr, tn in zip(times["redis"], times["none"], strict=True)],
    )


def fleet_row(sandbox: SandboxSettings, *, requests: int = 320, rounds: int = 5) -> Row:
    """Requests/s with the Redis token store and budget against none, at c16."""
    name = "Redis store + budget vs none"
    try:
        import redis.asyncio  # noqa: F401, PLC0415 - only to know it is there
    except ImportError:
        return Row(name, None, None, Target(">=", 0.9), note="redis-py not installed")
    try:
        with redis_process() as url:
            return asyncio.run(_measure(sandbox, url, requests=requests, rounds=rounds))
    except FileNotFoundError:
        return Row(name, None, None, Target(">=", 0.9), note="redis-server not installed")
