"""Start worker processes (`fleet_worker.py`), release them together, collect what they say."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vapay.sandbox import Sandbox

WORKER = Path(__file__).with_name("fleet_worker.py")
_START = 30.0


class Worker:
    """One worker process, started and waiting for `go()`."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr = ""

    @classmethod
    async def start(cls, settings: dict[str, Any]) -> Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            json.dumps(settings),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        worker = cls(process)
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), _START)
        if line != b"ready\n":
            await worker.finish()
            raise AssertionError(f"worker did not start: {line!r} {worker.stderr}")
        return worker

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")

    async def finish(self, timeout: float = 60.0) -> dict[str, Any]:
        """What the worker printed at the end (empty if it died)."""
        out, err = await asyncio.wait_for(self.process.communicate(), timeout)
        self.stderr = err.decode()
        lines = out.decode().splitlines()
        return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}

    def kill(self) -> None:
        self.process.kill()


def worker_settings(sandbox: Sandbox, redis_url: str, **settings: Any) -> dict[str, Any]:
    """A worker's settings: the sandbox's client options, its accounts, and *settings*."""
    return {
        "client": dict(sandbox.client_options()),
        "redis_url": redis_url,
        "accounts": [account.id for account in sandbox.state.accounts],
        "calls": 50,
        "concurrency": 5,
        **settings,
    }


async def start_fleet(count: int, settings: dict[str, Any]) -> list[Worker]:
    return list(await asyncio.gather(*(Worker.start(settings) for _ in range(count))))


async def run_fleet(workers: list[Worker]) -> list[dict[str, Any]]:
    """Release every worker at once and wait for them all."""
    for worker in workers:
        worker.go()
    return list(await asyncio.gather(*(worker.finish() for worker in workers)))


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll *condition* until it is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.005)
