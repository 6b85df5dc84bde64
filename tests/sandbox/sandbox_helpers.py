"""Helpers for the sandbox's tests: a fake clock and a raw HTTP caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp

from vapay._signature import jakarta_date, token_signature
from vapay.sandbox import Sandbox

# 2025-09-21 10:00 WIB, a fixed instant for tests that control the clock.
NOW = dt.datetime(2025, 9, 21, 3, 0, tzinfo=dt.timezone.utc).timestamp()
NOW_MS = int(NOW * 1000)
DAY_MS = 86_400_000


class FakeClock:
    """A settable unix-seconds clock."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Api:
    """Raw HTTP against a sandbox: what a client sends, nothing more."""

    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.session = session

    def signature(self, now: float | None = None) -> str:
        """The v1.1 signature for the sandbox's clock (or *now*)."""
        when = self.sandbox.state.clock() if now is None else now
        date = jakarta_date(dt.datetime.fromtimestamp(when, dt.timezone.utc))
        sb = self.sandbox
        return token_signature(sb.client_id, sb.client_secret, date)

    def token_headers(self, **overrides: str) -> dict[str, str]:
        """Valid v1.1 token headers, with *overrides*."""
        headers = {
            "X-PARTNER-ID": self.sandbox.api_key,
            "X-CLIENT-ID": self.sandbox.client_id,
            "X-Signature": self.signature(),
        }
        return headers | overrides

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[int, Any]:
        """Send and return the status and the parsed JSON body."""
        url = self.sandbox.url + path
        async with self.session.request(method, url, headers=headers, **kwargs) as resp:
            return resp.status, await resp.json(content_type=None)

    async def token(self) -> str:
        """A fresh access token from the v1.1 endpoint."""
        status, body = await self.request(
            "POST",
            "/api/v1.1/access-token/b2b",
            headers=self.token_headers(),
            json={"grant_type": "client_credentials"},
        )
        assert status == 200, body
        return str(body["data"]["access_token"])

    async def auth_headers(self) -> dict[str, str]:
        """Headers of an authenticated API call, with a fresh token."""
        token = await self.token()
        return {"X-PARTNER-ID": self.sandbox.api_key, "Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """An authenticated API call (one token per call)."""
        return await self.request(method, path, headers=await self.auth_headers(), **kwargs)

    async def walk(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every item of a listing, page by page, until the last page."""
        headers = await self.auth_headers()
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            status, body = await self.request(
                "GET", path, headers=headers, params={**params, "page": str(page)}
            )
            assert status == 200, body
            items += body["data"]
            block = body.get("pagination") or body.get("meta")
            last = block.get("totalPages", block.get("total_pages"))
            if page >= last:
                return items
            page += 1
