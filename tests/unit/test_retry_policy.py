"""The retry decisions: what is retried, Retry-After, backoff, and the policy's delay."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import vapay
from vapay._errors import APIConnectionError, APITimeoutError
from vapay._retry import RetryPolicy, backoff_delay, is_retryable, parse_retry_after
from vapay._transport import Request, Response

# Thu, 02 May 2024 00:00:00 GMT
NOW = dt.datetime(2024, 5, 2, tzinfo=dt.timezone.utc).timestamp()
IN_30_S = "Thu, 02 May 2024 00:00:30 GMT"

GET = Request(method="GET", url=URL("https://sandbox.test/api/v1.0/accounts"), idempotent=True)
PATCH = Request(
    method="PATCH",
    url=URL("https://sandbox.test/api/v1.0/accounts/update-status/1"),
    json={"status": "active"},
    idempotent=True,
)
POST = Request(
    method="POST", url=URL("https://sandbox.test/api/v1.0/accounts"), json={"name": "Dhany"}
)
REQUESTS = {"GET": GET, "PATCH": PATCH, "POST": POST}


def answer(request: Request, status: int) -> Response:
    """An empty-bodied answer to *request* with *status*."""
    return Response(
        status=status, headers=CIMultiDictProxy(CIMultiDict()), body=b"", request=request
    )


def one() -> float:
    """A jitter that always takes the full ceiling."""
    return 1.0


# --- is_retryable ----------------------------------------------------------------------

# status -> (retried when idempotent, retried for a create)
STATUS_TABLE = {
    200: (False, False),
    400: (False, False),
    401: (False, False),
    404: (False, False),
    408: (True, False),
    422: (False, False),
    429: (True, True),
    500: (True, False),
    502: (True, False),
    503: (True, False),
    504: (True, False),
}
STATUS_CASES = [
    (method, status, safe if method != "POST" else create)
    for (status, (safe, create)), method in itertools.product(STATUS_TABLE.items(), REQUESTS)
]


@pytest.mark.parametrize(
    ("method", "status", "expected"),
    STATUS_CASES,
    ids=[f"{method}-{status}" for method, status, _ in STATUS_CASES],
)
def test_is_retryable_for_status(method: str, status: int, expected: bool) -> None:
    """408/429/5xx are retried for safe requests; a create is retried only after a 429."""
    request = REQUESTS[method]
    assert is_retryable(request, answer(request, status)) is expected


@pytest.mark.parametrize(
    ("method", "error", "expected"),
    [
        ("GET", APIConnectionError("refused", may_have_reached_server=False), True),
        ("PATCH", APIConnectionError("refused", may_have_reached_server=False), True),
        ("POST", APIConnectionError("refused", may_have_reached_server=False), True),
        ("GET", APIConnectionError("reset", may_have_reached_server=True), True),
        ("PATCH", APIConnectionError("reset", may_have_reached_server=True), True),
        ("POST", APIConnectionError("reset", may_have_reached_server=True), False),
        ("GET", APITimeoutError("timed out"), True),
        ("PATCH", APITimeoutError("timed out"), True),
        ("POST", APITimeoutError("timed out"), False),
    ],
    ids=[
        "GET-refused",
        "PATCH-refused",
        "POST-refused",
        "GET-reset",
        "PATCH-reset",
        "POST-reset",
        "GET-timeout",
        "PATCH-timeout",
        "POST-timeout",
    ],
)
def test_is_retryable_for_connection_error(
    method: str, error: APIConnectionError, expected: bool
) -> None:
    """A create is replayed only when it surely never left; safe requests always are."""
    assert is_retryable(REQUESTS[method], error) is expected


# --- parse_retry_after -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("5", 5.0),
        ("1.5", 1.5),
        (" 5 ", 5.0),
        ("9" * 35, 1e35),
        ("-1", None),
        ("inf", None),
        ("-inf", None),
        ("nan", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("5s", None),
        ("0x10", None),
        (IN_30_S, 30.0),
        ("Thu, 02 May 2024 00:00:30 +0000", 30.0),
        ("Thu, 02 May 2024 07:00:30 +0700", 30.0),
        ("Thursday, 02-May-24 00:00:30 GMT", 30.0),
        ("Thu, 02 May 2024 01:00:00 GMT", 3600.0),
        ("Thu, 02 May 2024 00:00:00 GMT", 0.0),
        ("Wed, 01 May 2024 23:59:00 GMT", 0.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),
        ("Thu, 32 May 2024 00:00:30 GMT", None),
        ("Thu, 02 Foo 2024 00:00:30 GMT", None),
        ("Thu, 02 May 2024 25:00:30 GMT", None),
        ("02 May 2024", None),
        ("Thu May  2 00:00:30 2024", 30.0),
    ],
    ids=[
        "zero",
        "integer",
        "fraction",
        "padded",
        "35-digits",
        "negative",
        "inf",
        "minus-inf",
        "nan",
        "empty",
        "absent",
        "letters",
        "unit-suffix",
        "hex",
        "date-30s-ahead",
        "date-plus-0000",
        "date-other-zone",
        "date-rfc850",
        "date-an-hour-ahead",
        "date-now",
        "date-a-minute-ago",
        "date-long-ago",
        "date-day-32",
        "date-bad-month",
        "date-hour-25",
        "date-no-time",
        "date-asctime",
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Retry-After as seconds or an HTTP date relative to `now`; unusable values are None."""
    assert parse_retry_after(value, now=NOW) == expected


