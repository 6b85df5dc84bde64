"""When the gateway retries a webhook delivery (MONEY-IN.md §5), as pure functions.

After a failed first delivery the gateway retries at one-minute intervals: a 500
once; a 503 four times; a 400 or a 404 twice; a timeout or a connection error
once; any other failure five times. 307 and 308 are followed (at most five hops,
within one attempt); 301, 302 and 303 are not, so they are "any other failure",
as is a sixth 307 or a redirect off this machine.

What a failure allows bounds the attempt number: attempt n + 1 is made when
attempt n failed and n is at most the retries its failure allows. A handler that
fails the same way every time gets exactly that failure's retries; one whose
failures change is held to the latest one's allowance, never more than five.
"""

from __future__ import annotations

from typing import Literal

# An HTTP status, or how the attempt failed without one ("error": unexpectedly,
# which the gateway would count as any other failure).
Outcome = int | Literal["timeout", "connection_error", "error"]

FOLLOWED_REDIRECTS = frozenset({307, 308})
MAX_REDIRECTS = 5
_RETRIES = {500: 1, 503: 4, 400: 2, 404: 2, "timeout": 1, "connection_error": 1}
_OTHER_FAILURE_RETRIES = 5


def succeeded(outcome: Outcome) -> bool:
    """Whether the handler acknowledged the delivery (any 2xx)."""
    return isinstance(outcome, int) and 200 <= outcome < 300  # noqa: PLR2004  (the 2xx range)


def retries_allowed(outcome: Outcome) -> int:
    """How many retries the gateway makes after a failure like *outcome* (0 for a 2xx)."""
    if succeeded(outcome):
        return 0
    return _RETRIES.get(outcome, _OTHER_FAILURE_RETRIES)


def should_retry(attempt: int, outcome: Outcome) -> bool:
    """Whether attempt *attempt* (1 for the first) ending in *outcome* is followed by another."""
    return attempt <= retries_allowed(outcome)
