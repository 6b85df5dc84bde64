"""The Client: configuration, the aiohttp session's lifecycle, and request -> model."""

from __future__ import annotations

import contextlib
import copy
import enum
import ipaddress
import math
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Final, TypeVar

import aiohttp
import attrs
from yarl import URL

from vapay._auth import (
    AuthMiddleware,
    ClientCredentialsTokenProvider,
    StaticToken,
    TokenEndpointVersion,
    TokenProvider,
)
from vapay._convert import DecodeError, structure, structure_page
from vapay._envelope import data_of, unwrap
from vapay._errors import APIResponseValidationError, VapayError
from vapay._models import Page
from vapay._pagination import AsyncPager, PageSource
from vapay._retry import RetryMiddleware, RetryPolicy
from vapay._transport import (
    AiohttpTransport,
    Middleware,
    Request,
    Response,
    body_text,
    build_chain,
)
from vapay._validate import check_header_token, check_int
from vapay._version import __version__

if TYPE_CHECKING:
    from vapay.resources.accounts import Accounts
    from vapay.resources.virtual_accounts import VirtualAccounts

T = TypeVar("T")

SANDBOX_URL: Final = "https://sandbox-payment-b2b.singapay.id"
PRODUCTION_URL: Final = "https://payment-b2b.singapay.id"

DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_CONNECTION_LIMIT: Final = 100


class _NotGiven(enum.Enum):
    NOT_GIVEN = enum.auto()


NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
"""Sentinel for "keep the client's setting", where None is a setting of its own."""


@attrs.frozen(kw_only=True)
class _Options:
    timeout: float | None
    max_retries: int
    deadline: float | None


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPEN = "open"
    CLOSED = "closed"


class _Session:
    """The aiohttp session, opened on first use; shared by `with_options` copies."""

    def __init__(self, borrowed: aiohttp.ClientSession | None, limit: int) -> None:
        self._borrowed = borrowed
        self._own: aiohttp.ClientSession | None = None
        self._limit = limit
        self.state = _State.UNOPENED

    def get(self) -> aiohttp.ClientSession:
        if self.state is _State.CLOSED:
            raise RuntimeError("Cannot send a request: the client has been closed.")
        self.state = _State.OPEN
        if self._borrowed is not None:
            return self._borrowed
        if self._own is None:
            self._own = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                raise_for_status=False,
            )
            # aiohttp resends a GET by itself when a kept-alive connection turns
            # out closed; that resend would escape max_retries, the backoff and
            # the logs. vapay's own retry decides instead. (A borrowed session is
            # the caller's and keeps its behaviour.)
            self._own._retry_connection = False  # noqa: SLF001
        return self._own

    async def close(self) -> None:
        self.state = _State.CLOSED
        own, self._own = self._own, None
        if own is not None:
            await own.close()


def _env(value: str | None, name: str) -> str | None:
    return value if value is not None else (os.environ.get(name) or None)


