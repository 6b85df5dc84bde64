"""Switchable faults: each does what it says, counts down, and is reproducible."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from sandbox_helpers import Api

from vapay.sandbox import Fault, Sandbox

ACCOUNTS = "/api/v1.0/accounts"
TOKEN = "/api/v1.1/access-token/b2b"
GRANT = {"grant_type": "client_credentials"}


async def raw(api: Api, headers: dict[str, str], path: str = ACCOUNTS) -> aiohttp.ClientResponse:
    """One GET whose response is read in full and returned."""
    async with api.session.get(api.sandbox.url + path, headers=headers) as resp:
        await resp.read()
        return resp


async def statuses(api: Api, count: int, path: str = ACCOUNTS) -> list[int | str]:
    """Statuses of *count* GETs, "drop" for a dropped connection."""
    headers = await api.auth_headers()
    out: list[int | str] = []
    for _ in range(count):
        try:
            out.append((await raw(api, headers, path)).status)
        except aiohttp.ServerDisconnectedError:  # noqa: PERF203  (the drop is the data)
            out.append("drop")
    return out


async def test_fail_next_answers_the_error_envelope(api: Api) -> None:
    """fail_next answers the JSON error envelope with the given status."""
    headers = await api.auth_headers()
    api.sandbox.fail_next(503)

    status, body = await api.request("GET", ACCOUNTS, headers=headers)

    assert status == 503
    assert body == {
        "status": 503,
        "success": False,
        "error": {"code": 503, "message": "Service Unavailable"},
    }


@pytest.mark.parametrize("retry_after", [7, "7", "Wed, 21 Oct 2026 07:28:00 GMT"])
async def test_fail_next_sends_retry_after(api: Api, retry_after: str | int) -> None:
    """A 429 carries the Retry-After header it was given."""
    headers = await api.auth_headers()
    api.sandbox.fail_next(429, retry_after=retry_after)

    resp = await raw(api, headers)

    assert resp.status == 429
    assert resp.headers["Retry-After"] == str(retry_after)


async def test_a_fault_counts_down_then_stops(api: Api) -> None:
    """times=2 fails exactly two requests, then the route answers normally."""
    fault = api.sandbox.fail_next(500, times=2)

    got = await statuses(api, 3)

    assert got == [500, 500, 200]
    assert (fault.times, fault.applied) == (0, 2)
    assert api.sandbox.state.faults.pending == ()


async def test_drop_next_closes_the_connection_unanswered(api: Api) -> None:
    """drop_next closes the connection before any response byte."""
    api.sandbox.drop_next()

    got = await statuses(api, 2)

    assert got == ["drop", 200]
    assert api.sandbox.state.requests[-2].fault == "drop"
    assert api.sandbox.state.requests[-2].status is None


async def test_a_dropped_create_creates_nothing(api: Api) -> None:
    """The handler never runs for a dropped request."""
    headers = await api.auth_headers()
    api.sandbox.drop_next(route="accounts.create")
    before = len(api.sandbox.state.accounts)

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.request("POST", ACCOUNTS, headers=headers, json={"name": "Budi"})

    assert len(api.sandbox.state.accounts) == before


@pytest.mark.parametrize("status", [502, 504])
async def test_html_next_answers_a_proxy_page(api: Api, status: int) -> None:
    """html_next answers text/html with the given status."""
    headers = await api.auth_headers()
    api.sandbox.html_next(status=status)

    async with api.session.get(api.sandbox.url + ACCOUNTS, headers=headers) as resp:
        text = await resp.text()

    assert resp.status == status
    assert resp.content_type == "text/html"
    assert text.startswith("<html>")


async def test_truncate_next_cuts_the_body_in_half(api: Api) -> None:
    """A truncated 200 has half the real body, and a Content-Length to match."""
    headers = await api.auth_headers()
    whole = await (await api.session.get(api.sandbox.url + ACCOUNTS, headers=headers)).read()
    api.sandbox.truncate_next()

    async with api.session.get(api.sandbox.url + ACCOUNTS, headers=headers) as resp:
        cut = await resp.read()

    assert resp.status == 200
    assert cut == whole[: len(whole) // 2]
    assert resp.headers["Content-Length"] == str(len(cut))


async def test_a_truncated_create_still_creates(api: Api) -> None:
    """The handler runs before the body is cut: the account exists."""
    headers = await api.auth_headers()
    api.sandbox.truncate_next(route="accounts.create")
    before = len(api.sandbox.state.accounts)

    async with api.session.post(
        api.sandbox.url + ACCOUNTS, headers=headers, json={"name": "Budi"}
    ) as resp:
        await resp.read()

    assert len(api.sandbox.state.accounts) == before + 1


async def test_delay_next_answers_late(api: Api) -> None:
    """delay_next adds its seconds to the response, once."""
    headers = await api.auth_headers()
    api.sandbox.delay_next(0.3)

    start = time.monotonic()
    first = await raw(api, headers)
    middle = time.monotonic()
    await raw(api, headers)
    end = time.monotonic()

    assert first.status == 200
    assert middle - start >= 0.29  # asyncio may wake a timer a tick early
    assert end - middle < 0.3


async def test_expire_tokens_invalidates_issued_tokens(api: Api) -> None:
    """After expire_tokens, an issued token gets 401; a new token works."""
    headers = await api.auth_headers()
    api.sandbox.expire_tokens()

    expired = (await raw(api, headers)).status
    fresh = (await raw(api, await api.auth_headers())).status

    assert (expired, fresh) == (401, 200)


async def test_expire_token_next_expires_just_before_the_check(api: Api) -> None:
    """The targeted request gets 401 although its token was valid."""
    headers = await api.auth_headers()
    api.sandbox.expire_token_next(route="accounts.list")

    first = (await raw(api, headers)).status
    again = (await raw(api, headers)).status

    assert (first, again) == (401, 401)
    assert api.sandbox.state.requests[-2].fault == "expire_token"


async def test_route_none_spares_the_token_route(api: Api) -> None:
    """A fault without a route hits API calls, never the token endpoint."""
    api.sandbox.fail_next(503)

    headers = await api.auth_headers()
    status = (await raw(api, headers)).status

    assert status == 503


async def test_a_token_route_fault_hits_only_token_requests(api: Api) -> None:
    """route="token" fails the token request and leaves API calls alone."""
    headers = await api.auth_headers()
    api.sandbox.fail_next(500, route="token")

    listed = (await raw(api, headers)).status
    token_status, _ = await api.request("POST", TOKEN, headers=api.token_headers(), json=GRANT)

    assert (listed, token_status) == (200, 500)


async def test_a_route_fault_spares_other_routes(api: Api) -> None:
    """A fault for accounts.get leaves accounts.list alone."""
    api.sandbox.fail_next(503, route="accounts.get")
    account_id = api.sandbox.state.accounts[0].id

    got = await statuses(api, 1) + await statuses(api, 1, f"{ACCOUNTS}/{account_id}")

    assert got == [200, 503]


async def test_faulted_requests_are_logged_and_counted(api: Api) -> None:
    """A faulted request is in the log with the fault's kind, and counted."""
    api.sandbox.fail_next(503)

    await statuses(api, 1)

    last = api.sandbox.state.requests[-1]
    assert (last.route, last.fault, last.status) == ("accounts.list", "status", 503)
    assert api.sandbox.state.count("accounts.list") == 1


