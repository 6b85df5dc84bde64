"""The `vapay` logger: INFO for retries and tokens, DEBUG per attempt, VAPAY_LOG, User-Agent."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

import vapay
from sdk_clients import client_for
from vapay._logs import _EnvHandler, setup_logging
from vapay.sandbox import Sandbox

RETRY = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>/\S*): (?P<why>.+) \((?P<page>page \d+, )?"
    r"attempt (?P<attempt>\d+) of (?P<of>\d+)\); retrying in (?P<wait>\d+\.\d\d)s$"
)


@pytest.fixture(name="logs")
def _logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="vapay")
    return caplog


def messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """The `vapay` messages logged at exactly *level*, in order."""
    return [r.getMessage() for r in caplog.records if r.name == "vapay" and r.levelno == level]


def retries(caplog: pytest.LogCaptureFixture) -> list[dict[str, str | None]]:
    """The parsed INFO lines of scheduled retries."""
    return [m.groupdict() for m in map(RETRY.match, messages(caplog, logging.INFO)) if m]


async def test_a_retry_after_a_503_is_logged_at_info_with_why_attempt_and_wait(
    sandbox: Sandbox, client: vapay.Client, logs: pytest.LogCaptureFixture
) -> None:
    """Two 503s: two INFO lines saying HTTP 503, attempts 1 and 2 of 3, and the wait."""
    account_id = sandbox.state.accounts[0].id
    sandbox.fail_next(503, times=2, route="accounts.get")

    await client.accounts.get(account_id)

    found = retries(logs)
    assert [(r["path"], r["why"], r["attempt"], r["of"]) for r in found] == [
        (f"/api/v1.0/accounts/{account_id}", "HTTP 503", "1", "3"),
        (f"/api/v1.0/accounts/{account_id}", "HTTP 503", "2", "3"),
    ]
    assert all(0 <= float(str(r["wait"])) < 1 for r in found)


async def test_a_retry_after_a_429_names_its_retry_after(
    sandbox: Sandbox, client: vapay.Client, logs: pytest.LogCaptureFixture
) -> None:
    """A 429 with Retry-After: the INFO line quotes the header and waits that long."""
    sandbox.fail_next(429, route="accounts.list", retry_after=0)

    await client.accounts.list().collect()

    (found,) = retries(logs)
    assert (found["why"], found["page"], found["wait"]) == (
        "HTTP 429 (Retry-After: 0)",
        "page 1, ",
        "0.00",
    )


async def test_a_retry_after_a_dropped_connection_says_so(
    sandbox: Sandbox, client: vapay.Client, logs: pytest.LogCaptureFixture
) -> None:
    """A dropped connection is logged as a failed connection, then retried."""
    sandbox.drop_next(route="accounts.get")

    await client.accounts.get(sandbox.state.accounts[0].id)

    assert [r["why"] for r in retries(logs)] == ["connection failed"]


async def test_a_retry_after_a_timeout_says_so(
    sandbox: Sandbox, logs: pytest.LogCaptureFixture
) -> None:
    """A timed-out attempt is logged as such before its retry."""
    sandbox.delay_next(1.0, route="accounts.get")

    async with client_for(sandbox, timeout=0.2) as client:
        await client.accounts.get(sandbox.state.accounts[0].id)

    assert [r["why"] for r in retries(logs)] == ["timed out"]


async def test_getting_and_refreshing_the_token_is_logged_at_info(
    sandbox: Sandbox, client: vapay.Client, logs: pytest.LogCaptureFixture
) -> None:
    """The first token is "obtained", the one after a 401 "refreshed", with their lifetime."""
    account_id = sandbox.state.accounts[0].id
    await client.accounts.get(account_id)
    sandbox.expire_token_next(route="accounts.get")

    await client.accounts.get(account_id)

    assert [m for m in messages(logs, logging.INFO) if m.startswith("access token")] == [
        "access token obtained (POST /api/v1.1/access-token/b2b, expires in 3600s)",
        "access token refreshed (POST /api/v1.1/access-token/b2b, expires in 3600s)",
    ]


async def test_each_page_attempt_is_logged_at_debug_with_its_page_number(
    sandbox: Sandbox, client: vapay.Client, logs: pytest.LogCaptureFixture
) -> None:
    """A listing's DEBUG line per attempt names the page it asked for."""
    await client.accounts.list(per_page=2).collect()

    pages = [
        re.search(r"\(page (\d+), attempt 1,", m)
        for m in messages(logs, logging.DEBUG)
        if m.startswith("GET /api/v1.0/accounts ->")
    ]
    assert [m.group(1) for m in pages if m] == ["1", "2", "3"]


