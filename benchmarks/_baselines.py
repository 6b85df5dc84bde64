"""The two hand-written baselines vapay is measured against, on the same pages.

- raw: aiohttp GET + stdlib `json.loads`, counting items: no models at all, the
  limit set by the transport and the parser.
- hand: raw + the same `vapay.VirtualAccount` / `vapay.Money` objects, built by a
  hand-written loop doing the same normalizations as vapay's converter (str ids,
  exact Decimal amounts, aware datetimes from unix ms, enum member or plain
  string): the best a user could write for this wire format.

Both walk pages `first_page..last page` of one account's listing, sequentially or
with `concurrency` requests in flight once the first page has told the total.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import aiohttp

from vapay import Money, VirtualAccount, VirtualAccountKind, VirtualAccountStatus

R = TypeVar("R")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_STATUS = {member.value: member for member in VirtualAccountStatus}
_KIND = {member.value: member for member in VirtualAccountKind}


@dataclass(frozen=True)
class Listing:
    """The pages every contender lists: one account's VAs of one kind.

    Attributes:
        base_url: the sandbox's URL.
        account_id: the account whose virtual accounts are listed.
        kind: the `kind` query parameter.
        per_page: items per page (the `per_page` query parameter).
        first_page: the page the walk starts at; it ends at the listing's last page.
        items: how many items the walk yields.
    """

    base_url: str
    account_id: str
    kind: str
    per_page: int
    first_page: int
    items: int

    @property
    def url(self) -> str:
        """The list endpoint of the account."""
        return f"{self.base_url}/api/v1.0/virtual-accounts/{self.account_id}"

    def params(self, page: int) -> dict[str, str]:
        """The query of one page, as vapay sends it."""
        return {"kind": self.kind, "per_page": str(self.per_page), "page": str(page)}


def auth_headers(api_key: str, token: str) -> dict[str, str]:
    """The headers of an authenticated API call (the token comes from vapay's provider)."""
    return {
        "X-PARTNER-ID": api_key,
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
    }


async def get_body(
    session: aiohttp.ClientSession, listing: Listing, headers: Mapping[str, str], page: int
) -> bytes:
    """The body of one page, read in full; raises on a non-200 answer."""
    async with session.get(listing.url, params=listing.params(page), headers=headers) as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"page {page}: HTTP {resp.status}: {body[:200]!r}")
        return body


def last_page(envelope: Mapping[str, Any]) -> int:
    """`totalPages` of the sandbox's (seed-format) pagination block."""
    block = envelope.get("pagination") or envelope["meta"]
    return int(block.get("totalPages", block.get("total_pages")))


# Decoding, by hand.


def _decimal(value: object) -> Decimal:
    # repr() of a float is its shortest round-trip text: 99000.5, not its binary expansion.
    return Decimal(repr(value)) if type(value) is float else Decimal(value)  # type: ignore[arg-type]


def hand_item(item: Mapping[str, Any], account_id: str) -> VirtualAccount:
    """One wire item as a `VirtualAccount`, the way a user would write it."""
    amount = item["amount"]
    status = item["status"]
    kind = item.get("kind")
    bank_code = item.get("bank_code")
    created_at = item.get("created_at")
    return VirtualAccount(
        id=str(item["id"]),
        number=str(item["number"]),
        amount=Money(value=_decimal(amount["value"]), currency=amount.get("currency")),
        status=_STATUS.get(status, status),
        kind=None if kind is None else _KIND.get(kind, kind),
        account_id=account_id,
        bank_code=None if bank_code is None else str(bank_code),
        created_at=None
        if created_at is None
        else _EPOCH + dt.timedelta(milliseconds=int(created_at)),
    )


def hand_items(envelope: Mapping[str, Any], account_id: str) -> list[VirtualAccount]:
    """Every item of a page, decoded by hand."""
    return [hand_item(item, account_id) for item in envelope["data"]]


# Walking the pages.

PageHandler = Callable[[Mapping[str, Any]], R]


async def walk_sequential(
    session: aiohttp.ClientSession,
    listing: Listing,
    headers: Mapping[str, str],
    on_page: PageHandler[R],
) -> list[R]:
    """`on_page(envelope)` of every page, one request at a time."""
    results: list[R] = []
    page = listing.first_page
    while True:
        envelope = json.loads(await get_body(session, listing, headers, page))
        results.append(on_page(envelope))
        if page >= last_page(envelope):
            return results
        page += 1


async def walk_concurrent(
    session: aiohttp.ClientSession,
    listing: Listing,
    headers: Mapping[str, str],
    on_page: PageHandler[R],
    concurrency: int,
) -> list[R]:
    """`on_page(envelope)` of every page, in page order, *concurrency* requests at a time."""
    first = json.loads(await get_body(session, listing, headers, listing.first_page))
    gate = asyncio.Semaphore(concurrency)

    async def one(page: int) -> R:
        async with gate:
            body = await get_body(session, listing, headers, page)
        return on_page(json.loads(body))

    rest = range(listing.first_page + 1, last_page(first) + 1)
    return [on_page(first), *await asyncio.gather(*(one(page) for page in rest))]


Walker = Callable[[PageHandler[Any]], Awaitable[list[Any]]]


def _count(envelope: Mapping[str, Any]) -> int:
    return len(envelope["data"])


async def raw(walk: Walker) -> int:
    """The raw baseline: how many items the pages hold, no models."""
    return sum(await walk(_count))


async def hand(walk: Walker, account_id: str) -> list[VirtualAccount]:
    """The hand baseline: every item, as vapay's models, built by hand."""
    pages = await walk(lambda envelope: hand_items(envelope, account_id))
    return [item for page in pages for item in page]
