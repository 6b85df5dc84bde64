"""Secrets stay secret: never in logs (DEBUG included), reprs or error texts.

The secrets: the api_key, the client_id, the client_secret (and a wrong one), every
access token the sandbox issued, every v1.1 signature and v1.0 Basic credential
sent. A leak is any 12-character stretch of one of them, so a half-printed token
counts. Also pinned here: the `vapay` logger's DEBUG record for each attempt.
"""

from __future__ import annotations

import logging
import re
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import attrs
import pytest
from resilience_helpers import client_for

import vapay
from vapay.sandbox import Sandbox

API_KEY = "pk_3Zq8Lw2Xv7Nc5Rt9Hy4Ub6"
CLIENT_ID = "cid_Gm4Tj8Ks2Wd6Pf1Qa9Ye3"
CLIENT_SECRET = "cs_Vn7Bx3Hq9Lr5Mz2Jk8Td4"
WRONG_SECRET = "cs_Wr0ngS3cr3tXy7Pq2Lm5"
WRONG_API_KEY = "pk_Wr0ngK3yZq8Lw2Xv7Nc5"
WRONG_CLIENT_ID = "cid_Wr0ngCl13ntXy7Pq2Lm5"
WINDOW = 12


@pytest.fixture(name="sandbox")
async def _sandbox(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sandbox]:
    async with Sandbox(
        accounts=2,
        virtual_accounts_per_account=30,
        seed=3,
        api_key=API_KEY,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    ) as sandbox:
        # Remember every token the sandbox hands out, even one expired unused.
        tokens = sandbox.state.tokens
        issued: list[str] = []
        issue = tokens.issue

        def recording_issue() -> str:
            issued.append(issue())
            return issued[-1]

        monkeypatch.setattr(tokens, "issue", recording_issue)
        sandbox.issued = issued  # type: ignore[attr-defined]
        yield sandbox


@pytest.fixture(name="debug_logs")
def _debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger, vapay's and aiohttp's, at DEBUG."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="vapay")
    return caplog


def secrets_of(sandbox: Sandbox) -> set[str]:
    """Every credential configured, issued or sent during the test."""
    found = {API_KEY, CLIENT_ID, CLIENT_SECRET, WRONG_SECRET, WRONG_API_KEY, WRONG_CLIENT_ID}
    found |= set(sandbox.issued)  # type: ignore[attr-defined]
    for request in sandbox.state.requests:
        _, _, credential = request.headers.get("Authorization", "").partition(" ")
        found |= {credential.strip(), request.headers.get("X-Signature", "")}
    return {s for s in found if len(s) >= WINDOW}


def leaks(texts: Iterable[str], secrets: set[str]) -> list[tuple[str, str]]:
    """(secret, text) for every text holding a 12-character stretch of a secret."""
    return [
        (secret, text[:300])
        for text in texts
        for secret in secrets
        if any(secret[i : i + WINDOW] in text for i in range(len(secret) - WINDOW + 1))
    ]


def error_texts(err: BaseException) -> list[str]:
    """The printed traceback of *err*, and str, repr and attributes of each error in it.

    The chain is walked as tracebacks print it: `__cause__`, else `__context__`
    unless suppressed (`raise ... from None`).
    """
    texts = ["".join(traceback.format_exception(err))]
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current)]
        for name in ("message", "body", "code", "headers", "status"):
            if hasattr(current, name):
                texts += [str(getattr(current, name)), repr(getattr(current, name))]
        if current.__cause__ is not None:
            current = current.__cause__
        else:
            current = None if current.__suppress_context__ else current.__context__
    return texts


def log_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each record's message, its raw args, and the record formatted with its traceback."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts = [caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), formatter.format(record)]
    return texts


def object_reprs(client: vapay.Client) -> list[str]:
    """The reprs of the client and of everything a user can reach from it."""
    provider = client.token_provider
    texts = [repr(client), repr(provider), repr(client.accounts), repr(client.virtual_accounts)]
    token = getattr(provider, "_token", None)
    if token is not None:
        texts += [repr(token), str(token)]
    texts.append(repr(client.virtual_accounts.list("1", kind="temporary")))
    return texts


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def get_account(client: vapay.Client, sandbox: Sandbox) -> object:
    return await client.accounts.get(sandbox.state.accounts[0].id)


