"""Client configuration, lifecycle and ownership."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest
from aioresponses import aioresponses

import vapay
from vapay._transport import Handler, Request, Response

BASE = "https://api.example.test"
ENV = ("VAPAY_API_KEY", "VAPAY_CLIENT_ID", "VAPAY_CLIENT_SECRET", "VAPAY_BASE_URL")
ACCOUNT = {"status": 200, "success": True, "data": {"id": 1, "status": "active"}}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(name="http")
def _http() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """VAPAY_* variables configure a client created without arguments."""
    monkeypatch.setenv("VAPAY_API_KEY", "k")
    monkeypatch.setenv("VAPAY_CLIENT_ID", "c")
    monkeypatch.setenv("VAPAY_CLIENT_SECRET", "s")
    monkeypatch.setenv("VAPAY_BASE_URL", "https://other.example.test/")

    client = vapay.Client()

    assert client.base_url == "https://other.example.test"


def test_the_sandbox_is_the_default_base_url() -> None:
    """Without base_url or VAPAY_BASE_URL the client talks to the vendor's sandbox."""
    client = vapay.Client(api_key="k", client_id="c", client_secret="s")

    assert client.base_url == vapay.SANDBOX_URL


def test_missing_credentials_name_the_argument_and_the_variable() -> None:
    """One error lists every missing credential with its argument and variable."""
    with pytest.raises(vapay.VapayError) as caught:
        vapay.Client(api_key="k")

    message = str(caught.value)
    assert "client_id=" in message
    assert "VAPAY_CLIENT_ID" in message
    assert "client_secret=" in message
    assert "VAPAY_CLIENT_SECRET" in message
    assert "api_key" not in message


def test_a_static_token_needs_no_client_credentials() -> None:
    """token= replaces client_id and client_secret; api_key is still required."""
    vapay.Client(api_key="k", token="t")

    with pytest.raises(vapay.VapayError, match="VAPAY_API_KEY"):
        vapay.Client(token="t")


@pytest.mark.parametrize(
    "base_url",
    ["ftp://x.test", "not a url", "https://", "https://x.test/?a=1"],
    ids=["ftp", "garbage", "no-host", "query"],
)
def test_unusable_base_urls_are_rejected(base_url: str) -> None:
    """A base_url that is not an http(s) URL with a host is a ValueError."""
    with pytest.raises(ValueError, match="base_url"):
        vapay.Client(api_key="k", token="t", base_url=base_url)


def test_plain_http_is_refused_for_remote_hosts() -> None:
    """Credentials never cross the network unencrypted unless the caller opts in."""
    with pytest.raises(ValueError, match="allow_insecure_http"):
        vapay.Client(api_key="k", token="t", base_url="http://api.example.test")

    opted_in = vapay.Client(
        api_key="k", token="t", base_url="http://api.example.test", allow_insecure_http=True
    )
    assert opted_in.base_url == "http://api.example.test"


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"]
)
def test_plain_http_is_allowed_on_loopback(base_url: str) -> None:
    """A local sandbox over http needs no opt-in."""
    assert vapay.Client(api_key="k", token="t", base_url=base_url).base_url == base_url


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"deadline": -3}, "deadline"),
        ({"connection_limit": 0}, "connection_limit"),
        ({"token_endpoint": "v2"}, "token_endpoint"),
        ({"token_timeout": float("inf")}, "token_timeout"),
    ],
    ids=[
        "retries-negative",
        "retries-float",
        "timeout-zero",
        "deadline-negative",
        "limit",
        "version",
        "token-timeout",
    ],
)
def test_bad_settings_are_value_errors(kwargs: dict[str, object], match: str) -> None:
    """Each bad setting fails at construction with a ValueError naming it."""
    with pytest.raises(ValueError, match=match):
        vapay.Client(api_key="k", token="t", **kwargs)  # type: ignore[arg-type]


def test_repr_shows_no_secret() -> None:
    """repr(client) shows the base URL and state, never a credential."""
    client = vapay.Client(api_key="key-123", client_id="id-456", client_secret="secret-789")

    text = repr(client)

    assert text == f"<vapay.Client base_url={vapay.SANDBOX_URL!r} unopened>"
    for secret in ("key-123", "id-456", "secret-789"):
        assert secret not in text


async def test_no_session_is_opened_until_the_first_request(http: aioresponses) -> None:
    """Constructing and entering a client opens nothing; closing it is then a no-op."""
    async with vapay.Client(api_key="k", token="t", base_url=BASE) as client:
        assert "unopened" in repr(client)
    assert "closed" in repr(client)


