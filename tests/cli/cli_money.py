"""Helpers for the money-in commands' tests: what reached the sandbox, and its actions."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from vapay.sandbox import RecordedRequest, Sandbox, TransactionRecord

JAKARTA = dt.timezone(dt.timedelta(hours=7))
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def screen(text: str) -> str:
    """*text* without the terminal's colour codes."""
    return ANSI.sub("", text)


def api_requests(sandbox: Sandbox) -> list[RecordedRequest]:
    """The API requests the sandbox received, token requests left out."""
    return [r for r in sandbox.state.requests if r.route != "token"]


def only_request(sandbox: Sandbox) -> RecordedRequest:
    """The one API request the sandbox received."""
    (request,) = api_requests(sandbox)
    return request


def body(request: RecordedRequest) -> dict[str, Any]:
    """*request*'s JSON body, its numbers exact (150000.50 stays 150000.50)."""
    parsed: dict[str, Any] = json.loads(request.body, parse_float=Decimal)
    return parsed


def pay(sandbox: Sandbox, account_id: str, va_number: str) -> TransactionRecord:
    """A payer pays a closed VA its amount, now.

    The action changes the state in one synchronous step, so running it on this
    thread's own loop, beside the sandbox's, is safe while no request is in flight.
    """
    return asyncio.run(sandbox.pay(account_id, va_number))


def ms(when: dt.datetime) -> int:
    """*when* in Unix milliseconds."""
    return (when - EPOCH) // dt.timedelta(milliseconds=1)


def from_ms(value: int) -> dt.datetime:
    """Unix milliseconds as an aware UTC datetime."""
    return EPOCH + dt.timedelta(milliseconds=value)


def tomorrow_in_jakarta() -> dt.datetime:
    """This time tomorrow, in Jakarta time, to the second: a valid expiry."""
    return (dt.datetime.now(JAKARTA) + dt.timedelta(days=1)).replace(microsecond=0)