async def test_schedule_serves_its_entries_in_order(api: Api) -> None:
    """The n-th matching request gets the n-th entry, then normal answers."""
    api.sandbox.fault_schedule("accounts.list", ["ok", 503, "drop", 429, "html", "truncate", "ok"])

    got = await statuses(api, 8)

    assert got == [200, 503, "drop", 429, 502, 200, 200, 200]
    faults = [r.fault for r in api.sandbox.state.requests if r.route == "accounts.list"]
    assert faults == [None, "status", "drop", "status", "html", "truncate", None, None]


async def test_schedule_takes_fault_objects(api: Api) -> None:
    """A Fault entry carries settings a bare entry cannot, like Retry-After."""
    api.sandbox.fault_schedule(None, [Fault(kind="status", status=429, retry_after=2)])
    headers = await api.auth_headers()

    resp = await raw(api, headers)

    assert (resp.status, resp.headers["Retry-After"]) == (429, "2")


@pytest.mark.parametrize("entry", ["delay", "boom", 3.5], ids=str)
def test_schedule_rejects_unknown_entries(entry: Any) -> None:
    """An entry that names no fault is a ValueError, not a silent no-op."""
    with pytest.raises(ValueError, match="schedule entry"):
        Sandbox().fault_schedule(None, [entry])