async def test_a_closed_client_refuses_requests(http: aioresponses) -> None:
    """After close(), a request is a RuntimeError saying so."""
    client = vapay.Client(api_key="k", token="t", base_url=BASE)
    await client.close()

    with pytest.raises(RuntimeError, match="closed"):
        await client.accounts.get(1)


async def test_a_borrowed_session_is_used_and_left_open(http: aioresponses) -> None:
    """session= is used for requests and never closed by the client."""
    http.get(f"{BASE}/api/v1.0/accounts/1", payload=ACCOUNT)
    async with aiohttp.ClientSession() as session:
        async with vapay.Client(api_key="k", token="t", base_url=BASE, session=session) as client:
            account = await client.accounts.get(1)

        assert account.id == "1"
        assert not session.closed


async def test_user_middlewares_see_every_request(http: aioresponses) -> None:
    """middlewares= run for each attempt, after auth has set the token."""
    http.get(f"{BASE}/api/v1.0/accounts/1", payload=ACCOUNT)
    seen: list[tuple[str, str, str]] = []

    async def record(request: Request, call_next: Handler) -> Response:
        response = await call_next(request)
        seen.append((request.method, request.path, request.headers["Authorization"]))
        return response

    async with vapay.Client(api_key="k", token="t", base_url=BASE, middlewares=[record]) as client:
        await client.accounts.get(1)

    assert seen == [("GET", "/api/v1.0/accounts/1", "Bearer t")]


async def test_with_options_changes_settings_for_its_calls_only(http: aioresponses) -> None:
    """with_options(max_retries=0) does not retry; the original client still does."""
    url = f"{BASE}/api/v1.0/accounts/1"
    http.get(url, status=503, payload={}, repeat=True)
    policy = vapay.RetryPolicy(initial_delay=0.001, max_delay=0.001)
    async with vapay.Client(
        api_key="k", token="t", base_url=BASE, max_retries=2, retry_policy=policy
    ) as client:
        with pytest.raises(vapay.InternalServerError):
            await client.with_options(max_retries=0).accounts.get(1)
        once = len(next(iter(http.requests.values())))
        with pytest.raises(vapay.InternalServerError):
            await client.accounts.get(1)

    assert once == 1
    assert len(next(iter(http.requests.values()))) == 1 + 3


async def test_request_returns_the_data_of_any_endpoint(http: aioresponses) -> None:
    """client.request() is the escape hatch: envelope data as decoded JSON."""
    http.get(f"{BASE}/api/v1.0/balance", payload={"status": 200, "success": True, "data": [1]})
    async with vapay.Client(api_key="k", token="t", base_url=BASE) as client:
        assert await client.request("GET", "/api/v1.0/balance") == [1]


async def test_the_default_provider_fetches_a_token_once(http: aioresponses) -> None:
    """Two calls with client credentials make one token request."""
    token = {"status": 200, "success": True, "data": {"access_token": "x", "expires_in": "3600"}}
    http.post(f"{BASE}/api/v1.1/access-token/b2b", payload=token)
    http.get(f"{BASE}/api/v1.0/accounts/1", payload=ACCOUNT, repeat=True)
    async with vapay.Client(api_key="k", client_id="c", client_secret="s", base_url=BASE) as client:
        await client.accounts.get(1)
        await client.accounts.get(1)

    token_calls = [k for k in http.requests if k[0] == "POST"]
    assert len(http.requests[token_calls[0]]) == 1


@pytest.mark.parametrize("field", ["api_key", "client_id"])
def test_credentials_that_cannot_be_headers_are_refused_at_construction(field: str) -> None:
    """A credential with a space or CRLF is a ValueError naming it, not a failure per call."""
    settings = {"api_key": "k", "client_id": "c", "client_secret": "s", field: "a\r\nb"}

    with pytest.raises(ValueError, match=field) as caught:
        vapay.Client(**settings)

    assert "a\r\nb" not in str(caught.value)


def test_a_token_that_is_neither_a_string_nor_a_provider_is_refused() -> None:
    """token= must be a string or a TokenProvider: anything else fails at construction."""
    with pytest.raises(ValueError, match="get_token"):
        vapay.Client(api_key="k", token=42)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [float("inf"), float("nan")], ids=["inf", "nan"])
def test_a_non_finite_timeout_is_a_value_error(value: float) -> None:
    """timeout=inf would fail deep in aiohttp on the first call: refuse it at once."""
    with pytest.raises(ValueError, match="timeout"):
        vapay.Client(api_key="k", token="t", timeout=value)
