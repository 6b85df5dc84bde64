"""`--per-page` stops at the API's documented maximum of each listing."""

from __future__ import annotations

import pytest

from conftest import Run
from vapay.sandbox import Sandbox

# (command line before the flag, largest page, what the maximum is of)
LISTINGS = [
    (("accounts", "list"), 100, "accounts"),
    (("virtual-accounts", "list", "1"), 25, "virtual accounts"),
    (("virtual-accounts", "export", "-o", "-"), 25, "virtual accounts"),
]
IDS = ["accounts-list", "virtual-accounts-list", "virtual-accounts-export"]


@pytest.mark.parametrize(("command", "largest", "of"), LISTINGS, ids=IDS)
def test_page_past_the_api_maximum_is_a_usage_error(
    run: Run, command: tuple[str, ...], largest: int, of: str
) -> None:
    """One more than the API's maximum is refused before any request (exit 2)."""
    result = run(*command, "--per-page", str(largest + 1))

    assert result.code == 2
    assert f"must be <= {largest} (the API's maximum for {of}), got {largest + 1}" in result.err


@pytest.mark.parametrize(("command", "largest", "of"), LISTINGS, ids=IDS)
def test_page_at_the_api_maximum_is_sent(
    run: Run, credentials: Sandbox, command: tuple[str, ...], largest: int, of: str
) -> None:
    """The API's maximum itself runs and reaches the server as `per_page`."""
    if command[:2] == ("virtual-accounts", "list"):
        command = (*command[:2], credentials.state.accounts[0].id, "--kind", "temporary")
    result = run(*command, "--per-page", str(largest))

    assert result.code == 0, result.err
    sent = {request.query.get("per_page") for request in credentials.state.requests}
    assert str(largest) in sent
