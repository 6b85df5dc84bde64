"""What every resource shares: the verbs it sends requests with, and its listings.

A resource method is a path, its checked parameters and a model: it calls
`self._get` / `_post` / `_put` / `_patch` / `_delete` / `_list` / `_list_many`
and knows nothing of HTTP, retries or JSON. Which verbs may be sent twice is
decided here, once, as DESIGN.md fixes it.
"""

from __future__ import annotations

import operator
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Hashable, Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, TypeVar

from vapay._envelope import unwrap
from vapay._fanout import fan_out
from vapay._pagination import AsyncPager, PageSource

if TYPE_CHECKING:
    from vapay._api import Api

T = TypeVar("T")
K = TypeVar("K")

by_id: Callable[[object], Hashable] = operator.attrgetter("id")
"""A model's identity, for `dedupe=` and the walk's checks: its `id` (one C call a
item, where every page's items are keyed)."""


class Resource:
    """A group of endpoints, sending through the `Api` of the client view that built it."""

    def __init__(self, api: Api) -> None:
        self._api = api

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._api.base_url}>"

    async def _get(
        self,
        cls: type[T],
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> T:
        return await self._api.fetch(cls, "GET", path, params=params, extra=extra)

    async def _post(
        self, cls: type[T], path: str, *, json: object, extra: Mapping[str, object] | None = None
    ) -> T:
        # A create: replayed only when it surely never reached the server.
        return await self._api.fetch(cls, "POST", path, json=json, idempotent=False, extra=extra)

    async def _put(
        self, cls: type[T], path: str, *, json: object, extra: Mapping[str, object] | None = None
    ) -> T:
        # A full replace sets absolute values: sending it twice is harmless.
        return await self._api.fetch(cls, "PUT", path, json=json, idempotent=True, extra=extra)

    async def _patch(
        self, cls: type[T], path: str, *, json: object, extra: Mapping[str, object] | None = None
    ) -> T:
        # Only absolute values are patched (a status): sending it twice is harmless.
        return await self._api.fetch(cls, "PATCH", path, json=json, idempotent=True, extra=extra)

    async def _delete(self, path: str) -> None:
        """Delete; a 404 after an attempt that may have arrived means that attempt deleted it."""
        response = await self._api.call("DELETE", path, idempotent=True)
        if response.status == HTTPStatus.NOT_FOUND and response.request.reached_before:
            return
        unwrap(response)

    def _list(
        self,
        cls: type[T],
        path: str,
        *,
        params: Mapping[str, str],
        page: int,
        concurrency: int,
        dedupe: bool,
        extra: Mapping[str, object] | None = None,
        key: Callable[[T], Hashable] = by_id,
    ) -> AsyncPager[T]:
        """The one place listings become pagers."""
        source = self._api.page_source(cls, path, params=params, extra=extra)
        pager = AsyncPager(
            source,
            page=page,
            concurrency=concurrency,
            dedupe=dedupe,
            key=key,
        )
        self._api.make_room(concurrency)  # once the arguments are known to be good
        return pager

    def _source(
        self,
        cls: type[T],
        path: str,
        *,
        params: Mapping[str, str],
        extra: Mapping[str, object] | None = None,
    ) -> PageSource[T]:
        return self._api.page_source(cls, path, params=params, extra=extra)

    def _list_many(
        self,
        keys: Iterable[K] | AsyncIterable[K],
        listing: Callable[[K], PageSource[T]],
        *,
        concurrency: int,
        buffer: int | None,
        dedupe: bool,
        key: Callable[[T], Hashable] = by_id,
    ) -> AsyncGenerator[T, None]:
        """The listings of many *keys* (accounts), concurrently, in key order."""
        items = fan_out(
            keys, listing, concurrency=concurrency, buffer=buffer, dedupe=dedupe, key=key
        )
        self._api.make_room(concurrency)  # once the arguments are known to be good
        return items
