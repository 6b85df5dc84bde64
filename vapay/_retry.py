"""Retries: pure decisions (what, how long) and the middleware that applies them.

What is retried:
- connection errors and timeouts, 408, 429 and 5xx, for requests that are safe
  to send twice (GET, the status PATCH, token requests);
- for any request, including a create: a refused connection (it never left)
  and a 429 (the API turned it away unprocessed).
A POST that may have reached the server is never replayed: the API has no
idempotency key, so a replayed create can open a second account.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable

import attrs

from vapay._errors import APIConnectionError, APITimeoutError
from vapay._transport import Handler, Request, Response, page_note

logger = logging.getLogger("vapay")

Sleep = Callable[[float], Awaitable[None]]

_TOO_MANY_REQUESTS = 429
_RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
_FIRST_RETRYABLE_STATUS = min(_RETRYABLE_STATUSES)


def is_retryable(request: Request, outcome: Response | APIConnectionError) -> bool:
    """Whether *outcome* of *request* is worth another attempt."""
    if isinstance(outcome, APIConnectionError):
        if outcome._retries_spent:  # noqa: SLF001 - the flag is this module's
            return False
        return request.idempotent or not outcome.may_have_reached_server
    if outcome.status == _TOO_MANY_REQUESTS:
        return True
    return request.idempotent and outcome.status in _RETRYABLE_STATUSES


def may_have_reached(outcome: Response | APIConnectionError) -> bool:
    """Whether the server may have acted on the attempt that had *outcome*.

    A 429 or 408 answer says it did not; a connection refused says it never
    arrived. Anything else may have been carried out.
    """
    if isinstance(outcome, APIConnectionError):
        return outcome.may_have_reached_server
    return outcome.status not in _UNPROCESSED_STATUSES


_UNPROCESSED_STATUSES = frozenset({408, 429})


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), or None.

    *now* is the current unix time. None means "no usable value": absent,
    malformed, negative, NaN or infinite. A date in the past means 0.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are GMT; the asctime form just does not say so.
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, when.timestamp() - now)


def backoff_delay(
    attempt: int,
    *,
    initial: float,
    maximum: float,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Full-jitter exponential backoff: uniform in [0, min(maximum, initial * 2**attempt)]."""
    try:
        ceiling = min(maximum, initial * 2.0**attempt)
    except OverflowError:
        ceiling = maximum
    return jitter() * ceiling


def _seconds(_: object, field: attrs.Attribute[float], value: object) -> None:
    # A NaN delay would sleep forever; a negative one would drop the backoff.
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (math.isfinite(value) and value >= 0)
    ):
        raise ValueError(f"{field.name} must be a finite number of seconds >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How long to wait between attempts.

    Attributes:
        initial_delay: the backoff ceiling of the first retry, in seconds.
        max_delay: the largest backoff ceiling.
        max_retry_after: the longest Retry-After honoured; a longer one ends the
            retries (the error surfaces rather than a worker stalling for it).
    """

    initial_delay: float = attrs.field(default=0.5, validator=_seconds)
    max_delay: float = attrs.field(default=8.0, validator=_seconds)
    max_retry_after: float = attrs.field(default=60.0, validator=_seconds)

    def delay(
        self,
        attempt: int,
        retry_after: str | None,
        *,
        now: float,
        jitter: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retry number *attempt* + 1, or None to give up."""
        wanted = parse_retry_after(retry_after, now=now)
        if wanted is not None:
            return wanted if wanted <= self.max_retry_after else None
        return backoff_delay(
            attempt, initial=self.initial_delay, maximum=self.max_delay, jitter=jitter
        )


class RetryMiddleware:
    """Replays a request while the policy says so, up to `request.max_retries` times.

    Each attempt has its own timeout; `request.deadline`, when set, bounds the
    whole call including the sleeps. Cancellation is never caught, so it ends a
    backoff sleep at once.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._jitter = jitter

    async def __call__(self, request: Request, call_next: Handler) -> Response:
        """Send *request*, retrying what is safe and worth it."""
        attempt = 0
        reached = False
        while True:
            sent = self._for_attempt(request, attempt, reached)
            outcome: Response | APIConnectionError
            if isinstance(sent, APITimeoutError):
                outcome = sent
            else:
                try:
                    outcome = await call_next(sent)
                except APIConnectionError as err:
                    outcome = err
                else:
                    if outcome.status < _FIRST_RETRYABLE_STATUS:
                        return outcome  # the common case, decided without the policy
            delay = self._next_delay(request, attempt, outcome)
            if delay is None:
                if isinstance(outcome, APIConnectionError):
                    outcome._retries_spent = True  # noqa: SLF001
                    raise outcome
                return outcome
            if logger.isEnabledFor(logging.INFO):
                _log_retry(request, attempt, outcome, delay)
            reached = reached or may_have_reached(outcome)
            await self._sleep(delay)
            attempt += 1

    def _for_attempt(
        self, request: Request, attempt: int, reached: bool
    ) -> Request | APITimeoutError:
        """*request* as attempt number *attempt* sends it, or the error of a passed deadline."""
        timeout = request.timeout
        if request.deadline is not None:
            remaining = request.deadline - self._clock()
            if remaining <= 0:
                return APITimeoutError(
                    f"{request.method} {request.path}: the deadline passed",
                    method=request.method,
                    path=request.path,
                    may_have_reached_server=reached,
                )
            timeout = remaining if timeout is None else min(timeout, remaining)
        if attempt != request.attempt or timeout != request.timeout:
            request = attrs.evolve(
                request, attempt=attempt, timeout=timeout, reached_before=reached
            )
        return request

    def _next_delay(
        self, request: Request, attempt: int, outcome: Response | APIConnectionError
    ) -> float | None:
        if attempt >= request.max_retries or not is_retryable(request, outcome):
            return None
        retry_after = (
            None
            if isinstance(outcome, APIConnectionError)
            else (outcome.headers.get("Retry-After"))
        )
        delay = self._policy.delay(
            attempt, retry_after, now=self._wall_clock(), jitter=self._jitter
        )
        if delay is None or (
            request.deadline is not None and self._clock() + delay >= request.deadline
        ):
            return None
        return delay


def _log_retry(
    request: Request, attempt: int, outcome: Response | APIConnectionError, delay: float
) -> None:
    """The INFO line of a scheduled retry: why, which attempt failed, how long the wait."""
    if isinstance(outcome, APITimeoutError):
        why = "timed out"
    elif isinstance(outcome, APIConnectionError):
        why = "connection failed" if outcome.may_have_reached_server else "could not connect"
    else:
        retry_after = outcome.headers.get("Retry-After")
        why = f"HTTP {outcome.status}" + (
            f" (Retry-After: {retry_after:.40})" if retry_after else ""
        )
    logger.info(
        "%s %s: %s (%sattempt %d of %d); retrying in %.2fs",
        request.method,
        request.path,
        why,
        page_note(request),
        attempt + 1,
        request.max_retries + 1,
        delay,
    )
