"""pytest fixtures serving a vapay sandbox to a project's tests.

Registered as the `vapay` pytest plugin when vapay is installed:

- `vapay_sandbox`: a started `Sandbox` with small seeded data (3 accounts, 5
  virtual accounts each, seed 0). Change its settings for a module or a test by
  overriding the `vapay_sandbox_options` fixture, or for one test with
  `@pytest.mark.parametrize("vapay_sandbox", [{"live": True}], indirect=True)`.
- `vapay_client`: a `vapay.Client` talking to that sandbox, opened and closed
  around the test.
- `vapay_webhook_receiver`: a `WebhookReceiver` on loopback that the
  `vapay_sandbox` delivers its callbacks to (retried 0.01 s apart). It serves the
  application the `vapay_webhook_app` fixture returns (override it with your
  aiohttp app: the handler under test), or by default a handler that verifies
  with the sandbox's webhook secret and records `events` and `refusals`; the
  endpoint (path and query) is the `vapay_webhook_endpoint` fixture's,
  `"/hooks/va"` by default.

The fixtures are async: they need pytest-asyncio (or another plugin that runs
async fixtures). Under pytest-asyncio's default strict mode, mark the tests that
use them `@pytest.mark.asyncio`; under `asyncio_mode = "auto"` no mark is needed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aiohttp import web

    import vapay
    from vapay.sandbox import Sandbox, WebhookReceiver

if TYPE_CHECKING:
    _async_fixture = pytest.fixture
else:
    try:
        # Marks the fixtures as asyncio fixtures, so strict mode runs them too.
        from pytest_asyncio import fixture as _async_fixture
    except ImportError:  # pragma: no cover - another async plugin may run them
        _async_fixture = pytest.fixture

DEFAULT_OPTIONS: dict[str, Any] = {
    "accounts": 3,
    "virtual_accounts_per_account": 5,
    "seed": 0,
    # The gateway's minute between retries would outlast a test.
    "webhook_retry_interval": 0.01,
}


@pytest.fixture(name="vapay_sandbox_options")
def _vapay_sandbox_options() -> dict[str, Any]:
    """Keyword arguments for the `vapay_sandbox` fixture's `Sandbox`.

    Override this fixture to change them; they update `DEFAULT_OPTIONS`.
    """
    return {}


@_async_fixture(name="vapay_sandbox")
async def _vapay_sandbox(
    request: pytest.FixtureRequest, vapay_sandbox_options: dict[str, Any]
) -> AsyncIterator[Sandbox]:
    """A started sandbox, closed after the test."""
    # Imported here so that loading the plugin (in every project that has vapay
    # installed) does not import aiohttp.web.
    from vapay.sandbox import Sandbox  # noqa: PLC0415

    indirect = getattr(request, "param", None) or {}
    options = {**DEFAULT_OPTIONS, **vapay_sandbox_options, **indirect}
    async with Sandbox(**options) as sandbox:
        yield sandbox


@_async_fixture(name="vapay_client")
async def _vapay_client(vapay_sandbox: Sandbox) -> AsyncIterator[vapay.Client]:
    """A `vapay.Client` for the `vapay_sandbox` fixture's sandbox."""
    import vapay  # noqa: PLC0415  (see above)

    async with vapay.Client(**vapay_sandbox.client_options()) as client:
        yield client


@pytest.fixture(name="vapay_webhook_app")
def _vapay_webhook_app() -> web.Application | None:
    """The application `vapay_webhook_receiver` serves: `None` for its recording handler.

    Override it to return your aiohttp application, built to verify with
    `vapay_sandbox.webhook_secret`.
    """
    return None


@pytest.fixture(name="vapay_webhook_endpoint")
def _vapay_webhook_endpoint() -> str:
    """The path and query the sandbox delivers to (the signed endpoint)."""
    return "/hooks/va"


@_async_fixture(name="vapay_webhook_receiver")
async def _vapay_webhook_receiver(
    vapay_sandbox: Sandbox,
    vapay_webhook_app: web.Application | None,
    vapay_webhook_endpoint: str,
) -> AsyncIterator[WebhookReceiver]:
    """A started `WebhookReceiver` that `vapay_sandbox` delivers to, closed after the test."""
    from vapay.sandbox import WebhookReceiver  # noqa: PLC0415  (see above)

    receiver = WebhookReceiver(
        vapay_webhook_app,
        endpoint=vapay_webhook_endpoint,
        secrets=[vapay_sandbox.webhook_secret],
        clock=vapay_sandbox.state.clock,
    )
    async with receiver:
        vapay_sandbox.send_webhooks_to(receiver.url)
        yield receiver
        # Torn down before the sandbox: deliver nothing more to a closed port.
        vapay_sandbox.send_webhooks_to(None)
