"""The HTTP answers behind typed results: `vapay.capture_responses()`.

Resource methods return models, not responses. To see the answer behind a call
(status, headers, attempts, time), wrap the calls in `capture_responses()`: it
collects one `ResponseInfo` per call made inside the block, by the task that
entered it and by the tasks it starts there (a pager's prefetch, `list_many`).
It is backed by a `ContextVar`, so other tasks sharing the client, outside the
block, are never recorded in it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar

import attrs

from vapay._transport import Handler, Request, Response


@attrs.frozen(kw_only=True)
class ResponseInfo:
    """The HTTP answer to one call, as `capture_responses()` records it.

    Attributes:
        method: "GET", "POST", ...
        path: the URL path (`/api/v1.0/accounts/42`).
        params: the query parameters sent (a listing's `page`, its filters).
        status: the HTTP status of the answer that was kept (the last attempt's).
        headers: that answer's headers (case-insensitive).
        attempts: how many times the call was sent (1 unless it was retried).
        elapsed: seconds the whole call took, retries and backoff included.
    """

    method: str
    path: str
    params: Mapping[str, str]
    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    attempts: int
    elapsed: float


class _Capture:
    """One block's list, and whether the block is still open."""

    __slots__ = ("open", "seen")

    def __init__(self) -> None:
        self.seen: list[ResponseInfo] = []
        self.open = True


# The capture blocks entered in this context, outermost first.
_CAPTURES: ContextVar[tuple[_Capture, ...]] = ContextVar("vapay_captures", default=())


@contextlib.contextmanager
def capture_responses() -> Iterator[list[ResponseInfo]]:
    """Collect the HTTP answer of every call made in the block.

    ```python
    with vapay.capture_responses() as seen:
        account = await client.accounts.get(account_id)
    print(seen[-1].status, seen[-1].headers.get("Date"), seen[-1].attempts)
    ```

    One `ResponseInfo` per call that got an HTTP answer (error answers too; a
    call that got none, such as a refused connection, adds nothing), in the
    order the answers came. A listing adds one per page. Token requests are
    not calls and are not recorded. Blocks nest: an inner block's calls are in
    the outer block's list too. Safe with many tasks sharing one client: only
    calls made by this task, or by tasks it starts inside the block, count.

    A block inside an async generator must not span a `yield`: the generator
    runs in its caller's context, so the caller's own calls between two items
    would be recorded too (an abandoned generator's block stops recording when
    it is finalized).

    Yields:
        The list the records are appended to; it stays readable after the block.
    """
    capture = _Capture()
    token = _CAPTURES.set((*_CAPTURES.get(), capture))
    try:
        yield capture.seen
    finally:
        capture.open = False
        with contextlib.suppress(ValueError):
            # ValueError: finalized in another context (an abandoned generator's
            # block); the flag above has already stopped it.
            _CAPTURES.reset(token)


def active() -> tuple[list[ResponseInfo], ...]:
    """The lists of the open capture blocks of this context (usually none)."""
    captures = _CAPTURES.get()
    if not captures:
        return ()
    return tuple(capture.seen for capture in captures if capture.open)


async def send_captured(
    send: Handler, request: Request, into: tuple[list[ResponseInfo], ...]
) -> Response:
    """Send *request* through *send* and record its answer in each list of *into*."""
    started = time.monotonic()
    response = await send(request)
    info = ResponseInfo(
        method=request.method,
        path=request.path,
        params=dict(request.params),
        status=response.status,
        headers=response.headers,
        attempts=response.request.attempt + 1,
        elapsed=time.monotonic() - started,
    )
    for seen in into:
        seen.append(info)
    return response
