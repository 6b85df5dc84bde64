"""The gateway's retry schedule as pure rules: how many retries each failure gets."""

from __future__ import annotations

import pytest

from vapay.sandbox._delivery_schedule import Outcome, retries_allowed, should_retry
from vapay.sandbox._webhook_events import php_json, wall_clock


@pytest.mark.parametrize(
    ("outcome", "retries"),
    [
        (200, 0),
        (204, 0),
        (500, 1),
        (503, 4),
        (400, 2),
        (404, 2),
        ("timeout", 1),
        ("connection_error", 1),
        ("error", 5),
        (502, 5),
        (429, 5),
        (401, 5),
        (301, 5),
        (302, 5),
        (303, 5),
        (307, 5),
        (100, 5),
    ],
    ids=str,
)
def test_each_failure_allows_its_documented_retries(outcome: Outcome, retries: int) -> None:
    """MONEY-IN.md §5: 500 once, 503 four times, 400/404 twice, timeouts once, else five."""
    assert retries_allowed(outcome) == retries


@pytest.mark.parametrize(
    ("outcome", "attempts"),
    [(200, 1), (500, 2), (503, 5), (404, 3), ("timeout", 2), (418, 6)],
    ids=str,
)
def test_the_same_failure_every_time_makes_that_many_attempts(
    outcome: Outcome, attempts: int
) -> None:
    """Retrying while should_retry says so makes 1 + retries attempts in all."""
    attempt = 1
    while should_retry(attempt, outcome):
        attempt += 1

    assert attempt == attempts


def test_the_latest_failure_bounds_the_attempt_number() -> None:
    """After four 503s, a 500 at attempt 5 is not retried (its one retry is long spent)."""
    assert should_retry(4, 503)
    assert not should_retry(5, 500)
    assert should_retry(5, 418)


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (1_766_730_945_000, "26 Dec 2025 13:35:45"),
        (1_766_682_000_000, "26 Dec 2025 00:00:00"),  # 17:00 UTC the day before
        (1_735_664_399_999, "31 Dec 2024 23:59:59"),
        (1_709_226_000_000, "01 Mar 2024 00:00:00"),
    ],
)
def test_wall_clock_is_jakarta_time_in_the_gateways_format(ms: int, text: str) -> None:
    """`d M Y H:i:s` on UTC+7, days zero-padded, English months."""
    assert wall_clock(ms) == text


def test_php_json_escapes_slashes_and_non_ascii_compactly() -> None:
    """PHP's json_encode defaults: `\\/`, `\\uXXXX`, no spaces, keys in order."""
    assert (
        php_json({"b": "a/b", "a": ["é", 1.5, None]}) == b'{"b":"a\\/b","a":["\\u00e9",1.5,null]}'
    )