async def list_vas(client: vapay.Client, sandbox: Sandbox) -> object:
    account_id = sandbox.state.accounts[0].id
    return await client.virtual_accounts.list(account_id, kind="temporary").collect()


Call = Callable[[vapay.Client, Sandbox], Awaitable[object]]


@attrs.frozen(kw_only=True)
class Scenario:
    """A call that fails: the fault to switch on, the client's options, the error."""

    error: type[Exception]
    fault: Callable[[Sandbox], object] = lambda _: None
    options: Callable[[], dict[str, Any]] = dict
    call: Call = get_account


SCENARIOS = {
    "bad-secret-v1.1": Scenario(
        error=vapay.AuthenticationError,
        options=lambda: {"client_secret": WRONG_SECRET},
    ),
    "bad-secret-v1.0": Scenario(
        error=vapay.AuthenticationError,
        options=lambda: {"client_secret": WRONG_SECRET, "token_endpoint": "v1.0"},
    ),
    "bad-api-key": Scenario(
        error=vapay.AuthenticationError,
        options=lambda: {"api_key": WRONG_API_KEY},
    ),
    "token-refused-after-refresh": Scenario(
        error=vapay.AuthenticationError,
        fault=lambda sb: sb.expire_token_next(times=10, route="accounts.get"),
    ),
    "token-503": Scenario(
        error=vapay.InternalServerError,
        fault=lambda sb: sb.fail_next(503, times=10, route="token"),
    ),
    "data-503": Scenario(
        error=vapay.InternalServerError,
        fault=lambda sb: sb.fail_next(503, times=10, route="accounts.get"),
    ),
    "listing-429": Scenario(
        error=vapay.RateLimitError,
        fault=lambda sb: sb.fail_next(429, times=10, route="virtual_accounts.list", retry_after=0),
        call=list_vas,
    ),
    "token-html": Scenario(
        error=vapay.InternalServerError,
        fault=lambda sb: sb.html_next(times=10, route="token"),
    ),
    "data-html-200": Scenario(
        error=vapay.APIResponseValidationError,
        fault=lambda sb: sb.html_next(route="accounts.get", status=200),
    ),
    "token-truncated": Scenario(
        error=vapay.APIResponseValidationError,
        fault=lambda sb: sb.truncate_next(route="token"),
    ),
    "data-truncated": Scenario(
        error=vapay.APIResponseValidationError,
        fault=lambda sb: sb.truncate_next(route="accounts.get"),
    ),
    "listing-truncated": Scenario(
        error=vapay.APIResponseValidationError,
        fault=lambda sb: sb.truncate_next(route="virtual_accounts.list"),
        call=list_vas,
    ),
    "token-timeout": Scenario(
        error=vapay.APITimeoutError,
        fault=lambda sb: sb.delay_next(1.0, times=3, route="token"),
        options=lambda: {"timeout": 0.2, "max_retries": 0},
    ),
    "data-timeout": Scenario(
        error=vapay.APITimeoutError,
        fault=lambda sb: sb.delay_next(1.0, times=3, route="accounts.get"),
        options=lambda: {"timeout": 0.2, "max_retries": 0},
    ),
    "token-dropped": Scenario(
        error=vapay.APIConnectionError,
        fault=lambda sb: sb.drop_next(times=10, route="token"),
    ),
    "data-dropped": Scenario(
        error=vapay.APIConnectionError,
        fault=lambda sb: sb.drop_next(times=10, route="accounts.get"),
    ),
    "connection-refused": Scenario(
        error=vapay.APIConnectionError,
        options=lambda: {"base_url": f"http://127.0.0.1:{closed_port()}"},
    ),
    "bad-client-id": Scenario(
        error=vapay.AuthenticationError,
        options=lambda: {"client_id": WRONG_CLIENT_ID},
    ),
    "token-403": Scenario(
        error=vapay.PermissionDeniedError,
        fault=lambda sb: sb.fail_next(403, route="token"),
    ),
    "create-422": Scenario(
        error=vapay.UnprocessableEntityError,
        call=lambda client, _: client.accounts.create(name="ab"),
    ),
    "create-500": Scenario(
        error=vapay.InternalServerError,
        fault=lambda sb: sb.fail_next(500, route="accounts.create"),
        call=lambda client, _: client.accounts.create(name="Dhany Ahmad"),
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
async def test_a_failing_call_leaks_no_secret(
    sandbox: Sandbox, debug_logs: pytest.LogCaptureFixture, scenario: str
) -> None:
    """The error, its chain, the DEBUG logs and the reprs hold no credential or token."""
    case = SCENARIOS[scenario]
    case.fault(sandbox)

    async with client_for(sandbox, **case.options()) as client:
        with pytest.raises(case.error) as caught:
            await case.call(client, sandbox)
        reprs = object_reprs(client)

    secrets = secrets_of(sandbox)
    assert leaks(error_texts(caught.value), secrets) == []
    assert leaks(log_texts(debug_logs), secrets) == []
    assert leaks(reprs, secrets) == []
    assert debug_logs.records  # the DEBUG log did record the attempts


async def test_a_working_session_leaks_no_secret(
    sandbox: Sandbox, debug_logs: pytest.LogCaptureFixture
) -> None:
    """Token, reads, a listing, a create and a status change: no secret logged or shown."""
    sandbox.fail_next(503, route="accounts.list")
    sandbox.expire_token_next(route="accounts.get")

    async with client_for(sandbox) as client:
        accounts = await client.accounts.list().collect()
        account = await client.accounts.get(accounts[0].id)
        vas = await client.virtual_accounts.list(account.id, kind="permanent").collect()
        created = await client.accounts.create(name="Dhany Ahmad")
        updated = await client.accounts.update_status(created.id, "inactive")
        token = await client.token_provider.get_token()
        reprs = [*object_reprs(client), repr(token), repr(accounts), repr(vas), repr(updated)]

    secrets = secrets_of(sandbox)
    assert sandbox.state.token_requests == 2  # the expiry made the client refresh
    assert set(sandbox.issued) <= secrets  # type: ignore[attr-defined]
    assert len(secrets) >= 5 + 2 + 1  # credentials, two tokens, the day's signature
    assert leaks(log_texts(debug_logs), secrets) == []
    assert leaks(reprs, secrets) == []
    # The scan covered the INFO lines: the retry of the 503 and both tokens.
    info = [r.getMessage() for r in debug_logs.records if r.levelno == logging.INFO]
    assert sum("retrying in" in m for m in info) == 1
    assert sum(m.startswith("access token") for m in info) == 2


def test_the_leak_check_finds_a_partial_secret() -> None:
    """A dozen characters of a secret, anywhere in a text, count as a leak."""
    secret = "tok_" + "A1b2C3d4E5f6G7h8J9k0"

    assert leaks([f"body: '...{secret[5:17]}'"], {secret}) != []
    assert leaks([f"body: '...{secret[5:16]}'"], {secret}) == []


async def test_a_token_repr_hides_the_token(sandbox: Sandbox) -> None:
    """repr() and str() of the provider's Token show its type and lifetime, not the secret."""
    async with client_for(sandbox) as client:
        token = await client.token_provider.get_token()

    assert token.access_token in sandbox.issued  # type: ignore[attr-defined]
    assert token.access_token not in repr(token)
    assert token.access_token not in str(token)
    assert "Bearer" in repr(token)


async def test_requests_and_responses_seen_by_a_middleware_repr_without_secrets(
    sandbox: Sandbox,
) -> None:
    """A user middleware that logs repr(request) and repr(response) logs no secret."""
    shown: list[str] = []

    async def log_everything(request: vapay.Request, call_next: vapay.Handler) -> vapay.Response:
        response = await call_next(request)
        shown.extend([repr(request), str(request), repr(response), str(response)])
        return response

    async with client_for(sandbox, middlewares=[log_everything]) as client:
        await client.accounts.get(sandbox.state.accounts[0].id)

    assert shown
    assert leaks(shown, secrets_of(sandbox)) == []


async def test_a_truncated_token_answer_leaves_no_piece_of_the_token_in_the_chain(
    sandbox: Sandbox,
) -> None:
    """Even the suppressed __context__ of the error holds no piece of the token."""
    sandbox.truncate_next(route="token")

    async with client_for(sandbox, max_retries=0) as client:
        with pytest.raises(vapay.APIResponseValidationError) as caught:
            await client.accounts.get(sandbox.state.accounts[0].id)

    chain: list[str] = []
    current: BaseException | None = caught.value
    while current is not None:
        chain += [str(current), repr(current), str(getattr(current, "body", ""))]
        current = current.__cause__ or current.__context__
    assert leaks(chain, secrets_of(sandbox)) == []


# ---------------------------------------------------------------------------
# The DEBUG record of each attempt.

ATTEMPT = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>/\S*) -> (?P<outcome>.+?) "
    r"\((?:page \d+, )?attempt (?P<attempt>\d+), (?P<elapsed>\d+\.\d+)s\)$"
)


