"""Shared fixtures; and the aioresponses shim for aiohttp 3.14."""

from __future__ import annotations

from typing import Any
from unittest import mock

import aioresponses.core
from aiohttp import ClientResponse


class _ShimClientResponse(ClientResponse):
    """aioresponses 0.7.9 builds ClientResponse without `stream_writer`, which
    aiohttp 3.14 requires (aioresponses issue #289). Remove once a release fixes it.
    """

    def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", mock.Mock(output_size=0))
        super().__init__(method, url, **kwargs)


aioresponses.core.ClientResponse = _ShimClientResponse  # type: ignore[misc]
