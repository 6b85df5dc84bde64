"""`WebhookReceiver`: a loopback HTTP server for the sandbox's callbacks.

It serves your aiohttp application (the handler under test), or, without one, a
handler of its own that checks every delivery with `vapay.webhooks.verify`, as a
merchant's should, and records what it accepted and what it refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aiohttp import web
from yarl import URL

from vapay import webhooks
from vapay._errors import WebhookVerificationError
from vapay.sandbox._loopback import LoopbackServer, check_endpoint, loopback_host, wire_form
from vapay.sandbox._progress import Progress


class WebhookReceiver(LoopbackServer):
    """Serves a webhook handler on loopback, for a sandbox to deliver to.

        async with WebhookReceiver(secrets=[sandbox.webhook_secret]) as receiver:
            sandbox.send_webhooks_to(receiver.url)
            await sandbox.pay(account_id, va.number)
            (event,) = await receiver.wait_for_events(1)

    Args:
        app: Your aiohttp application, holding the route of *endpoint*'s path;
            `None` for the recording handler (which then needs *secrets*).
        endpoint: The path and query the gateway is told to call
            (`"/hooks/va?source=test"`), which deliveries are signed for
            exactly as written; `url` ends with it.
        secrets: The recording handler's candidate secrets, as `verify` takes them.
        clock: Unix-seconds time source of the recording handler's window check
            (pass the sandbox's clock if it is not the real one).
        host: The loopback address to bind.

    Raises:
        ValueError: *host* is not loopback, *endpoint* is not a path (or holds
            a control character or a `#`), or the recording handler has no *secrets*.
    """

    def __init__(
        self,
        app: web.Application | None = None,
        *,
        endpoint: str = "/hooks/va",
        secrets: webhooks.Secrets | None = None,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
    ) -> None:
        self._host = loopback_host(host)
        if not endpoint.startswith("/"):
            raise ValueError(f"endpoint must be a path (and query) from /, not {endpoint!r}")
        check_endpoint(endpoint, "endpoint")
        if app is None and not secrets:
            raise ValueError("the recording handler needs the secrets to verify with")
        self.endpoint = endpoint
        self.events: list[webhooks.Event] = []
        self.refusals: list[WebhookVerificationError] = []
        self._secrets = secrets or ()
        self._clock = clock
        self._app = app if app is not None else self._recording_app()
        self._received = Progress()
        super().__init__()

    def __repr__(self) -> str:
        where = self._url or "not started"
        return f"<WebhookReceiver {where} events={len(self.events)} refusals={len(self.refusals)}>"

    _name = "webhook receiver"

    def _application(self) -> web.Application:
        return self._app

    def _address(self) -> tuple[str, int]:
        return self._host, 0

    def _url_of(self, base: str) -> str:
        # The URL to deliver to: the base and the endpoint.
        return base + self.endpoint

    def _recording_app(self) -> web.Application:
        app = web.Application()
        # The path as it arrives (the sandbox posts to the endpoint as written),
        # decoded as the router decodes it (`%2F` kept); a plain resource, so that
        # braces in the path are not a pattern.
        resource = web.PlainResource(URL(wire_form(self.endpoint), encoded=True).path_safe)
        app.router.register_resource(resource)
        resource.add_route("POST", self._receive)
        return app

    async def _receive(self, request: web.Request) -> web.Response:
        raw_body = await request.read()
        try:
            event = webhooks.verify(
                raw_body,
                request.headers,
                endpoint=self.endpoint,
                secrets=self._secrets,
                now=self._clock(),
            )
        except WebhookVerificationError as err:
            self.refusals.append(err)
            self._received.advance()
            return web.Response(status=400, text=err.reason)
        self.events.append(event)
        self._received.advance()
        return web.Response(text="ok")

    async def wait_for_events(self, count: int, *, timeout: float = 5.0) -> list[webhooks.Event]:
        """Wait until the recording handler has accepted or refused *count* deliveries.

        Args:
            count: How many deliveries, accepted and refused together.
            timeout: Seconds to wait at most.

        Returns:
            The events accepted so far (refusals are in `refusals`).

        Raises:
            TimeoutError: Fewer had arrived after *timeout* seconds.
        """
        if not await self._received.reach(count, timeout):
            raise TimeoutError(
                f"{self._received.count} of {count} deliveries arrived within {timeout:g} s"
            )
        return list(self.events)