async def test_fault_rate_is_reproducible_for_a_seed(api: Api) -> None:
    """The same seed gives the same schedule of faulted requests."""
    runs = []
    for _ in range(2):
        api.sandbox.clear_faults()
        api.sandbox.fault_rate("status", 0.5, seed=42)
        runs.append(await statuses(api, 16))

    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 503}


async def test_fault_rate_depends_on_the_seed(api: Api) -> None:
    """Different seeds give different schedules."""
    runs = []
    for seed in (1, 2):
        api.sandbox.clear_faults()
        api.sandbox.fault_rate("status", 0.5, seed=seed)
        runs.append(await statuses(api, 16))

    assert runs[0] != runs[1]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("drop", "drop"), ("html", 502), ("expire_token", 401), ("truncate", 200), ("delay", 200)],
)
async def test_fault_rate_applies_each_kind(api: Api, kind: Any, expected: int | str) -> None:
    """At rate 1 every matching request suffers the fault."""
    api.sandbox.fault_rate(kind, 1.0, seconds=0.01)

    got = await statuses(api, 2)

    assert got == [expected, expected]
    assert all(r.fault == kind for r in api.sandbox.state.requests if r.route != "token")


async def test_a_rate_fault_draws_even_when_another_fault_applies(api: Api) -> None:
    """A counted fault ahead of a rate fault does not shift the rate's schedule."""
    api.sandbox.fault_rate("status", 0.5, seed=3)
    alone = await statuses(api, 8)
    api.sandbox.clear_faults()
    api.sandbox.fail_next(500, times=2)
    api.sandbox.fault_rate("status", 0.5, seed=3)

    mixed = await statuses(api, 8)

    assert mixed[:2] == [500, 500]
    assert mixed[2:] == alone[2:]


async def test_clear_faults_removes_everything_pending(api: Api) -> None:
    """After clear_faults the route answers normally."""
    api.sandbox.fail_next(503, times=5)
    api.sandbox.fault_rate("drop", 1.0)

    api.sandbox.clear_faults()

    assert await statuses(api, 2) == [200, 200]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "status", "times": 0},
        {"kind": "status", "rate": 1.5},
        {"kind": "status", "status": 42},
        {"kind": "status", "route": "accounts.delete"},
        {"kind": "delay", "seconds": -1},
        {"kind": "expire_token", "route": "token"},
    ],
    ids=["kind", "times", "rate", "status", "route", "seconds", "expire-token-route"],
)
def test_a_bad_fault_is_rejected(kwargs: dict[str, Any]) -> None:
    """Faults validate their settings when created."""
    with pytest.raises(ValueError):  # noqa: PT011  (each case has its own message)
        Fault(**kwargs)


@pytest.mark.parametrize("sandbox_options", [{"latency": 0.3}])
async def test_latency_delays_api_calls_but_not_tokens(api: Api) -> None:
    """latency= applies to every non-token response."""
    start = time.monotonic()
    headers = await api.auth_headers()
    after_token = time.monotonic()
    await raw(api, headers)
    end = time.monotonic()

    assert after_token - start < 0.3
    assert end - after_token >= 0.29  # asyncio may wake a timer a tick early


async def test_concurrent_requests_consume_a_counted_fault_once_each(api: Api) -> None:
    """Under concurrency, times=3 faults exactly three requests."""
    headers = await api.auth_headers()
    api.sandbox.fail_next(503, times=3)

    responses = await asyncio.gather(*(raw(api, headers) for _ in range(10)))

    assert sorted(r.status for r in responses) == [200] * 7 + [503] * 3