def _check_base_url(base_url: str, *, allow_insecure_http: bool) -> URL:
    url = URL(base_url.rstrip("/"))
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if url.query_string or url.fragment:
        raise ValueError("base_url must not have a query or a fragment")
    if url.user is not None or url.password is not None:
        # It would be shown in reprs and logs; credentials go in their own arguments.
        raise ValueError("base_url must not hold a user name or password")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ValueError(
            f"base_url {base_url!r} is plain http: credentials would cross the network "
            "unencrypted. Use https, or pass allow_insecure_http=True."
        )
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Client:
    """An async client of the virtual-account API.

    Open it with `async with vapay.Client() as client:`, or create it once and
    `await client.close()` at shutdown. One client is meant to be shared by every
    task of a process: it holds the connection pool and the access token.

    Args:
        api_key: sent as `X-PARTNER-ID`. Default: `VAPAY_API_KEY`.
        client_id: for the token endpoint. Default: `VAPAY_CLIENT_ID`.
        client_secret: for the token endpoint. Default: `VAPAY_CLIENT_SECRET`.
        base_url: default `VAPAY_BASE_URL`, else `vapay.SANDBOX_URL`. Production
            (`vapay.PRODUCTION_URL`) must be chosen on purpose.
        token: a bearer token string, or a `TokenProvider`, instead of client
            id and secret.
        token_endpoint: "v1.1" (signed, the default) or "v1.0" (Basic auth).
        timeout: seconds each attempt may take (connect, send, read), or None.
        max_retries: retries of a failed request where that is safe (see README).
        deadline: seconds a whole call may take, retries and waits included, or None.
        session: your own `aiohttp.ClientSession`; vapay uses it and never closes it.
        middlewares: your own middlewares, `async def mw(request, call_next)`,
            run for every attempt, inside retries and auth.
        connection_limit: connections the client's own session keeps at most.
        allow_insecure_http: allow a plain-http `base_url` that is not loopback.
        retry_policy: backoff and Retry-After limits.

    Raises:
        VapayError: credentials missing from both arguments and environment.
        ValueError: an unusable `base_url` or setting.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        base_url: str | None = None,
        token: str | TokenProvider | None = None,
        token_endpoint: TokenEndpointVersion = "v1.1",  # noqa: S107 - a version
        timeout: float | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = None,
        session: aiohttp.ClientSession | None = None,
        middlewares: Sequence[Middleware] = (),
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        allow_insecure_http: bool = False,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        api_key = _env(api_key, "VAPAY_API_KEY")
        client_id = _env(client_id, "VAPAY_CLIENT_ID")
        client_secret = _env(client_secret, "VAPAY_CLIENT_SECRET")
        missing = [("api_key", "VAPAY_API_KEY")] if not api_key else []
        if token is None:
            missing += [
                (arg, var)
                for arg, var, value in (
                    ("client_id", "VAPAY_CLIENT_ID", client_id),
                    ("client_secret", "VAPAY_CLIENT_SECRET", client_secret),
                )
                if not value
            ]
        if missing:
            raise VapayError(
                "Missing credentials: "
                + "; ".join(f"pass {arg}= or set {var}" for arg, var in missing)
                + "."
            )
        assert api_key is not None  # noqa: S101 - narrowed by the check above
        check_header_token(api_key, name="api_key")
        if token is None:
            check_header_token(client_id or "", name="client_id")
        if token_endpoint not in ("v1.1", "v1.0"):
            raise ValueError(f"token_endpoint must be 'v1.1' or 'v1.0', got {token_endpoint!r}")
        check_int(connection_limit, name="connection_limit", minimum=1)
        self._base_url = _check_base_url(
            _env(base_url, "VAPAY_BASE_URL") or SANDBOX_URL,
            allow_insecure_http=allow_insecure_http,
        )
        self._options = _options(timeout, max_retries, deadline)
        self._session = _Session(session, connection_limit)
        self._headers = {
            "X-PARTNER-ID": api_key,
            "Accept": "application/json",
            "User-Agent": f"vapay/{__version__} aiohttp/{aiohttp.__version__}",
        }
        transport = AiohttpTransport(self._session.get)
        retry = RetryMiddleware(retry_policy)
        if isinstance(token, str):
            provider: TokenProvider = StaticToken(token)
        elif isinstance(token, TokenProvider):
            provider = token
        elif token is not None:
            raise ValueError(
                "token must be a string or have `async def get_token(self, *, force=False)`"
            )
        else:
            provider = ClientCredentialsTokenProvider(
                api_key=api_key,
                client_id=client_id or "",
                client_secret=client_secret or "",
                base_url=self._base_url,
                send=build_chain([retry], transport),
                version=token_endpoint,
                timeout=timeout,
                max_retries=max_retries,
            )
        self.token_provider: TokenProvider = provider
        self._send = build_chain([retry, AuthMiddleware(provider), *middlewares], transport)

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return str(self._base_url)

    @cached_property
    def accounts(self) -> Accounts:
        """Sub-accounts: list, get, create, update_status."""
        from vapay.resources.accounts import Accounts  # noqa: PLC0415 - import cycle

        return Accounts(self)

    @cached_property
    def virtual_accounts(self) -> VirtualAccounts:
        """Virtual accounts: list, list_many."""
        from vapay.resources.virtual_accounts import VirtualAccounts  # noqa: PLC0415

        return VirtualAccounts(self)

    def with_options(
        self,
        *,
        timeout: float | _NotGiven | None = NOT_GIVEN,
        max_retries: int | _NotGiven = NOT_GIVEN,
        deadline: float | _NotGiven | None = NOT_GIVEN,
    ) -> Client:
        """A client for other per-call settings, sharing this one's connections and token.

        `await client.with_options(max_retries=5).accounts.get(id)`. Closing either
        closes both.
        """
        clone = copy.copy(self)
        for name in ("accounts", "virtual_accounts"):
            clone.__dict__.pop(name, None)
        clone._options = _options(  # noqa: SLF001 - a copy of this class
            self._options.timeout if timeout is NOT_GIVEN else timeout,
            self._options.max_retries if max_retries is NOT_GIVEN else max_retries,
            self._options.deadline if deadline is NOT_GIVEN else deadline,
        )
        return clone

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        idempotent: bool | None = None,
    ) -> object:
        """Call any endpoint and return the envelope's `data`, decoded JSON.

        For endpoints vapay does not wrap yet. *path* starts with `/api/`.
        *idempotent* (default: True for GET) says whether a request that may
        have reached the server can be sent again.
        """
        response = await self._call(method, path, params=params, json=json, idempotent=idempotent)
        return data_of(unwrap(response), response)

    async def _fetch(
        self,
        cls: type[T],
        method: str,
        path: str,
        *,
        json: object = None,
        idempotent: bool | None = None,
    ) -> T:
        response = await self._call(method, path, json=json, idempotent=idempotent)
        data = data_of(unwrap(response), response)
        with _decoding(response):
            return structure(data, cls)

    def _pager(
        self,
        cls: type[T],
        path: str,
        *,
        params: Mapping[str, str],
        page: int,
        concurrency: int,
        dedupe: bool,
        extra: Mapping[str, object] | None = None,
    ) -> AsyncPager[T]:
        source = self._page_source(cls, path, params=params, extra=extra)
        return AsyncPager(
            source.fetch,
            where=source.where,
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
        )

    def _page_source(
        self,
        cls: type[T],
        path: str,
        *,
        params: Mapping[str, str],
        extra: Mapping[str, object] | None = None,
    ) -> PageSource[T]:
        async def fetch(number: int) -> Page[T]:
            response = await self._call("GET", path, params={**params, "page": str(number)})
            envelope = unwrap(response)
            with _decoding(response):
                items, pagination = structure_page(envelope, cls, extra=extra)
            return Page(items=items, pagination=pagination, number=number)

        return PageSource(fetch, f"GET {path}")

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: object = None,
        idempotent: bool | None = None,
    ) -> Response:
        options = self._options
        request = Request(
            method=method,
            url=self._base_url.with_path(self._base_url.raw_path.rstrip("/") + path, encoded=True),
            params=params or {},
            json=json,
            headers=self._headers,
            idempotent=method == "GET" if idempotent is None else idempotent,
            timeout=options.timeout,
            max_retries=options.max_retries,
            deadline=None if options.deadline is None else time.monotonic() + options.deadline,
        )
        return await self._send(request)

    async def close(self) -> None:
        """Close the client's own session (a borrowed `session=` stays open)."""
        await self._session.close()

    async def __aenter__(self) -> Client:
        if self._session.state is _State.CLOSED:
            raise RuntimeError("Cannot open a client that has been closed.")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<vapay.Client base_url={str(self._base_url)!r} {self._session.state.value}>"


def _options(timeout: float | None, max_retries: int, deadline: float | None) -> _Options:
    check_int(max_retries, name="max_retries", minimum=0)
    for name, value in (("timeout", timeout), ("deadline", deadline)):
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a positive number of seconds or None, got {value!r}")
    return _Options(timeout=timeout, max_retries=max_retries, deadline=deadline)


@contextlib.contextmanager
def _decoding(response: Response) -> Iterator[None]:
    """Turn a DecodeError into an APIResponseValidationError naming the request."""
    try:
        yield
    except DecodeError as err:
        request = response.request
        raise APIResponseValidationError(
            f"{request.method} {request.path}: {err}",
            status=response.status,
            body=body_text(response.body),
        ) from err
