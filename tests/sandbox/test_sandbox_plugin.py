"""The `vapay_sandbox` pytest fixture, run in an inner pytest session."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

# Loaded explicitly, with entry-point autoloading off, so the inner session is the
# same whether or not vapay (and so its pytest11 entry point) is installed.
PLUGINS = ("-p", "pytest_asyncio.plugin", "-p", "vapay.sandbox._pytest_plugin")


@pytest.fixture(name="inner")
def _inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester


def run(inner: pytest.Pytester, mode: str, source: str) -> pytest.RunResult:
    inner.makeini(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
    )
    inner.makepyfile(source)
    return inner.runpytest(*PLUGINS, "-W", "error", "-p", "no:cacheprovider")


def test_the_fixture_serves_a_seeded_sandbox_in_strict_mode(inner: pytest.Pytester) -> None:
    """Under strict mode a marked test gets a started sandbox with small data."""
    result = run(
        inner,
        "strict",
        """
        import aiohttp
        import pytest

        @pytest.mark.asyncio
        async def test_it(vapay_sandbox):
            state = vapay_sandbox.state
            assert len(state.accounts) == 3
            assert all(len(vas) == 5 for vas in state.virtual_accounts.values())
            async with aiohttp.ClientSession() as session:
                async with session.get(vapay_sandbox.url + "/api/v1.0/accounts") as r:
                    assert r.status == 401
        """,
    )

    result.assert_outcomes(passed=1)


def test_the_options_fixture_changes_the_settings(inner: pytest.Pytester) -> None:
    """Overriding vapay_sandbox_options configures the sandbox (auto mode)."""
    result = run(
        inner,
        "auto",
        """
        import pytest

        @pytest.fixture
        def vapay_sandbox_options():
            return {"accounts": 7, "seed": 3}

        async def test_it(vapay_sandbox):
            assert len(vapay_sandbox.state.accounts) == 7
            assert vapay_sandbox.state.seed == 3
        """,
    )

    result.assert_outcomes(passed=1)


def test_indirect_parametrize_changes_the_settings(inner: pytest.Pytester) -> None:
    """An indirect parameter (a dict of Sandbox keywords) configures one test."""
    result = run(
        inner,
        "auto",
        """
        import pytest

        @pytest.mark.parametrize(
            ("vapay_sandbox", "live"),
            [({"live": True}, True), ({}, False)],
            indirect=["vapay_sandbox"],
        )
        async def test_it(vapay_sandbox, live):
            assert vapay_sandbox.state.live is live
            assert len(vapay_sandbox.state.accounts) == 3
        """,
    )

    result.assert_outcomes(passed=2)


def test_the_sandbox_is_closed_after_the_test(inner: pytest.Pytester) -> None:
    """Once its test is over, the fixture's sandbox no longer serves."""
    result = run(
        inner,
        "auto",
        """
        import urllib.error
        import urllib.request

        import pytest

        urls = []

        async def test_serve(vapay_sandbox):
            urls.append(vapay_sandbox.url)

        def test_closed():
            with pytest.raises(urllib.error.URLError) as refused:
                urllib.request.urlopen(urls[0] + "/api/v1.0/accounts", timeout=5)
            assert not isinstance(refused.value, urllib.error.HTTPError)
        """,
    )

    result.assert_outcomes(passed=2)
