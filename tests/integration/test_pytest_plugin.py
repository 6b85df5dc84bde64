"""The pytest plugin as users meet it: installed, autoloaded, README example as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import vapay
from vapay.sandbox import Sandbox

pytest_plugins = ["pytester"]

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_the_readme_example_tests_pass_with_the_installed_plugin(
    pytester: pytest.Pytester,
) -> None:
    """The README's sandbox tests pass in a fresh session that only autoloads plugins."""
    (example,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
        if "def test_deactivating_an_account" in block
    ]
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(test_readme_example=example)

    result = pytester.runpytest("-W", "error", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


# The user's application that the README's webhook example imports.
MYSHOP_WEB = """
from aiohttp import web

import vapay
from vapay.webhooks import MemorySeenStore

ENDPOINT = "/hooks/va?source=prod"
BOOKED = web.AppKey("booked", list)


def make_app(*, webhook_secrets):
    seen = MemorySeenStore()

    async def receive(request):
        try:
            event = vapay.webhooks.verify(
                await request.read(), request.headers, endpoint=ENDPOINT, secrets=webhook_secrets
            )
        except vapay.WebhookVerificationError as err:
            return web.Response(status=400, text=err.reason)
        if await seen.claim(event.transaction_id):
            request.app[BOOKED].append(event.transaction_id)
        return web.Response()

    app = web.Application()
    app[BOOKED] = []
    app.router.add_post("/hooks/va", receive)
    return app
"""


def test_the_readme_webhook_examples_pass_in_a_users_project(pytester: pytest.Pytester) -> None:
    """The recording receiver and a user's own handler both get one verified payment."""
    examples = [
        block
        for block in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
        if "vapay_webhook_receiver" in block
    ]
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.mkpydir("myshop")
    pytester.makepyfile(**{"myshop/web": MYSHOP_WEB})
    pytester.makepyfile(
        **{f"test_webhook_example_{i}": example for i, example in enumerate(examples)}
    )

    result = pytester.runpytest("-W", "error", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


async def test_the_fixtures_work_in_this_suite(
    vapay_sandbox: Sandbox, vapay_client: vapay.Client
) -> None:
    """vapay_client talks to vapay_sandbox: one real call succeeds."""
    accounts = await vapay_client.accounts.list().collect()
    assert [a.id for a in accounts] == [a.id for a in vapay_sandbox.state.accounts]