async def test_nothing_is_logged_above_debug_for_a_plain_call(
    sandbox: Sandbox, client: vapay.Client, logs: pytest.LogCaptureFixture
) -> None:
    """A call that needs no retry logs its token at INFO and nothing else above DEBUG."""
    await client.accounts.get(sandbox.state.accounts[0].id)

    assert [r.levelno for r in logs.records if r.levelno > logging.DEBUG] == [logging.INFO]


async def test_the_token_request_sends_vapays_user_agent(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """The token request and API calls carry the same `vapay/<version>` User-Agent."""
    await client.accounts.get(sandbox.state.accounts[0].id)

    agents = {r.route: r.headers.get("User-Agent", "") for r in sandbox.state.requests}
    assert agents["token"].startswith(f"vapay/{vapay.__version__} aiohttp/")
    assert agents["token"] == agents["accounts.get"]


@pytest.fixture(name="vapay_logger")
def _vapay_logger() -> Iterator[logging.Logger]:
    """The `vapay` logger, its handlers and level restored afterwards."""
    logger = logging.getLogger("vapay")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.mark.parametrize(
    ("value", "level"),
    [("info", logging.INFO), ("debug", logging.DEBUG), (" DEBUG ", logging.DEBUG)],
    ids=["info", "debug", "spaced-upper"],
)
def test_vapay_log_installs_one_stderr_handler(
    vapay_logger: logging.Logger, value: str, level: int
) -> None:
    """VAPAY_LOG=info|debug sets the level and adds one stderr handler, however often run."""
    setup_logging({"VAPAY_LOG": value})
    setup_logging({"VAPAY_LOG": value})

    installed = [h for h in vapay_logger.handlers if isinstance(h, _EnvHandler)]
    assert len(installed) == 1
    assert installed[0].stream is sys.stderr
    assert vapay_logger.level == level


@pytest.mark.parametrize("environ", [{}, {"VAPAY_LOG": ""}], ids=["unset", "empty"])
def test_without_vapay_log_no_handler_is_added(
    vapay_logger: logging.Logger, environ: dict[str, str]
) -> None:
    """A library adds no handler unless asked."""
    setup_logging(environ)

    assert not [h for h in vapay_logger.handlers if isinstance(h, _EnvHandler)]


def test_an_unknown_vapay_log_value_is_ignored_with_a_warning(
    vapay_logger: logging.Logger,
) -> None:
    """VAPAY_LOG=verbose warns, naming the allowed values, and changes nothing."""
    with pytest.warns(UserWarning, match="VAPAY_LOG must be one of 'info', 'debug'"):
        setup_logging({"VAPAY_LOG": "verbose"})

    assert not [h for h in vapay_logger.handlers if isinstance(h, _EnvHandler)]


def test_vapay_log_debug_prints_attempts_on_stderr_of_a_program() -> None:
    """A program run with VAPAY_LOG=debug shows its token and attempts on stderr."""
    program = textwrap.dedent(
        """
        import asyncio
        import vapay
        from vapay.sandbox import Sandbox

        async def main():
            async with Sandbox(accounts=2) as sandbox:
                async with vapay.Client(**sandbox.client_options()) as client:
                    await client.accounts.list().collect()

        asyncio.run(main())
        """
    )
    result = subprocess.run(  # noqa: S603 - our own program
        [sys.executable, "-c", program],
        env={**_environ(), "VAPAY_LOG": "debug"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout == ""
    assert " vapay INFO access token obtained (POST /api/v1.1/access-token/b2b" in result.stderr
    assert " vapay DEBUG GET /api/v1.0/accounts -> 200 (page 1, attempt 1, " in result.stderr


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VAPAY_")}
