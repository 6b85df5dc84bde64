"""What resources send requests through: a client's chain, base URL, headers and options.

One `Api` per client view: `Client.with_options()` makes a new one with other
options, and every resource built from it uses them. Resources call the verbs of
`vapay.resources._base.Resource`, which call this; nothing else reaches into the
client.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TypeVar

import attrs
from yarl import URL

from vapay._capture import active as active_captures
from vapay._capture import send_captured
from vapay._convert import DecodeError, structure, structure_page
from vapay._envelope import data_of, malformed, unwrap
from vapay._errors import APIResponseValidationError
from vapay._models import Page
from vapay._pagination import PageSource
from vapay._transport import Handler, Request, Response
from vapay._validate import check_header_token, check_int

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Options:
    """Per-call settings of a client view (see `Client.with_options`)."""

    timeout: float | None
    max_retries: int
    deadline: float | None
    headers: Mapping[str, str] = attrs.field(factory=dict)


def make_options(
    timeout: float | None,
    max_retries: int,
    deadline: float | None,
    headers: Mapping[str, str],
) -> Options:
    """Checked `Options`.

    Raises:
        ValueError: a negative or non-integer *max_retries*, a timeout or deadline
            that is not a positive finite number, a header that cannot be sent.
    """
    check_int(max_retries, name="max_retries", minimum=0)
    for name, value in (("timeout", timeout), ("deadline", deadline)):
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a positive number of seconds or None, got {value!r}")
    for header, text in headers.items():
        check_header_token(header, name="a header name")
        if not _is_header_value(text):
            raise ValueError(
                f"the value of header {header!r} must be a string without control characters"
            )
    return Options(
        timeout=timeout, max_retries=max_retries, deadline=deadline, headers=dict(headers)
    )


def _is_header_value(text: object) -> bool:
    # A control character (a newline above all) would split the header.
    return isinstance(text, str) and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)  # noqa: PLR2004


@attrs.define(kw_only=True)
class Discoveries:
    """What a client has learnt about the server it talks to, shared by its views.

    Attributes:
        status_route: which account status route answers ("seed" or "live"), once known.
    """

    status_route: str | None = None


@attrs.frozen(kw_only=True)
class Api:
    """Sends requests for resources and decodes the answers into models."""

    send: Handler
    base_url: URL
    headers: Mapping[str, str]
    options: Options
    discoveries: Discoveries
    make_room: Callable[[int], None] = lambda _: None
    """Lets n requests be in flight on the client's connections (a listing's concurrency)."""

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        idempotent: bool | None = None,
    ) -> Response:
        """Send one call (with its retries) and return the answer, whatever its status."""
        return await self.dispatch(self.request(method, self.url(path), params, json, idempotent))

    def url(self, path: str) -> URL:
        """The absolute URL of *path* (already quoted) under the base URL."""
        return self.base_url.with_path(self.base_url.raw_path.rstrip("/") + path, encoded=True)

    def request(
        self,
        method: str,
        url: URL,
        params: Mapping[str, str] | None,
        json: object,
        idempotent: bool | None,
    ) -> Request:
        """The `Request` of one call with this view's headers and options."""
        options = self.options
        return Request(
            method=method,
            url=url,
            params=params or {},
            json=json,
            headers={**self.headers, **options.headers} if options.headers else self.headers,
            idempotent=method == "GET" if idempotent is None else idempotent,
            timeout=options.timeout,
            max_retries=options.max_retries,
            deadline=None if options.deadline is None else time.monotonic() + options.deadline,
        )

    def dispatch(self, request: Request) -> Awaitable[Response]:
        """Send *request*, recorded by every `capture_responses()` block it runs in."""
        captures = active_captures()
        if captures:
            return send_captured(self.send, request, captures)
        return self.send(request)

    async def data(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        idempotent: bool | None = None,
    ) -> object:
        """The `data` of a successful answer, as decoded JSON; an error answer raises."""
        response = await self.call(method, path, params=params, json=json, idempotent=idempotent)
        return data_of(unwrap(response), response)

    async def fetch(
        self,
        cls: type[T],
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        idempotent: bool | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> T:
        """The answer's `data` as a *cls*, its fields named in *extra* set to their values."""
        response = await self.call(method, path, params=params, json=json, idempotent=idempotent)
        data = data_of(unwrap(response), response)
        if extra and isinstance(data, dict):
            data = {**data, **extra}
        with decoding(response):
            return structure(data, cls)

    def page_source(
        self,
        cls: type[T],
        path: str,
        *,
        params: Mapping[str, str],
        extra: Mapping[str, object] | None = None,
    ) -> PageSource[T]:
        """How to fetch page n of a listing of *cls* items (in two steps, see PageSource)."""
        url = self.url(path)  # once per listing, not once per page

        def send(number: int) -> Awaitable[Response]:
            return self.dispatch(
                self.request("GET", url, {**params, "page": str(number)}, None, None)
            )

        def decode(response: object, number: int) -> Page[T]:
            assert isinstance(response, Response)  # noqa: S101 - what `send` gives
            envelope = unwrap(response)
            try:  # not `with decoding(...)`: no context manager per page
                items, pagination = structure_page(envelope, cls, extra=extra)
            except DecodeError as err:
                raise decode_error(response, err) from err
            return Page(items=items, pagination=pagination, number=number)

        async def fetch(number: int) -> Page[T]:
            return decode(await send(number), number)

        return PageSource(fetch, f"GET {path}", send=send, decode=decode)


@contextlib.contextmanager
def decoding(response: Response) -> Iterator[None]:
    """Turn a DecodeError into an APIResponseValidationError naming the request."""
    try:
        yield
    except DecodeError as err:
        raise decode_error(response, err) from err


def decode_error(response: Response, err: DecodeError) -> APIResponseValidationError:
    """*err*, met decoding *response*, as the error naming the request."""
    return malformed(response, str(err))
