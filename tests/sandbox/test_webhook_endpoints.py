"""Deliveries are signed for the webhook URL's path and query exactly as given, and sent there.

MONEY-IN.md §5: ENDPOINT is the path and query of the registered callback URL,
exactly. yarl would re-encode them (`%2F` -> `/`, `%7E` -> `~`, `a b` -> `a+b`,
`/./` dropped), so a handler verifying with its registered endpoint would refuse
every delivery.
"""

from __future__ import annotations

import pytest
from aiohttp import web
from hook_helpers import pay_any

import vapay
from vapay.sandbox import Sandbox, WebhookReceiver

# Each is an endpoint yarl would rewrite, or one it must not normalize.
REWRITTEN = [
    "/hooks/va?next=https%3A%2F%2Fshop.example%2Fdone",  # an encoded URL in the query
    "/hooks/va?shop=caf\u00e9",  # non-ASCII, as registered
    "/hooks/va?x=%7E",  # an escape of an unreserved character
    "/hooks/va?q=a b",  # a space, which yarl makes a "+"
    "/hooks/./va",  # a dot segment
    "/hooks/a%2Fb",  # an encoded slash in the path
    "/hooks/caf\u00e9",  # non-ASCII in the path
    "/hooks/{va}?a=100%",  # braces, and a bare percent sign
]


@pytest.fixture(name="sandbox_options")
def _sandbox_options() -> dict[str, float]:
    return {"webhook_retry_interval": 0.01}


class RawRecorder:
    """A handler that answers 200 and records each request's target as it came."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self.app = web.Application()
        self.app.router.add_route("POST", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        self.targets.append(request.raw_path)
        return web.Response(text="ok")


@pytest.fixture(name="recorder")
def _recorder() -> RawRecorder:
    return RawRecorder()


async def deliver_once(sandbox: Sandbox, url: str) -> vapay.sandbox.WebhookDelivery:
    """Point the sandbox at *url*, pay, and return the one delivery."""
    sandbox.send_webhooks_to(url)
    await pay_any(sandbox)
    (delivery,) = await sandbox.drain_deliveries()
    return delivery


def verify(sandbox: Sandbox, delivery: vapay.sandbox.WebhookDelivery, endpoint: str) -> None:
    """`vapay.webhooks.verify` for *endpoint*, on the sandbox's clock."""
    vapay.webhooks.verify(
        delivery.body,
        delivery.headers,
        endpoint=endpoint,
        secrets=[sandbox.webhook_secret],
        now=sandbox.state.clock(),
    )


@pytest.mark.parametrize("endpoint", REWRITTEN)
async def test_the_recording_receiver_accepts_deliveries_for_its_endpoint(
    sandbox: Sandbox, endpoint: str
) -> None:
    """WebhookReceiver verifies with its endpoint as written, and takes the delivery."""
    async with WebhookReceiver(
        endpoint=endpoint, secrets=[sandbox.webhook_secret], clock=sandbox.state.clock
    ) as receiver:
        sandbox.send_webhooks_to(receiver.url)
        await pay_any(sandbox)
        await receiver.wait_for_events(1)

    assert ([r.reason for r in receiver.refusals], len(receiver.events)) == ([], 1)


@pytest.mark.parametrize("endpoint", REWRITTEN)
async def test_a_delivery_is_signed_for_the_path_and_query_as_given(
    sandbox: Sandbox, recorder: RawRecorder, endpoint: str
) -> None:
    """verify() with the URL's path and query, character for character, accepts it."""
    async with WebhookReceiver(recorder.app, endpoint=endpoint) as receiver:
        delivery = await deliver_once(sandbox, receiver.url)

    verify(sandbox, delivery, endpoint)


@pytest.mark.parametrize(
    ("endpoint", "target"),
    [
        ("/hooks/va?next=https%3A%2F%2Fshop.example%2Fdone", None),
        ("/hooks/./va?x=%7E", None),
        ("/hooks/a%2Fb", None),
        ("/hooks/caf\u00e9?q=a b", "/hooks/caf%C3%A9?q=a%20b"),
    ],
)
async def test_the_post_goes_to_the_path_and_query_as_given(
    sandbox: Sandbox, recorder: RawRecorder, endpoint: str, target: str | None
) -> None:
    """The request target is the endpoint unchanged, but for spaces and non-ASCII encoded."""
    async with WebhookReceiver(recorder.app, endpoint=endpoint) as receiver:
        await deliver_once(sandbox, receiver.url)

    assert recorder.targets == [target or endpoint]


async def test_the_delivery_and_the_sandbox_show_the_url_as_given(
    sandbox: Sandbox, recorder: RawRecorder
) -> None:
    """webhook_url and each delivery's url are the text passed, not yarl's form of it."""
    async with WebhookReceiver(recorder.app, endpoint="/hooks/va?x=%7E&shop=caf\u00e9") as receiver:
        delivery = await deliver_once(sandbox, receiver.url)

        assert (sandbox.webhook_url, delivery.url) == (receiver.url, receiver.url)


def test_a_webhook_url_passed_to_the_sandbox_is_kept_as_given() -> None:
    """Sandbox(webhook_url=...) (and so `vapay sandbox --webhook-url`) keeps the text."""
    url = "http://127.0.0.1:9/hooks/./va?next=https%3A%2F%2Fshop.example%2F&x=%7E"

    assert Sandbox(webhook_url=url).webhook_url == url


async def test_an_empty_path_is_signed_as_a_slash(sandbox: Sandbox, recorder: RawRecorder) -> None:
    """http://127.0.0.1:PORT (no path) is posted to / and signed for "/"."""
    async with WebhookReceiver(recorder.app, endpoint="/") as receiver:
        delivery = await deliver_once(sandbox, receiver.url.removesuffix("/"))

    verify(sandbox, delivery, "/")
    assert recorder.targets == ["/"]


async def test_a_fragment_is_neither_signed_nor_sent(
    sandbox: Sandbox, recorder: RawRecorder
) -> None:
    """http://.../hooks/va?x=1#top is signed for /hooks/va?x=1, and posted there."""
    async with WebhookReceiver(recorder.app, endpoint="/hooks/va?x=1") as receiver:
        delivery = await deliver_once(sandbox, f"{receiver.url}#top")

    verify(sandbox, delivery, "/hooks/va?x=1")
    assert recorder.targets == ["/hooks/va?x=1"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hooks\n",
        "http://127.0.0.1:9/hooks?a=1\r\nX-Evil: 1",
        "http://127.0.0.1:9/\t",
    ],
)
def test_a_webhook_url_with_a_control_character_is_refused(url: str) -> None:
    """A line break or a tab cannot be registered or sent: ValueError at once."""
    with pytest.raises(ValueError, match="control characters"):
        Sandbox(webhook_url=url)


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [("/hooks/va\n", "control characters"), ("/hooks/va#top", "fragment")],
)
def test_a_receiver_endpoint_that_cannot_be_sent_is_refused(endpoint: str, message: str) -> None:
    """WebhookReceiver refuses an endpoint with a control character or a fragment."""
    with pytest.raises(ValueError, match=message):
        WebhookReceiver(endpoint=endpoint, secrets=["s"])
