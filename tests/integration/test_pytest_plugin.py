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


async def test_the_fixtures_work_in_this_suite(
    vapay_sandbox: Sandbox, vapay_client: vapay.Client
) -> None:
    """vapay_client talks to vapay_sandbox: one real call succeeds."""
    accounts = await vapay_client.accounts.list().collect()
    assert [a.id for a in accounts] == [a.id for a in vapay_sandbox.state.accounts]
