"""Request/Response, vapay's middleware chain, and the one aiohttp call per attempt.

A middleware is `async def mw(request, call_next) -> Response`. Requests are
immutable descriptions and responses are read in full before they leave the
transport, so a middleware may replay a request or look at a body without ever
holding a connection.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from vapay._errors import APIConnectionError, APIResponseValidationError, APITimeoutError
from vapay._json import dumps
from vapay._version import __version__

logger = logging.getLogger("vapay")

USER_AGENT = f"vapay/{__version__} aiohttp/{aiohttp.__version__}"
"""What every request vapay sends, token requests included, says it is."""

# A page of this API is a few kilobytes; a body past this is a broken or hostile
# peer (a proxy streaming without end), and reading it whole would take the
# process's memory with it.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_SNIPPET = 200


def body_text(body: bytes) -> str:
    """The start of *body* as text, for error messages."""
    text = body[:_SNIPPET].decode("utf-8", errors="replace")
    return text + ("..." if len(body) > _SNIPPET else "")


_SECRET_HEADERS = frozenset({"authorization", "x-partner-id", "x-client-id", "x-signature"})


def _redacted(headers: Mapping[str, str]) -> str:
    """Headers as a repr with credentials hidden, for any middleware that logs requests."""
    return repr({k: "<hidden>" if k.lower() in _SECRET_HEADERS else v for k, v in headers.items()})


@attrs.frozen(kw_only=True)
class Request:
    """One HTTP request, as data.

    Attributes:
        method: "GET", "POST", "PATCH".
        url: absolute URL without the query.
        params: query parameters.
        json: the JSON body, or None for no body.
        headers: request headers (never logged).
        idempotent: True when sending it twice is harmless (GET, the status
            PATCH, a token request); only then is it replayed after it may have
            reached the server.
        timeout: seconds one attempt may take, or None for no limit.
        max_retries: retries after the first attempt.
        deadline: `time.monotonic()` after which no new attempt starts, or None.
        attempt: 0 for the first attempt, then 1, 2, ... (set by the retry middleware).
        reached_before: whether an earlier attempt of this call may have reached the
            server (it got an answer other than 408 or 429, or lost its connection
            after sending); set by the retry middleware.
    """

    method: str
    url: URL
    params: Mapping[str, str] = attrs.field(factory=dict)
    json: object = None
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=_redacted)
    idempotent: bool = False
    timeout: float | None = None
    max_retries: int = 0
    deadline: float | None = None
    attempt: int = 0
    reached_before: bool = False

    def with_headers(self, **headers: str) -> Request:
        """A copy with *headers* added (underscores in names become dashes)."""
        merged = dict(self.headers)
        merged.update({k.replace("_", "-"): v for k, v in headers.items()})
        return self.replace_headers(merged)

    def replace_headers(self, headers: Mapping[str, str]) -> Request:
        """A copy with *headers* in place of this request's (on every request: no evolve).

        Names every field: a field added to `Request` must be added here too
        (`tests/unit/test_transport_request.py` checks).
        """
        return Request(
            method=self.method,
            url=self.url,
            params=self.params,
            json=self.json,
            headers=headers,
            idempotent=self.idempotent,
            timeout=self.timeout,
            max_retries=self.max_retries,
            deadline=self.deadline,
            attempt=self.attempt,
            reached_before=self.reached_before,
        )

    @property
    def path(self) -> str:
        """The URL path, which is what logs and errors show (never the query)."""
        return self.url.raw_path


@attrs.frozen(kw_only=True)
class Response:
    """An HTTP answer, read in full."""

    status: int
    headers: CIMultiDictProxy[str]
    # A token answer's body holds the token: show its size only.
    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")
    request: Request
    elapsed: float = 0.0


Handler = Callable[[Request], Awaitable[Response]]
Middleware = Callable[[Request, Handler], Awaitable[Response]]


def build_chain(middlewares: Sequence[Middleware], send: Handler) -> Handler:
    """One handler: *middlewares* outermost first, *send* at the bottom."""
    handler = send
    for middleware in reversed(middlewares):
        handler = _Link(middleware, handler)
    return handler


class _Link:
    """One middleware bound to the rest of the chain.

    A plain call returning the middleware's awaitable, not a coroutine of its
    own: a link adds no frame to every request.
    """

    __slots__ = ("_call_next", "_middleware")

    def __init__(self, middleware: Middleware, call_next: Handler) -> None:
        self._middleware = middleware
        self._call_next = call_next

    def __call__(self, request: Request) -> Awaitable[Response]:
        return self._middleware(request, self._call_next)


SessionFactory = Callable[[], aiohttp.ClientSession]


class AiohttpTransport:
    """Sends one attempt with aiohttp and reads the answer in full.

    Redirects are never followed: a 3xx from this API is an error, and following
    one could carry `Authorization` to another host. aiohttp's exceptions become
    vapay's here and nowhere else.
    """

    def __init__(
        self,
        session: SessionFactory,
        *,
        max_body: int = MAX_RESPONSE_BYTES,
        connect_hint: str = "",
    ) -> None:
        self._session = session
        self._max_body = max_body
        # Added to "could not connect" errors (the client says why it tried that host).
        self._connect_hint = connect_hint
        # One ClientTimeout per distinct value, not one per request.
        self._timeouts: dict[float | None, aiohttp.ClientTimeout] = {}

    async def __call__(self, request: Request) -> Response:
        """Send one attempt of *request*; its answer read in full, or a vapay error."""
        started = time.monotonic()
        timeout = _attempt_timeout(request, started)
        if timeout is not None and timeout <= 0:
            late = APITimeoutError(f"{request.method} {request.path}: the deadline passed")
            late.may_have_reached_server = False  # it was never sent
            raise late
        session = self._session()
        failure: APIConnectionError
        outcome: str
        try:
            return await self._send(session, request, timeout, started)
        except asyncio.TimeoutError:
            failure, outcome = (
                APITimeoutError(
                    f"{request.method} {request.path} timed out"
                    + ("" if timeout is None else f" after {timeout:.3g}s")
                    + f" waiting for {host_port(request.url)} (timeout= is per attempt)",
                    method=request.method,
                    path=request.path,
                ),
                "timeout",
            )
        except asyncio.CancelledError:
            # Closing the session cancels the requests queued for a connection
            # (aiohttp's connector cancels their futures): their callers did not
            # cancel anything and must get the closed-client error, not vanish.
            if not session.closed or _task_cancelled():
                raise
            closed = RuntimeError("Cannot send a request: the client has been closed.")
            _log(request, "closed", started)
            raise closed from None
        except aiohttp.ClientConnectorError as err:
            reason = err.os_error.strerror or str(err.os_error) or type(err.os_error).__name__
            failure, outcome = (
                APIConnectionError(
                    f"{request.method} {request.path}: could not connect to "
                    f"{host_port(request.url)}: {reason}{self._connect_hint}",
                    may_have_reached_server=False,
                    method=request.method,
                    path=request.path,
                ),
                "refused",
            )
        except aiohttp.ClientError as err:
            maybe_done = "" if request.idempotent else "; it may have been carried out"
            failure, outcome = (
                APIConnectionError(
                    f"{request.method} {request.path}: the connection to "
                    f"{host_port(request.url)} failed before a whole answer: "
                    f"{type(err).__name__}: {err}{maybe_done}",
                    method=request.method,
                    path=request.path,
                ),
                type(err).__name__,
            )
        _log(request, outcome, started)
        # Raised outside the except blocks, so that aiohttp's exception is not kept
        # as __context__: its request_info holds the request's headers, token included.
        raise failure

    async def _send(
        self,
        session: aiohttp.ClientSession,
        request: Request,
        timeout: float | None,
        started: float,
    ) -> Response:
        headers = request.headers
        body = None
        if request.json is not None:
            # Encoded here, not by aiohttp: amounts are Decimals and must keep every digit.
            try:
                body = dumps(request.json)
            except (TypeError, ValueError) as err:
                raise ValueError(
                    f"{request.method} {request.path}: the json body cannot be sent: {err}"
                ) from None
            headers = {**headers, "Content-Type": "application/json"}
        async with session.request(
            request.method,
            request.url,
            params=request.params or None,
            data=body,
            headers=headers,
            timeout=self._timeout(timeout),
            allow_redirects=False,
            # A borrowed session may raise for statuses; vapay types them itself.
            raise_for_status=False,
        ) as resp:
            body = await self._read(request, resp, started)
        _log(request, resp.status, started)
        return Response(
            status=resp.status,
            headers=resp.headers,
            body=body,
            request=request,
            elapsed=time.monotonic() - started,
        )

    def _timeout(self, seconds: float | None) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(seconds)
        if timeout is None:
            if len(self._timeouts) > 64:  # noqa: PLR2004 - deadlines make many values
                self._timeouts.clear()
            timeout = self._timeouts[seconds] = aiohttp.ClientTimeout(total=seconds)
        return timeout

    async def _read(self, request: Request, resp: aiohttp.ClientResponse, started: float) -> bytes:
        """The whole body, or APIResponseValidationError once it passes the limit."""
        declared = resp.content_length
        if (
            declared is not None
            and declared <= self._max_body
            and not resp.headers.get("Content-Encoding")
        ):
            # Not compressed, so the body is the declared length, which aiohttp
            # never reads past: one await, no chunk loop. (A compressed body may
            # inflate far past it, so it is counted as it streams.)
            return await resp.read()
        chunks: list[bytes] = []
        size = 0
        if declared is None or declared <= self._max_body:
            async for chunk in resp.content.iter_any():
                chunks.append(chunk)
                size += len(chunk)
                if size > self._max_body:
                    break
            else:
                return b"".join(chunks)
        # Leaving the `async with` unread closes the connection instead of
        # draining the rest into a pooled one.
        _log(request, "too large", started)
        raise APIResponseValidationError(
            f"{request.method} {request.path}: the response body is larger than "
            f"{self._max_body} bytes" + (f" ({declared} declared)" if declared else ""),
            status=resp.status,
            body=body_text(b"".join(chunks)),
            method=request.method,
            path=request.path,
        )


def _attempt_timeout(request: Request, now: float) -> float | None:
    """The attempt's timeout, cut to what is left before the call's deadline.

    The retry middleware cuts it too, but the middlewares below it (the wait for a
    token, the request budget) may have spent part of that time since.
    """
    if request.deadline is None:
        return request.timeout
    remaining = request.deadline - now
    return remaining if request.timeout is None else min(request.timeout, remaining)


def _task_cancelled() -> bool:
    """Whether the running task itself is being cancelled (not a future it awaited)."""
    if sys.version_info >= (3, 11):
        task = asyncio.current_task()
        return task is not None and task.cancelling() > 0
    return False  # Python 3.10 cannot tell: take it as the session closing


def host_port(url: URL) -> str:
    """`host:port` of *url*, as a connection error names it (`[::1]:8080` for IPv6)."""
    host = url.host or ""
    return f"[{host}]:{url.port}" if ":" in host else f"{host}:{url.port}"


def page_note(request: Request) -> str:
    """ "page N, " for a listing's request, else "": what a log line adds for it."""
    page = request.params.get("page")
    return "" if page is None else f"page {page}, "


def _log(request: Request, outcome: object, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %s (%sattempt %d, %.3fs)",
            request.method,
            request.path,
            outcome,
            page_note(request),
            request.attempt + 1,
            time.monotonic() - started,
        )
