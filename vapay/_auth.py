"""Access tokens: what a token is, who provides one, and the middleware that uses it.

The default provider asks the access-token endpoint (v1.1 signed, or v1.0 Basic),
caches the token and asks again shortly before it expires; concurrent callers
share one request. The token request goes straight to the transport (through
retries, never through this middleware), so it cannot recurse into auth.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, Protocol, runtime_checkable

import attrs
from yarl import URL

from vapay._envelope import unwrap
from vapay._errors import APIResponseValidationError, APITimeoutError
from vapay._signature import jakarta_date, token_signature
from vapay._stores import MemoryTokenStore, TokenStore, token_key
from vapay._token import DEFAULT_REFRESH_MARGIN, Token, is_fresh
from vapay._token_sharing import LOCK_TTL_SLACK, Held, SharedToken
from vapay._transport import USER_AGENT, Handler, Request, Response
from vapay._validate import check_header_token, is_header_token

logger = logging.getLogger("vapay")

TokenEndpointVersion = Literal["v1.1", "v1.0"]

# The shared token request's bound, retries included, even when `timeout` is None:
# every caller waits on that one request, so a hung one must end by itself.
DEFAULT_TOKEN_TIMEOUT = 30.0


@runtime_checkable
class TokenProvider(Protocol):
    """Anything that hands out bearer tokens.

    `get_token(force=True)` is called after the API answered 401 with the
    current token: return a new one if you can (returning the same token makes
    the 401 final). It must be safe to call from many tasks at once.
    """

    async def get_token(self, *, force: bool = False) -> Token:
        """A token to send now."""
        ...


class StaticToken:
    """A token string you got elsewhere; it is never refreshed."""

    def __init__(self, access_token: str) -> None:
        check_header_token(access_token, name="token")
        self._token = Token(access_token=access_token)

    async def get_token(self, *, force: bool = False) -> Token:  # noqa: ARG002
        """The one token."""
        return self._token

    def __repr__(self) -> str:
        return "StaticToken(<hidden>)"


class ClientCredentialsTokenProvider:
    """Gets tokens from the access-token endpoint with client id and secret.

    Tokens are cached and refreshed `refresh_margin` seconds before they expire.
    However many tasks need a new token at once, one request is made; with a
    shared *store* (`vapay.RedisTokenStore`), however many processes do.

    Attributes:
        token_timeout: seconds the token request may take, retries included.
        token_requests: token requests this provider has made (not counting retries).
    """

    def __init__(
        self,
        *,
        api_key: str,
        client_id: str,
        client_secret: str,
        base_url: URL,
        send: Handler,
        version: TokenEndpointVersion = "v1.1",
        timeout: float | None = None,
        max_retries: int = 2,
        token_timeout: float = DEFAULT_TOKEN_TIMEOUT,
        store: TokenStore | None = None,
        margin: float = DEFAULT_REFRESH_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        today: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    ) -> None:
        self._api_key = api_key
        self._client_id = client_id
        self._client_secret = client_secret
        self._url = base_url.joinpath("api", version, "access-token", "b2b")
        self._send = send
        self._version = version
        self._timeout = timeout
        self._max_retries = max_retries
        self.token_timeout = token_timeout
        self.token_requests = 0
        self._margin = margin
        self._clock = clock
        self._today = today
        self._shared = SharedToken(
            store=MemoryTokenStore() if store is None else store,
            key=token_key(base_url, client_id, version),
            lock_ttl=token_timeout + LOCK_TTL_SLACK,
            margin=margin,
            clock=clock,
            wall_clock=wall_clock,
        )
        self._held: Held | None = None
        self._flight: asyncio.Future[Held] | None = None

    async def get_token(self, *, force: bool = False) -> Token:
        """The cached token, or a new one when it is stale or *force* is set.

        Every caller that needs a new token while one is being requested waits
        for that one request, and gets its token or its error: a failing token
        endpoint sees one request (with its retries), not one per waiting task.
        """
        held = self._held
        if not force and held is not None and self._fresh(held.token):
            return held.token
        flight = self._flight
        if flight is not None and flight.get_loop() is not asyncio.get_running_loop():
            # Left pending by a loop that was closed without finishing its tasks:
            # it will never land, and this loop cannot wait on it.
            flight.remove_done_callback(self._landed)
            self._flight = None
        if self._flight is None:
            self._flight = asyncio.ensure_future(
                self._shared.obtain(self._request_token, known=held, refused=force)
            )
            self._flight.add_done_callback(self._landed)
        # Shielded: a caller that is cancelled (or times out) leaves the request
        # running for the others.
        return (await asyncio.shield(self._flight)).token

    def _landed(self, flight: asyncio.Future[Held]) -> None:
        self._flight = None
        if not flight.cancelled() and flight.exception() is None:
            self._held = flight.result()

    def _fresh(self, token: Token) -> bool:
        return is_fresh(token, now=self._clock(), margin=self._margin)

    async def _request_token(self) -> Token:
        self.token_requests += 1
        # A deadline, not a timeout: it bounds the retries and their backoff too.
        request = attrs.evolve(self.token_request(), deadline=time.monotonic() + self.token_timeout)
        try:
            response = await self._send(request)
        except APIResponseValidationError as err:
            # The transport quotes the start of a body it refuses (one too large):
            # here that is the token.
            hidden = _hidden_error(err.status, err.message)
        else:
            token = parse_token_response(response, issued_at=self._clock())
            logger.info(
                "access token %s (%s %s, expires in %ss)",
                "obtained" if self._held is None else "refreshed",
                response.request.method,
                response.request.path,
                "?" if token.expires_in is None else f"{token.expires_in:g}",
            )
            return token
        raise hidden

    def token_request(self) -> Request:
        """The request for a new token (a new signature each day)."""
        headers = {
            "X-PARTNER-ID": self._api_key,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if self._version == "v1.1":
            headers["X-CLIENT-ID"] = self._client_id
            headers["X-Signature"] = token_signature(
                self._client_id, self._client_secret, jakarta_date(self._today())
            )
        else:
            basic = f"{self._client_id}:{self._client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(basic).decode()
        return Request(
            method="POST",
            url=self._url,
            json={"grant_type": "client_credentials"},
            headers=headers,
            # A second token request is harmless: it only mints another token.
            idempotent=True,
            timeout=self._timeout,
            max_retries=self._max_retries,
        )

    def __repr__(self) -> str:
        return f"ClientCredentialsTokenProvider(version={self._version!r}, url={str(self._url)!r})"


def parse_token_response(response: Response, *, issued_at: float) -> Token:
    """The token in an access-token answer (enveloped, or the flat form some hosts use).

    A successful answer holds a secret, so no error about it quotes its body.

    Raises:
        AuthenticationError, PermissionDeniedError, APIStatusError: the endpoint said no.
        APIResponseValidationError: no usable token in the answer.
    """
    where = f"{response.request.method} {response.request.path}"
    envelope: Mapping[str, object] | None
    try:
        envelope = unwrap(response)
    except APIResponseValidationError:
        # Raised outside this block: an error raised in it would keep unwrap's,
        # which quotes the body (and so the token), as its __context__.
        envelope = None
    if envelope is None:
        raise _hidden(response, f"{where}: the token answer is not a JSON object")
    if "access_token" not in envelope and "data" not in envelope:
        raise _hidden(response, f"{where}: required field missing @ $.data")
    data = envelope if "access_token" in envelope else envelope["data"]
    if not isinstance(data, dict):
        raise _hidden(response, f"{where}: expected an object @ $.data")
    access_token = data.get("access_token")
    expires_in = _seconds(data.get("expires_in"))
    if not isinstance(access_token, str) or not is_header_token(access_token):
        raise _hidden(response, f"{where}: expected a token of visible ASCII @ $.data.access_token")
    if expires_in is False:
        raise _hidden(
            response, f"{where}: expected a positive number of seconds @ $.data.expires_in"
        )
    token_type = data.get("token_type")
    return Token(
        access_token=access_token,
        token_type=token_type if isinstance(token_type, str) else "Bearer",
        expires_in=expires_in,
        issued_at=issued_at,
    )


def _hidden(response: Response, message: str) -> APIResponseValidationError:
    return _hidden_error(response.status, message)


def _hidden_error(status: int, message: str) -> APIResponseValidationError:
    return APIResponseValidationError(message, status=status, body="<token answer hidden>")


def _seconds(value: object) -> float | Literal[False] | None:
    """`expires_in` as seconds: None when absent, False when unusable."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return False
    try:
        seconds = float(value)
    except (ValueError, OverflowError):  # OverflowError: an integer past any float
        return False
    return seconds if math.isfinite(seconds) and seconds > 0 else False


