"""The Client: configuration, the aiohttp session's lifecycle, and request -> model."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import enum
import ipaddress
import logging
import os
from collections.abc import AsyncGenerator, Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Final

import aiohttp
import attrs
from yarl import URL

from vapay._api import Api, Discoveries, make_options
from vapay._auth import (
    DEFAULT_TOKEN_TIMEOUT,
    AuthMiddleware,
    ClientCredentialsTokenProvider,
    StaticToken,
    TokenEndpointVersion,
    TokenProvider,
)
from vapay._budget import BudgetMiddleware, RequestBudget
from vapay._errors import VapayError
from vapay._retry import RetryMiddleware, RetryPolicy
from vapay._stores import TokenStore
from vapay._transport import USER_AGENT, AiohttpTransport, Middleware, build_chain
from vapay._validate import check_header_token, check_int, check_positive

if TYPE_CHECKING:
    from vapay.resources.accounts import Accounts
    from vapay.resources.balance import Balance
    from vapay.resources.va_transactions import VATransactions
    from vapay.resources.virtual_accounts import VirtualAccounts

SANDBOX_URL: Final = "https://sandbox-payment-b2b.singapay.id"
PRODUCTION_URL: Final = "https://payment-b2b.singapay.id"

DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_CONNECTION_LIMIT: Final = 100
# Added to a failed connection's text when the host came from no setting.
_DEFAULT_HOST_HINT = (
    " (VAPAY_BASE_URL is not set, so vapay tried its default, the vendor's sandbox: "
    "set VAPAY_BASE_URL or pass base_url=)"
)

logger = logging.getLogger("vapay")


class _NotGiven(enum.Enum):
    NOT_GIVEN = enum.auto()


NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
"""Sentinel for "keep the client's setting", where None is a setting of its own."""


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPEN = "open"
    CLOSED = "closed"


_OTHER_LOOP = (
    "This vapay.Client opened its connections in another event loop, which is still "
    "running; aiohttp cannot share them between loops. Create one client per event "
    "loop (for example inside the coroutine you pass to asyncio.run())."
)


class _Session:
    """The aiohttp session, opened on first use; shared by `with_options` copies.

    The client's own session belongs to the event loop that opened it. It is
    closed when that loop shuts down its async generators (as `asyncio.run()`
    does on its way out), so a client used again under a later `asyncio.run()`
    opens a new session there, and none is left unclosed. Using the client from
    another loop while the first one still runs is a RuntimeError.
    """

    def __init__(self, borrowed: aiohttp.ClientSession | None, limit: int) -> None:
        self._borrowed = borrowed
        self._own: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closer: AsyncGenerator[None, None] | None = None
        self._limit = limit
        self._warned = False
        self.state = _State.UNOPENED

    def make_room(self, requests: int) -> None:
        """Let *requests* requests be in flight at once (a listing's `concurrency`).

        The client's own pool grows to it and stays there (never silently capping a
        listing at `connection_limit`); a borrowed session's pool is its owner's to
        size, so a smaller one is said once, in a warning.
        """
        if self._borrowed is not None:
            connector = self._borrowed.connector
            limit = connector.limit if connector is not None else 0
            if limit and requests > limit and not self._warned:
                self._warned = True
                logger.warning(
                    "concurrency=%d asks for more requests in flight than the %d "
                    "connections of the session passed as session=; at most %d will run "
                    "at once (give its TCPConnector a larger limit)",
                    requests,
                    limit,
                    limit,
                )
            return
        if requests <= self._limit:
            return
        self._limit = requests
        if self._own is not None and self._own.connector is not None:
            # aiohttp has no setter; its connector reads `_limit` on every acquire.
            self._own.connector._limit = requests  # noqa: SLF001

    def get(self) -> aiohttp.ClientSession:
        if self.state is _State.CLOSED:
            raise RuntimeError("Cannot send a request: the client has been closed.")
        self.state = _State.OPEN
        if self._borrowed is not None:
            return self._borrowed
        own = self._own
        if own is not None and self._loop is asyncio.get_running_loop():
            return own
        return self._open()

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._loop is not None and not self._loop.is_closed():
            raise RuntimeError(_OTHER_LOOP)
        # An earlier loop closed without closing its async generators: its session
        # can no longer be closed; start afresh in this loop.
        own = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._limit),
            raise_for_status=False,
        )
        # aiohttp resends a GET by itself when a kept-alive connection turns
        # out closed; that resend would escape max_retries, the backoff and
        # the logs. vapay's own retry decides instead. (A borrowed session is
        # the caller's and keeps its behaviour.)
        own._retry_connection = False  # noqa: SLF001
        self._own, self._loop = own, loop
        # Started by hand, this async generator is registered with the running
        # loop (its first-iteration hook), whose shutdown_asyncgens() then
        # closes it, and with it the session, before the loop closes.
        self._closer = self._close_at_loop_end(own)
        with contextlib.suppress(StopIteration):
            self._closer.asend(None).send(None)
        return own

    async def _close_at_loop_end(self, own: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if self._own is own:
                self._own = self._loop = self._closer = None
            await own.close()

    async def close(self) -> None:
        self.state = _State.CLOSED
        closer, loop = self._closer, self._loop
        self._own = self._loop = self._closer = None
        if closer is not None and loop is not None and not loop.is_closed():
            await closer.aclose()


def _env(value: str | None, name: str) -> str | None:
    return value if value is not None else (os.environ.get(name) or None)


def _check_base_url(base_url: str, *, allow_insecure_http: bool) -> URL:
    if "@" in base_url:
        # Userinfo (`user:password@`), whatever the scheme or its absence: checked
        # first and never echoed, since every later message quotes base_url.
        raise ValueError("base_url must not hold a user name or password")
    try:
        url = URL(base_url.rstrip("/"))
    except ValueError:
        url = URL()
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if url.query_string or url.fragment:
        raise ValueError("base_url must not have a query or a fragment")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ValueError(
            f"base_url {base_url!r} is plain http: credentials would cross the network "
            "unencrypted. Use https, or pass allow_insecure_http=True."
        )
    return url


def _check_fleet_options(
    token: object, token_store: object | None, rate_limit: object | None
) -> None:
    if token_store is not None and token is not None:
        raise ValueError("token_store keeps the tokens of client_id/client_secret, not token=")
    if token_store is not None and not isinstance(token_store, TokenStore):
        raise ValueError("token_store must be a vapay.TokenStore, e.g. vapay.RedisTokenStore")
    if rate_limit is not None and not isinstance(rate_limit, RequestBudget):
        raise ValueError(
            "rate_limit must have `acquire(timeout=)` and `pause(seconds)`, "
            "e.g. vapay.RateLimit(per_second=50)"
        )


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
        token_timeout: seconds the shared token request may take, retries
            included (it is bounded even when `timeout` is None).
        session: your own `aiohttp.ClientSession`; vapay uses it and never closes it.
        middlewares: your own middlewares, `async def mw(request, call_next)`,
            run for every attempt, inside retries and auth.
        connection_limit: connections the client's own session keeps at most; a
            listing with a larger `concurrency` raises it to that.
        allow_insecure_http: allow a plain-http `base_url` that is not loopback.
        retry_policy: backoff and Retry-After limits.
        token_store: where the default provider keeps its token:
            `vapay.MemoryTokenStore()` (the default) or `vapay.RedisTokenStore(redis)`
            to share one token between processes.
        rate_limit: a request budget every attempt (token requests included)
            takes a slot of: `vapay.RateLimit(per_second=...)` in this process,
            `vapay.RedisRateLimit(redis, per_second=...)` across processes.

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
        token_timeout: float = DEFAULT_TOKEN_TIMEOUT,
        session: aiohttp.ClientSession | None = None,
        middlewares: Sequence[Middleware] = (),
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        allow_insecure_http: bool = False,
        retry_policy: RetryPolicy | None = None,
        token_store: TokenStore | None = None,
        rate_limit: RequestBudget | None = None,
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
        check_positive(token_timeout, name="token_timeout")
        chosen_url = _env(base_url, "VAPAY_BASE_URL")
        base = _check_base_url(chosen_url or SANDBOX_URL, allow_insecure_http=allow_insecure_http)
        _check_fleet_options(token, token_store, rate_limit)
        self._session = _Session(session, connection_limit)
        self._is_view = False
        transport = AiohttpTransport(
            self._session.get, connect_hint="" if chosen_url else _DEFAULT_HOST_HINT
        )
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ValueError(f"retry_policy must be a vapay.RetryPolicy, got {retry_policy!r:.40}")
        retry = RetryMiddleware(retry_policy)
        # Innermost, next to the transport: every attempt takes a slot, and the time
        # spent waiting for one counts against the deadline like any other wait.
        budget: list[Middleware] = [] if rate_limit is None else [BudgetMiddleware(rate_limit)]
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
                base_url=base,
                send=build_chain([retry, *budget], transport),
                version=token_endpoint,
                timeout=timeout,
                max_retries=max_retries,
                token_timeout=token_timeout,
                store=token_store,
            )
        self.token_provider: TokenProvider = provider
        self._api = Api(
            send=build_chain([retry, AuthMiddleware(provider), *middlewares, *budget], transport),
            base_url=base,
            headers={
                "X-PARTNER-ID": api_key,
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
            options=make_options(timeout, max_retries, deadline, {}),
            discoveries=Discoveries(),
            make_room=self._session.make_room,
        )

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return str(self._api.base_url)

    # Every resource is a cached_property built from `self._api`; `with_options`
    # finds them by that, so a resource added here gets the view's options too.

    @cached_property
    def accounts(self) -> Accounts:
        """Sub-accounts: list, get, create, update_status."""
        from vapay.resources.accounts import Accounts  # noqa: PLC0415 - import cycle

        return Accounts(self._api)

    @cached_property
    def virtual_accounts(self) -> VirtualAccounts:
        """Virtual accounts: create, get, update, delete, list, list_many."""
        from vapay.resources.virtual_accounts import VirtualAccounts  # noqa: PLC0415

        return VirtualAccounts(self._api)

    @cached_property
    def va_transactions(self) -> VATransactions:
        """Payments into virtual accounts: list, list_by_va_number, get, list_many."""
        from vapay.resources.va_transactions import VATransactions  # noqa: PLC0415

        return VATransactions(self._api)

    @cached_property
    def balance(self) -> Balance:
        """Balances: get (the merchant's, or a sub-account's)."""
        from vapay.resources.balance import Balance  # noqa: PLC0415

        return Balance(self._api)

    def with_options(
        self,
        *,
        timeout: float | _NotGiven | None = NOT_GIVEN,
        max_retries: int | _NotGiven = NOT_GIVEN,
        deadline: float | _NotGiven | None = NOT_GIVEN,
        headers: Mapping[str, str] | _NotGiven = NOT_GIVEN,
    ) -> Client:
        """A view of this client with other per-call settings.

        `await client.with_options(timeout=5, max_retries=0).accounts.get(id)`. The
        view shares this client's connections and token; settings not given are
        kept. *headers* are added to every request of the view (on top of any the
        client's view already adds). Closing a view does nothing: close the client.

        Raises:
            ValueError: a setting out of range, or a header that cannot be sent.
        """
        options = self._api.options
        view = copy.copy(self)
        for name in _RESOURCES:
            view.__dict__.pop(name, None)
        view._is_view = True  # noqa: SLF001 - a copy of this class
        view._api = attrs.evolve(  # noqa: SLF001
            self._api,
            options=make_options(
                options.timeout if timeout is NOT_GIVEN else timeout,
                options.max_retries if max_retries is NOT_GIVEN else max_retries,
                options.deadline if deadline is NOT_GIVEN else deadline,
                options.headers if headers is NOT_GIVEN else {**options.headers, **headers},
            ),
        )
        return view

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

        For endpoints vapay does not wrap yet. *path* starts with `/api/`; *json*
        may hold `Decimal` amounts (sent with their exact digits). *idempotent*
        (default: True for GET) says whether a request that may have reached the
        server can be sent again.
        """
        return await self._api.data(method, path, params=params, json=json, idempotent=idempotent)

    async def close(self) -> None:
        """Close the client's own session (a borrowed `session=` stays open).

        On a `with_options()` view this does nothing: the client it came from
        owns the connections.
        """
        if not self._is_view:
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
        view = " view" if self._is_view else ""
        return f"<vapay.Client{view} base_url={self.base_url!r} {self._session.state.value}>"


_RESOURCES = tuple(
    name for name, value in vars(Client).items() if isinstance(value, cached_property)
)
