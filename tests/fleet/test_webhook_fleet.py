"""The README's webhook `accept` with a Redis seen store: two replicas, one payment, one event."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import redis.asyncio
from redis_server import RedisServer

import vapay

README = Path(__file__).parent.parent.parent / "README.md"
PAID = (
    b'{"status":200,"success":true,"event":"va-transaction","timestamp":"26 Dec 2025 13:35:45",'
    b'"data":{"transaction":{"reff_no":"INV-1","transaction_id":"3211120250926133543246",'
    b'"status":"paid","amount":{"value":100000,"currency":"IDR"}}}}'
)


def readme_accept() -> object:
    """The README's `accept(event, *, seen, queue)`, as it is written there."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    (block,) = [b for b in blocks if "async def accept(" in b]
    source = block.split("async def handle(")[0].replace('os.environ["VAPAY_CLIENT_SECRET"]', '"s"')
    namespace: dict[str, object] = {}
    exec(source, namespace)  # noqa: S102 - our own README
    return namespace["accept"]


@pytest.mark.parametrize("deliveries", [2, 5])
async def test_a_delivery_retried_to_another_replica_is_queued_once(
    redis_server: RedisServer, deliveries: int
) -> None:
    """Replicas sharing Redis through RedisSeenStore queue a repeated payment once in all."""
    accept = readme_accept()
    event = vapay.webhooks.parse(PAID)
    replicas = [redis.asyncio.Redis.from_url(redis_server.url) for _ in range(2)]
    queues: list[asyncio.Queue[vapay.webhooks.Event]] = [asyncio.Queue() for _ in replicas]
    try:
        stores = [vapay.RedisSeenStore(r) for r in replicas]
        statuses = await asyncio.gather(
            *(
                accept(event, seen=stores[n % 2], queue=queues[n % 2])  # type: ignore[operator]
                for n in range(deliveries)
            )
        )
    finally:
        await asyncio.gather(*(r.aclose() for r in replicas))

    assert statuses == [200] * deliveries
    assert sum(queue.qsize() for queue in queues) == 1
