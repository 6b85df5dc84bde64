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
from vapay._transport import Handler, Request, Response
from vapay._validate import check_header_token, is_header_token

TokenEndpointVersion = Literal["v1.1", "v1.0"]

# Peers refresh 60 s before expiry; a short-lived token gets at most half its life.
DEFAULT_REFRESH_MARGIN = 60.0


@attrs.frozen(kw_only=True)
class Token:
    """A bearer token.

    Attributes:
        access_token: the secret itself (never shown in `repr`).
        token_type: "Bearer".
        expires_in: its lifetime in seconds when issued, or None when unknown
            (then it is used until the API answers 401).
        issued_at: `time.monotonic()` when it was received.
    """

    access_token: str = attrs.field(repr=False)
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: float | None = None
    issued_at: float = 0.0


def refresh_margin(expires_in: float, preferred: float = DEFAULT_REFRESH_MARGIN) -> float:
    """How long before expiry to refresh: *preferred*, but never over half the life."""
    return min(preferred, expires_in / 2)


def is_fresh(token: Token, *, now: float, margin: float = DEFAULT_REFRESH_MARGIN) -> bool:
    """Whether *token* may still be used at monotonic time *now*."""
    if token.expires_in is None:
        return True
    return now < token.issued_at + token.expires_in - refresh_margin(token.expires_in, margin)


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
    However many tasks need a new token at once, one request is made.
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
        margin: float = DEFAULT_REFRESH_MARGIN,
        clock: Callable[[], float] = time.monotonic,
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
        self._margin = margin
        self._clock = clock
        self._today = today
        self._token: Token | None = None
        self._flight: asyncio.Future[Token] | None = None

    async def get_token(self, *, force: bool = False) -> Token:
        """The cached token, or a new one when it is stale or *force* is set.

        Every caller that needs a new token while one is being requested waits
        for that one request, and gets its token or its error: a failing token
        endpoint sees one request (with its retries), not one per waiting task.
        """
        token = self._token
        if not force and token is not None and self._fresh(token):
            return token
        if self._flight is None:
            self._flight = asyncio.ensure_future(self._request_token())
            self._flight.add_done_callback(self._landed)
        # Shielded: a caller that is cancelled (or times out) leaves the request
        # running for the others.
        return await asyncio.shield(self._flight)

    def _landed(self, flight: asyncio.Future[Token]) -> None:
        self._flight = None
        if not flight.cancelled() and flight.exception() is None:
            self._token = flight.result()

    def _fresh(self, token: Token) -> bool:
        return is_fresh(token, now=self._clock(), margin=self._margin)

    async def _request_token(self) -> Token:
        response = await self._send(self.token_request())
        return parse_token_response(response, issued_at=self._clock())

    def token_request(self) -> Request:
        """The request for a new token (a new signature each day)."""
        headers = {"X-PARTNER-ID": self._api_key, "Accept": "application/json"}
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
    return APIResponseValidationError(message, status=response.status, body="<token answer hidden>")


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
                f"{request.method} {request.path}: the deadline passed waiting for a token"
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