class AuthMiddleware:
    """Sends `Authorization: Bearer`; on a 401, gets a new token and replays once."""

    def __init__(self, provider: TokenProvider) -> None:
        self._provider = provider
        # The last headers given a token, and the result: requests of one client
        # view share one headers mapping, so it is merged once per token, not
        # once per request.
        self._merged: tuple[Mapping[str, str], str, Mapping[str, str]] | None = None

    async def __call__(self, request: Request, call_next: Handler) -> Response:
        """Send *request* with a token, replaying it once with a new one after a 401."""
        token = await self._token(request)
        response = await call_next(self._authorized(request, token))
        if response.status != 401:  # noqa: PLR2004
            return response
        # Another task may have replaced the refused token already; only force a
        # new one when the provider still hands out the token that was refused.
        fresh = await self._token(request)
        if fresh.access_token == token.access_token:
            fresh = await self._token(request, force=True)
        if fresh.access_token == token.access_token:
            return response  # nothing new to try: the 401 stands
        return await call_next(self._authorized(request, fresh))

    async def _token(self, request: Request, *, force: bool = False) -> Token:
        """A token from the provider, within the call's deadline when it has one."""
        if request.deadline is None:
            return await self._provider.get_token(force=force)
        remaining = max(0.0, request.deadline - time.monotonic())
        try:
            return await asyncio.wait_for(self._provider.get_token(force=force), remaining)
        except asyncio.TimeoutError:
            raise APITimeoutError(
                f"{request.method} {request.path}: the deadline passed waiting for a token",
                method=request.method,
                path=request.path,
                # Not sent: a create that timed out here surely opened nothing.
                may_have_reached_server=False,
            ) from None

    def _authorized(self, request: Request, token: Token) -> Request:
        merged = self._merged
        if merged is None or merged[0] is not request.headers or merged[1] != token.access_token:
            # Read-only: every request of the view shares it.
            headers = MappingProxyType(
                {**request.headers, "Authorization": f"Bearer {token.access_token}"}
            )
            merged = self._merged = (request.headers, token.access_token, headers)
        return request.replace_headers(merged[2])
