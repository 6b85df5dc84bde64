"""The request budget: GCRA's decisions over literals, RateLimit and its middleware."""

from __future__ import annotations

import asyncio
import json

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import vapay
from budget_cases import PAUSES, RESERVATIONS
from vapay._budget import BudgetMiddleware, paused, reserve
from vapay._transport import Request, Response


@pytest.mark.parametrize(("case", "expected"), RESERVATIONS)
def test_reserve(
    case: tuple[float, float, float, int, float], expected: tuple[float, float] | None
) -> None:
    """GCRA grants the next slot, or refuses past max_wait without moving tat."""
    tat, now, interval, burst, max_wait = case

    grant = reserve(tat, now, interval=interval, burst=burst, max_wait=max_wait)

    assert grant == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(("case", "expected"), PAUSES)
def test_paused(case: tuple[float, float, float, int, float], expected: float) -> None:
    """After a pause of s seconds, no slot is granted before now + s."""
    tat, now, interval, burst, seconds = case
    new = paused(tat, now, interval=interval, burst=burst, seconds=seconds)
    grant = reserve(new, now, interval=interval, burst=burst, max_wait=99)

    assert new == pytest.approx(expected)
    assert grant is not None
    assert grant[0] >= seconds - 1e-9


class FakeTime:
    """A clock and a sleep that advances it, recording each sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


async def test_a_rate_limit_spaces_requests_by_its_interval() -> None:
    """Ten requests at 5/s with no burst go at 0, 0.2, 0.4, ... 1.8 s."""
    fake = FakeTime()
    limit = vapay.RateLimit(5, clock=fake.clock, sleep=fake.sleep)

    for _ in range(10):
        assert await limit.acquire()

    assert fake.now == pytest.approx(1001.8)
    assert fake.sleeps == [0.2] * 9


async def test_a_rate_limit_refuses_a_slot_past_the_timeout() -> None:
    """A slot further away than the caller's timeout is refused, and not taken."""
    fake = FakeTime()
    limit = vapay.RateLimit(1, clock=fake.clock, sleep=fake.sleep)
    assert await limit.acquire()

    refused = await limit.acquire(timeout=0.5)
    granted = await limit.acquire(timeout=1.0)

    assert (refused, granted) == (False, True)
    assert fake.sleeps == [1.0]


async def test_max_wait_bounds_a_call_without_timeout() -> None:
    """Without a timeout, max_wait is the bound."""
    fake = FakeTime()
    limit = vapay.RateLimit(1, max_wait=0.5, clock=fake.clock, sleep=fake.sleep)
    assert await limit.acquire()

    assert not await limit.acquire()


async def test_a_pause_holds_every_slot_until_it_ends() -> None:
    """pause(3) makes the next request wait 3 s."""
    fake = FakeTime()
    limit = vapay.RateLimit(100, clock=fake.clock, sleep=fake.sleep)

    await limit.pause(3.0)
    await limit.acquire()

    assert fake.sleeps == [3.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"per_second": 0}, "per_second"),
        ({"per_second": float("inf")}, "per_second"),
        ({"per_second": 5, "burst": 0}, "burst"),
        ({"per_second": 5, "burst": 1.5}, "burst"),
        ({"per_second": 5, "max_wait": -1}, "max_wait"),
    ],
    ids=["zero-rate", "infinite-rate", "zero-burst", "float-burst", "negative-wait"],
)
def test_bad_budgets_are_value_errors(kwargs: dict[str, float], match: str) -> None:
    """A rate, burst or wait that cannot work fails at construction."""
    with pytest.raises(ValueError, match=match):
        vapay.RateLimit(**kwargs)  # type: ignore[arg-type]


class RecordingBudget:
    """A budget that grants or refuses, and records pauses."""

    def __init__(self, *, grant: bool = True) -> None:
        self.grant = grant
        self.timeouts: list[float | None] = []
        self.pauses: list[float] = []

    async def acquire(self, *, timeout: float | None = None) -> bool:
        self.timeouts.append(timeout)
        return self.grant

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)


def answer(request: Request, status: int, headers: dict[str, str]) -> Response:
    return Response(
        status=status,
        headers=CIMultiDictProxy(CIMultiDict(headers)),
        body=json.dumps({"status": status, "success": status == 200}).encode(),
        request=request,
    )


REQUEST = Request(method="POST", url=URL("https://api.example.test/api/v1.0/accounts"))


async def test_the_middleware_refuses_to_send_without_a_slot() -> None:
    """No slot: an APITimeoutError that says the request never left; nothing sent."""
    sent: list[Request] = []

    async def send(request: Request) -> Response:
        sent.append(request)
        return answer(request, 200, {})

    with pytest.raises(vapay.APITimeoutError, match="request budget") as caught:
        await BudgetMiddleware(RecordingBudget(grant=False))(REQUEST, send)

    assert caught.value.may_have_reached_server is False
    assert sent == []


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [(429, "2", [2.0]), (429, "600", [60.0]), (429, None, []), (503, "2", []), (429, "x", [])],
    ids=["429", "capped", "no-header", "not-429", "garbage"],
)
async def test_a_429_with_retry_after_pauses_the_budget(
    status: int, retry_after: str | None, expected: list[float]
) -> None:
    """Only a 429 with a usable Retry-After pauses the budget, for at most 60 s."""
    budget = RecordingBudget()
    headers = {} if retry_after is None else {"Retry-After": retry_after}

    async def send(request: Request) -> Response:
        return answer(request, status, headers)

    await BudgetMiddleware(budget)(REQUEST, send)

    assert budget.pauses == expected


async def test_the_middleware_passes_what_is_left_of_the_deadline() -> None:
    """The budget may wait only until the call's deadline."""
    budget = RecordingBudget()
    loop = asyncio.get_running_loop()
    request = Request(method="GET", url=REQUEST.url, deadline=loop.time() + 2.0)

    async def send(request: Request) -> Response:
        return answer(request, 200, {})

    await BudgetMiddleware(budget)(request, send)

    (timeout,) = budget.timeouts
    assert timeout is not None
    assert 1.9 < timeout <= 2.0