def test_parse_retry_after_uses_the_given_now() -> None:
    """The same date means less wait when `now` is later."""
    assert parse_retry_after(IN_30_S, now=NOW + 20) == 10.0


# --- backoff_delay ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        (0, 0.5),
        (1, 1.0),
        (2, 2.0),
        (3, 4.0),
        (4, 8.0),
        (5, 8.0),
        (6, 8.0),
        (7, 8.0),
        (8, 8.0),
        (9, 8.0),
        (10, 8.0),
        (1024, 8.0),
        (10**6, 8.0),
    ],
    ids=lambda value: f"attempt-{value}" if isinstance(value, int) else None,
)
def test_backoff_full_jitter_is_the_clamped_ceiling(attempt: int, expected: float) -> None:
    """With jitter 1.0 the delay is exactly min(maximum, initial * 2**attempt), no overflow."""
    assert backoff_delay(attempt, initial=0.5, maximum=8.0, jitter=one) == expected


@pytest.mark.parametrize("attempt", [0, 5, 10**6], ids=["first", "clamped", "huge"])
def test_backoff_zero_jitter_is_zero(attempt: int) -> None:
    """With jitter 0.0 there is no wait at all."""
    assert backoff_delay(attempt, initial=0.5, maximum=8.0, jitter=lambda: 0.0) == 0.0


def test_backoff_scales_the_ceiling_by_the_jitter() -> None:
    """The jitter picks a point between zero and the ceiling."""
    assert backoff_delay(3, initial=0.5, maximum=8.0, jitter=lambda: 0.25) == 1.0


def test_backoff_other_initial_and_maximum() -> None:
    """The ceiling doubles from `initial` until it reaches `maximum`."""
    delays = [backoff_delay(n, initial=1.0, maximum=30.0, jitter=one) for n in range(7)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_backoff_default_jitter_stays_within_the_ceiling() -> None:
    """The default random jitter never goes past the ceiling or below zero."""
    delays = [backoff_delay(2, initial=0.5, maximum=8.0) for _ in range(200)]
    assert all(0.0 <= delay <= 2.0 for delay in delays)


# --- RetryPolicy.delay -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("0", 0.0),
        ("5", 5.0),
        ("60", 60.0),
        ("60.5", None),
        ("61", None),
        ("9" * 35, None),
        (IN_30_S, 30.0),
        ("Thu, 02 May 2024 00:01:01 GMT", None),
        ("Wed, 01 May 2024 23:59:00 GMT", 0.0),
    ],
    ids=[
        "zero",
        "short",
        "at-the-cap",
        "just-past-the-cap",
        "past-the-cap",
        "35-digits",
        "date-within-cap",
        "date-past-cap",
        "date-in-the-past",
    ],
)
def test_policy_honours_retry_after_up_to_the_cap(retry_after: str, expected: float | None) -> None:
    """A usable Retry-After up to 60 s is the delay; beyond it the policy gives up (None)."""
    assert RetryPolicy().delay(3, retry_after, now=NOW, jitter=one) == expected


@pytest.mark.parametrize(
    "retry_after", [None, "", "abc", "-1", "nan"], ids=["absent", "empty", "letters", "neg", "nan"]
)
def test_policy_without_usable_retry_after_backs_off(retry_after: str | None) -> None:
    """Without a usable Retry-After the policy uses its exponential backoff."""
    assert RetryPolicy().delay(2, retry_after, now=NOW, jitter=one) == 2.0


def test_policy_cap_is_configurable() -> None:
    """`max_retry_after` is the longest Retry-After the policy will wait for."""
    policy = RetryPolicy(max_retry_after=5.0)
    assert policy.delay(0, "5", now=NOW, jitter=one) == 5.0
    assert policy.delay(0, "6", now=NOW, jitter=one) is None


def test_policy_backoff_is_configurable() -> None:
    """`initial_delay` and `max_delay` shape the backoff the policy returns."""
    policy = RetryPolicy(initial_delay=2.0, max_delay=5.0)
    delays = [policy.delay(n, None, now=NOW, jitter=one) for n in range(3)]
    assert delays == [2.0, 4.0, 5.0]


@pytest.mark.parametrize(
    "options",
    [
        {"initial_delay": math.nan},
        {"max_delay": -1.0},
        {"initial_delay": math.inf},
        {"max_retry_after": "60"},
    ],
    ids=["nan", "negative", "infinite", "text"],
)
def test_a_retry_policy_that_cannot_work_is_refused(options: dict[str, object]) -> None:
    """A NaN delay would sleep forever, a negative one drop the backoff: ValueError. (Review.)"""
    with pytest.raises(ValueError, match="must be a finite number of seconds >= 0"):
        vapay.RetryPolicy(**options)  # type: ignore[arg-type]


def test_a_retry_policy_of_another_type_is_refused_by_the_client() -> None:
    """`retry_policy=5` is a ValueError at construction, not an AttributeError at a retry."""
    with pytest.raises(ValueError, match=r"retry_policy must be a vapay\.RetryPolicy"):
        vapay.Client(api_key="k", token="t", retry_policy=5)  # type: ignore[arg-type]
