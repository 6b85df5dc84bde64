"""Helpers for the webhook delivery tests: a scripted handler on loopback, a payable VA."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from decimal import Decimal

import attrs
from aiohttp import web

from vapay.sandbox import Sandbox, TransactionRecord, VirtualAccountRecord
from vapay.sandbox._transactions import amount_range

ENDPOINT = "/hooks/va?source=test"
# A handler answer: a status, or "hang" (never answer until released).
Answer = int | str


@attrs.frozen
class Received:
    """One request the handler got."""

    path_qs: str
    headers: dict[str, str]
    body: bytes


class ScriptedHandler:
    """A merchant's handler that answers the n-th request with the n-th answer.

    The last answer repeats. It records every request; "hang" waits until
    `release()` (called at teardown, so no handler outlives the test).
    """

    def __init__(self, answers: Sequence[Answer] = (200,)) -> None:
        self.answers = list(answers)
        self.url = ""  # set once served
        self.received: list[Received] = []
        self._released = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.received.append(Received(request.path_qs, dict(request.headers), body))
        answer = self.answers[min(len(self.received), len(self.answers)) - 1]
        if answer == "hang":
            await self._released.wait()
            return web.Response(text="too late")
        assert isinstance(answer, int)
        return web.Response(status=answer, text=f"answered {answer}")

    def release(self) -> None:
        """Let every hanging request finish."""
        self._released.set()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def payable(
    sandbox: Sandbox, account_index: int = 0
) -> tuple[str, VirtualAccountRecord, Decimal | None]:
    """The first VA of that account that can take a payment now, with an amount it takes."""
    account_id = sandbox.state.accounts[account_index].id
    now_ms = sandbox.state.now_ms()
    for va in sandbox.state.virtual_accounts[account_id]:
        lapsed = va.kind == "temporary" and (va.expired_at or 0) <= now_ms
        used_up = (va.current_usage or 0) >= (va.max_usage or 255)
        if va.status == "active" and not lapsed and not used_up:
            amount = amount_range(va)[0] if va.amount_type == "open" else None
            return account_id, va, amount
    raise AssertionError(f"no payable virtual account in account {account_id}")


async def pay_any(sandbox: Sandbox, account_index: int = 0) -> TransactionRecord:
    """Pay into the first VA of that account that can take a payment now."""
    account_id, va, amount = payable(sandbox, account_index)
    return await sandbox.pay(account_id, va.number, amount)
