"""Peak memory of one vapay listing, measured with tracemalloc in a fresh process.

Run by `run.py` once per size, so the peaks of different sizes never mix:

    VAPAY_BASE_URL=... python benchmarks/_memory.py ACCOUNT KIND PER_PAGE FIRST_PAGE \
        WARMUP_PAGE CONCURRENCY {iterate,collect}

A warm-up walk from WARMUP_PAGE to the end (token, connections, generated
converter functions) runs before tracing starts; then the walk from FIRST_PAGE
to the end is traced. `iterate` discards each item as it comes (what the
"pages in flight only" promise is about); `collect` keeps them all (a control:
its peak must grow with the item count, or the probe is blind). Prints one
JSON object: items, peak bytes, concurrency, mode.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import tracemalloc
from dataclasses import asdict, dataclass

import vapay


@dataclass(frozen=True)
class Job:
    """What to list, and how."""

    account_id: str
    kind: str
    per_page: int
    first_page: int
    warmup_page: int
    concurrency: int
    mode: str


def _parse(argv: list[str]) -> Job:
    account_id, kind, per_page, first, warmup, concurrency, mode = argv
    if mode not in {"iterate", "collect"}:
        raise SystemExit(f"mode must be iterate or collect, not {mode!r}")
    return Job(account_id, kind, int(per_page), int(first), int(warmup), int(concurrency), mode)


async def _walk(client: vapay.Client, job: Job, first_page: int, *, keep: bool) -> int:
    pager = client.virtual_accounts.list(
        job.account_id,
        kind=job.kind,
        per_page=job.per_page,
        page=first_page,
        concurrency=job.concurrency,
    )
    if keep:
        return len(await pager.collect())
    count = 0
    async for _ in pager:
        count += 1
    return count


async def measure(job: Job) -> dict[str, object]:
    """Trace one walk (after a warm-up walk) and return its peak."""
    async with vapay.Client() as client:  # settings from the VAPAY_* environment
        await _walk(client, job, job.warmup_page, keep=False)
        gc.collect()
        tracemalloc.start()
        try:
            items = await _walk(client, job, job.first_page, keep=job.mode == "collect")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return {"items": items, "peak": peak, **asdict(job)}


def main(argv: list[str]) -> int:
    """Measure and print the result as JSON."""
    print(json.dumps(asyncio.run(measure(_parse(argv)))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