def attempt_records(caplog: pytest.LogCaptureFixture, path: str) -> list[dict[str, str]]:
    """The parsed `vapay` DEBUG records of attempts on *path*, in order."""
    parsed = []
    for record in caplog.records:
        match = ATTEMPT.match(record.getMessage())
        if record.name == "vapay" and match and match["path"] == path:
            assert record.levelno == logging.DEBUG
            parsed.append(match.groupdict())
    return parsed


async def test_each_attempt_is_logged_with_method_path_status_attempt_and_elapsed(
    sandbox: Sandbox, debug_logs: pytest.LogCaptureFixture
) -> None:
    """Two 503s then a 200: three DEBUG records, attempts 1, 2, 3, each with its time."""
    account_id = sandbox.state.accounts[0].id
    sandbox.fail_next(503, times=2, route="accounts.get")

    async with client_for(sandbox) as client:
        await client.accounts.get(account_id)

    records = attempt_records(debug_logs, f"/api/v1.0/accounts/{account_id}")
    assert [(r["method"], r["outcome"], r["attempt"]) for r in records] == [
        ("GET", "503", "1"),
        ("GET", "503", "2"),
        ("GET", "200", "3"),
    ]
    assert all(0 <= float(r["elapsed"]) < 5 for r in records)


async def test_the_token_request_is_logged_like_any_attempt(
    sandbox: Sandbox, debug_logs: pytest.LogCaptureFixture
) -> None:
    """The token request gets its own DEBUG record: POST, its path, 200, attempt 1."""
    async with client_for(sandbox) as client:
        await client.accounts.get(sandbox.state.accounts[0].id)

    records = attempt_records(debug_logs, "/api/v1.1/access-token/b2b")
    assert [(r["method"], r["outcome"], r["attempt"]) for r in records] == [("POST", "200", "1")]


