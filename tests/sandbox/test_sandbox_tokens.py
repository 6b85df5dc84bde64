"""Both access-token endpoints, with their real checks, and token expiry."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from sandbox_helpers import Api, FakeClock

from vapay._signature import token_signature

V1_1 = "/api/v1.1/access-token/b2b"
V1_0 = "/api/v1.0/access-token/b2b"
GRANT = {"grant_type": "client_credentials"}


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


async def test_v1_1_issues_a_bearer_token_with_string_expires_in(api: Api) -> None:
    """A correctly signed v1.1 request gets a token and expires_in as a string."""
    status, body = await api.request("POST", V1_1, headers=api.token_headers(), json=GRANT)

    assert status == 200
    assert body["success"] is True
    assert body["data"]["token_type"] == "Bearer"
    assert body["data"]["expires_in"] == "3600"
    assert isinstance(body["data"]["access_token"], str)


@pytest.mark.parametrize(
    "override",
    [
        {"X-Signature": "0" * 128},
        {"X-PARTNER-ID": "someone-else"},
        {"X-CLIENT-ID": "someone-else"},
    ],
    ids=["signature", "partner-id", "client-id"],
)
async def test_v1_1_rejects_wrong_credentials(api: Api, override: dict[str, str]) -> None:
    """A wrong signature, partner id or client id gets the 401 envelope."""
    headers = api.token_headers(**override)

    status, body = await api.request("POST", V1_1, headers=headers, json=GRANT)

    assert status == 401
    assert body["success"] is False
    assert body["error"]["code"] == 401


@pytest.mark.parametrize("header", ["X-Signature", "X-PARTNER-ID", "X-CLIENT-ID"])
async def test_v1_1_rejects_a_missing_header(api: Api, header: str) -> None:
    """Each v1.1 header is required."""
    headers = api.token_headers()
    del headers[header]

    status, _ = await api.request("POST", V1_1, headers=headers, json=GRANT)

    assert status == 401


async def test_v1_1_signs_the_jakarta_date(api: Api, clock: FakeClock) -> None:
    """At 01:00 WIB on the 21st (the 20th in UTC) only the 21st's signature works."""
    clock.now = dt.datetime(2025, 9, 20, 18, 0, tzinfo=dt.timezone.utc).timestamp()
    sb = api.sandbox
    utc_dated = token_signature(sb.client_id, sb.client_secret, "20250920")
    jakarta_dated = token_signature(sb.client_id, sb.client_secret, "20250921")

    statuses = [
        (
            await api.request(
                "POST", V1_1, headers=api.token_headers(**{"X-Signature": sig}), json=GRANT
            )
        )[0]
        for sig in (utc_dated, jakarta_dated)
    ]

    assert statuses == [401, 200]


@pytest.mark.parametrize(
    "body",
    [{}, {"grant_type": "password"}, {"grant_type": None}, {"grantType": "x"}],
    ids=["missing", "other", "null", "wrong-spelling-for-v1.1"],
)
async def test_v1_1_rejects_a_bad_grant_type(api: Api, body: dict[str, Any]) -> None:
    """grant_type must be client_credentials: 422 naming the field."""
    status, resp = await api.request("POST", V1_1, headers=api.token_headers(), json=body)

    assert status == 422
    assert "grant_type" in resp["error"]["errors"]


async def test_v1_1_answers_a_malformed_body_with_400(api: Api) -> None:
    """A body that is not JSON is a 400 envelope, not a crash."""
    status, body = await api.request(
        "POST", V1_1, headers=api.token_headers(), data=b"grant_type=client_credentials"
    )

    assert status == 400
    assert body["success"] is False


@pytest.mark.parametrize("field", ["grant_type", "grantType"])
async def test_v1_0_issues_a_token_for_basic_credentials(api: Api, field: str) -> None:
    """v1.0 takes Basic client credentials and either spelling of grant_type."""
    sb = api.sandbox
    headers = {
        "X-PARTNER-ID": sb.api_key,
        "Authorization": basic(sb.client_id, sb.client_secret),
    }

    status, body = await api.request(
        "POST", V1_0, headers=headers, json={field: "client_credentials"}
    )

    assert status == 200
    assert body["data"]["expires_in"] == "3600"


@pytest.mark.parametrize(
    "authorization",
    [
        basic("vapay-sandbox-client-id", "wrong-secret"),
        basic("someone-else", "vapay-sandbox-client-secret"),
        "Basic !!not-base64!!",
        "Bearer abc",
        "",
    ],
    ids=["wrong-secret", "wrong-id", "garbled", "not-basic", "empty"],
)
async def test_v1_0_rejects_wrong_credentials(api: Api, authorization: str) -> None:
    """Anything but the right Basic credentials gets a 401."""
    headers = {"X-PARTNER-ID": api.sandbox.api_key, "Authorization": authorization}

    status, body = await api.request("POST", V1_0, headers=headers, json=GRANT)

    assert status == 401
    assert body["error"]["code"] == 401


@pytest.mark.parametrize(
    ("sandbox_options", "expires_in"),
    [
        ({"token_ttl": 3600.0}, "3600"),
        ({"token_ttl": 216000}, "216000"),
        ({"token_ttl": 0.5}, "0.5"),
    ],
    ids=["3600", "216000", "fractional"],
)
async def test_expires_in_is_the_ttl_as_a_string(api: Api, expires_in: str) -> None:
    """expires_in is str(int) for whole seconds, the float text otherwise."""
    _, body = await api.request("POST", V1_1, headers=api.token_headers(), json=GRANT)

    assert body["data"]["expires_in"] == expires_in


async def test_token_requests_are_counted(api: Api) -> None:
    """Both versions count as the "token" route."""
    await api.token()
    await api.token()

    assert api.sandbox.state.token_requests == 2
    assert api.sandbox.state.count("token") == 2


@pytest.mark.parametrize("sandbox_options", [{"token_ttl": 60.0}])
async def test_a_token_expires_after_its_ttl(api: Api, clock: FakeClock) -> None:
    """A token works until ttl seconds have passed on the sandbox's clock, then 401."""
    headers = await api.auth_headers()

    clock.now += 59.9
    fresh, _ = await api.request("GET", "/api/v1.0/accounts", headers=headers)
    clock.now += 0.1
    expired, body = await api.request("GET", "/api/v1.0/accounts", headers=headers)

    assert (fresh, expired) == (200, 401)
    assert body["error"]["message"] == "Unauthorized partner, please sign in"
