"""The retry middleware, driven directly: scripted outcomes, a fake sleep and clock."""

from __future__ import annotations

import asyncio
import copy

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import vapay
from vapay._retry import RetryMiddleware, RetryPolicy
from vapay._transport import Request, Response

URL_ = URL("https://api.example.test/api/v1.0/accounts")
GET = Request(method="GET", url=URL_, idempotent=True, max_retries=3, timeout=10)
POST = Request(method="POST", url=URL_, idempotent=False, max_retries=3, timeout=10)
REFUSED = vapay.APIConnectionError("refused", may_have_reached_server=False)
RESET = vapay.APIConnectionError("reset", may_have_reached_server=True)
TIMEOUT = vapay.APITimeoutError("slow")


class Script:
    """call_next that plays outcomes in order: a status code or an exception."""

    def __init__(self, *outcomes: int | Exception, headers: dict[str, str] | None = None) -> None:
        self.outcomes = list(outcomes)
        self.headers = headers or {}
        self.attempts: list[Request] = []

    async def __call__(self, request: Request) -> Response:
        self.attempts.append(request)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            # A fresh copy: the constants are shared by tests, and a raised
            # error carries the retry layer's verdict.
            raise copy.copy(outcome)
        return Response(
            status=outcome,
            headers=CIMultiDictProxy(CIMultiDict(self.headers)),
            body=b"{}",
            request=request,
        )


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def middleware(sleeps: Sleeps, *, now: float = 0.0) -> RetryMiddleware:
    return RetryMiddleware(
        RetryPolicy(initial_delay=0.5, max_delay=8.0, max_retry_after=60.0),
        sleep=sleeps,
        clock=lambda: now,
        wall_clock=lambda: 1_700_000_000.0,
        jitter=lambda: 1.0,
    )


@pytest.mark.parametrize("outcome", [500, 502, 503, 504, 408, 429, RESET, TIMEOUT, REFUSED])
async def test_a_get_is_retried_after_transient_failures(outcome: int | Exception) -> None:
    """A GET is replayed after 5xx, 408, 429, connection errors and timeouts."""
    script = Script(outcome, 200)
    sleeps = Sleeps()

    response = await middleware(sleeps)(GET, script)

    assert response.status == 200
    assert [r.attempt for r in script.attempts] == [0, 1]
    assert sleeps.delays == [0.5]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_a_get_is_not_retried_after_client_errors(status: int) -> None:
    """4xx answers (but 408 and 429) are final."""
    script = Script(status)

    response = await middleware(Sleeps())(GET, script)

    assert response.status == status
    assert len(script.attempts) == 1


@pytest.mark.parametrize("outcome", [500, 503, 408, RESET, TIMEOUT], ids=str)
async def test_a_post_that_may_have_arrived_is_never_replayed(outcome: int | Exception) -> None:
    """A create that may have reached the server is not sent again."""
    script = Script(outcome, 200)

    if isinstance(outcome, Exception):
        with pytest.raises(type(outcome)):
            await middleware(Sleeps())(POST, script)
    else:
        assert (await middleware(Sleeps())(POST, script)).status == outcome
    assert len(script.attempts) == 1


@pytest.mark.parametrize("outcome", [429, REFUSED], ids=str)
async def test_a_post_that_surely_did_not_arrive_is_retried(outcome: int | Exception) -> None:
    """A refused connection or a 429 means the create was not carried out: retry."""
    script = Script(outcome, 200)

    response = await middleware(Sleeps())(POST, script)

    assert response.status == 200
    assert len(script.attempts) == 2


async def test_backoff_grows_exponentially_to_the_cap() -> None:
    """Delays are 0.5, 1, 2, 4, 8, 8 ... (jitter fixed at its maximum)."""
    script = Script(*([503] * 7), 200)
    sleeps = Sleeps()

    request = Request(method="GET", url=URL_, idempotent=True, max_retries=7)
    await middleware(sleeps)(request, script)

    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


async def test_retries_stop_at_max_retries_and_return_the_last_answer() -> None:
    """After max_retries replays, the last response is returned."""
    script = Script(503, 503, 503, 503, 200)

    response = await middleware(Sleeps())(GET, script)

    assert response.status == 503
    assert len(script.attempts) == 4


async def test_retries_stop_at_max_retries_and_raise_the_last_error() -> None:
    """After max_retries replays of a connection error, that error is raised."""
    script = Script(RESET, RESET, RESET, TIMEOUT)

    with pytest.raises(vapay.APITimeoutError):
        await middleware(Sleeps())(GET, script)


async def test_max_retries_zero_sends_once() -> None:
    """max_retries=0 means one attempt."""
    script = Script(503, 200)

    response = await middleware(Sleeps())(
        Request(method="GET", url=URL_, idempotent=True, max_retries=0), script
    )

    assert response.status == 503


async def test_retry_after_seconds_is_honoured() -> None:
    """A 429 with Retry-After: 7 waits 7 s."""
    script = Script(429, 200, headers={"Retry-After": "7"})
    sleeps = Sleeps()

    await middleware(sleeps)(GET, script)

    assert sleeps.delays == [7.0]


async def test_a_retry_after_beyond_the_cap_gives_up() -> None:
    """A Retry-After longer than max_retry_after surfaces the 429 instead of stalling."""
    script = Script(429, 200, headers={"Retry-After": "3600"})
    sleeps = Sleeps()

    response = await middleware(sleeps)(GET, script)

    assert response.status == 429
    assert sleeps.delays == []


async def test_the_deadline_bounds_each_attempts_timeout() -> None:
    """With 3 s left before the deadline, an attempt gets a 3 s timeout, not 10 s."""
    script = Script(200)
    request = Request(method="GET", url=URL_, idempotent=True, timeout=10, deadline=103.0)

    await middleware(Sleeps(), now=100.0)(request, script)

    assert script.attempts[0].timeout == 3.0


async def test_no_retry_sleeps_past_the_deadline() -> None:
    """A backoff that would end after the deadline is not taken."""
    script = Script(503, 200)
    request = Request(method="GET", url=URL_, idempotent=True, max_retries=3, deadline=100.2)

    response = await middleware(Sleeps(), now=100.0)(request, script)

    assert response.status == 503
    assert len(script.attempts) == 1


async def test_a_passed_deadline_raises_a_timeout_without_sending() -> None:
    """When the deadline has passed, no attempt is made."""
    script = Script(200)
    request = Request(method="GET", url=URL_, idempotent=True, deadline=99.0)

    with pytest.raises(vapay.APITimeoutError, match="deadline"):
        await middleware(Sleeps(), now=100.0)(request, script)

    assert script.attempts == []


async def test_cancellation_propagates_out_of_a_backoff_sleep() -> None:
    """Cancelling the caller during a backoff ends it at once with CancelledError."""
    script = Script(503, 200)
    sleeping = asyncio.Event()

    async def sleep(_: float) -> None:
        sleeping.set()
        await asyncio.sleep(3600)

    retry = RetryMiddleware(RetryPolicy(), sleep=sleep, jitter=lambda: 1.0)
    task = asyncio.ensure_future(retry(GET, script))
    await sleeping.wait()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(script.attempts) == 1