@pytest.mark.parametrize(
    ("inject", "options", "failure"),
    [
        (
            # Twice: aiohttp itself resends a GET once when the connection drops.
            lambda sb: sb.drop_next(times=2, route="accounts.get"),
            {},
            re.compile(r"Disconnected|reset|closed", re.IGNORECASE),
        ),
        (
            lambda sb: sb.delay_next(1.0, route="accounts.get"),
            {"timeout": 0.2},
            re.compile(r"time", re.IGNORECASE),
        ),
    ],
    ids=["dropped", "timeout"],
)
async def test_a_failed_attempt_is_logged_with_its_failure(
    sandbox: Sandbox,
    debug_logs: pytest.LogCaptureFixture,
    inject: Callable[[Sandbox], object],
    options: dict[str, object],
    failure: re.Pattern[str],
) -> None:
    """An attempt without an answer is logged with what went wrong; the retry with 200."""
    account_id = sandbox.state.accounts[0].id
    inject(sandbox)

    async with client_for(sandbox, **options) as client:
        await client.accounts.get(account_id)

    records = attempt_records(debug_logs, f"/api/v1.0/accounts/{account_id}")
    assert [r["attempt"] for r in records] == [str(n) for n in range(1, len(records) + 1)]
    assert len(records) >= 2
    assert all(failure.search(r["outcome"]) for r in records[:-1]), records
    assert records[-1]["outcome"] == "200"


async def test_a_refused_connection_is_logged_as_such(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    """Each refused attempt is a DEBUG record naming the refusal and the attempt."""
    client = vapay.Client(
        api_key=API_KEY,
        token="static-token-value",
        base_url=f"http://127.0.0.1:{closed_port()}",
        max_retries=1,
        retry_policy=vapay.RetryPolicy(initial_delay=0.001, max_delay=0.005),
    )
    async with client:
        with pytest.raises(vapay.APIConnectionError):
            await client.accounts.get("42")

    records = attempt_records(debug_logs, "/api/v1.0/accounts/42")
    assert [r["attempt"] for r in records] == ["1", "2"]
    assert all(re.search("refused", r["outcome"], re.IGNORECASE) for r in records)
    assert leaks(log_texts(debug_logs), {"static-token-value", API_KEY}) == []
