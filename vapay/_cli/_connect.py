"""A `Client` from the command line's settings, and a count of its requests."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import AsyncIterator, Sequence

from vapay._cli._output import CliError
from vapay._client import Client
from vapay._errors import APIConnectionError
from vapay._transport import Handler, Middleware, Request, Response

_CREDENTIALS = (
    ("api_key", "--api-key", "VAPAY_API_KEY"),
    ("client_id", "--client-id", "VAPAY_CLIENT_ID"),
    ("client_secret", "--client-secret", "VAPAY_CLIENT_SECRET"),
)


class RequestCounter:
    """A middleware counting the API requests sent, retries included.

    Token requests go straight to the transport, below every middleware, so
    they are never counted here.
    """

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, request: Request, call_next: Handler) -> Response:
        """Count *request*, then send it."""
        self.count += 1
        return await call_next(request)


def client_from(args: argparse.Namespace, middlewares: Sequence[Middleware] = ()) -> Client:
    """A client configured by the flags, the `VAPAY_*` variables filling the gaps.

    Raises:
        CliError: a credential is in neither (named as flag and variable,
            where `Client` would name its Python arguments).
        ValueError: an unusable base URL.
    """
    given = {name: getattr(args, name) or os.environ.get(var) for name, _, var in _CREDENTIALS}
    missing = [f"{flag} or ${var}" for name, flag, var in _CREDENTIALS if not given[name]]
    if missing:
        raise CliError(f"missing credentials: set {', '.join(missing)}")
    return Client(
        api_key=given["api_key"],
        client_id=given["client_id"],
        client_secret=given["client_secret"],
        base_url=args.base_url,
        timeout=args.timeout,
        max_retries=args.max_retries,
        middlewares=middlewares,
    )


@contextlib.asynccontextmanager
async def connect(
    args: argparse.Namespace, middlewares: Sequence[Middleware] = ()
) -> AsyncIterator[Client]:
    """An open `client_from(args)`, closed on the way out.

    Raises:
        CliError: the API could not be reached (the message names the base
            URL, which the SDK's own error leaves out).
    """
    async with client_from(args, middlewares) as client:
        try:
            yield client
        except APIConnectionError as err:
            raise CliError(f"cannot reach {client.base_url}: {err}") from err
