"""Access tokens: parsing the endpoint's answer, freshness, the secret's safety, the signature."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from vapay._auth import parse_token_response
from vapay._errors import (
    APIResponseValidationError,
    AuthenticationError,
    PermissionDeniedError,
    VapayError,
)
from vapay._signature import jakarta_date, token_signature
from vapay._token import Token, is_fresh, refresh_margin
from vapay._transport import Request, Response

DATA = Path(__file__).parent.parent / "data"
TOKEN_URL = URL("https://sandbox.test/api/v1.1/access-token/b2b")
SECRET = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.s1gn4tur3"
PROBLEM = "POST /api/v1.1/access-token/b2b: "


def token_answer(status: int, body: object) -> Response:
    """The token endpoint's answer: *body* as bytes, text, or JSON to encode."""
    if isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = json.dumps(body).encode()
    return Response(
        status=status,
        headers=CIMultiDictProxy(CIMultiDict()),
        body=raw,
        request=Request(method="POST", url=TOKEN_URL, json={"grant_type": "client_credentials"}),
    )


def fixture_answer(name: str, status: int = 200) -> Response:
    """The token endpoint's answer whose body is the fixture file, byte for byte."""
    return token_answer(status, (DATA / name).read_bytes())


def enveloped(**data: object) -> dict[str, object]:
    """The documented token envelope around *data*."""
    return {"status": 200, "success": True, "data": data}


# --- bodies that hold a token ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "access_token", "expires_in"),
    [
        ("peer/laravel-singapay/access-token-v1_1-success.json", "test-access-token", 216000.0),
        ("peer/laravel-singapay/access-token-v1_0-success.json", "legacy-access-token", 3600.0),
        ("peer/singapay-ledger/access-token-v1_1-success.json", "the-access-token", 216000.0),
        ("peer/laravel-singapay/access-token-identity-host-flat.json", "kyc-access-token", 3600.0),
        ("peer/singapay-js/access-token-flat-stub.json", "token-123", 216000.0),
    ],
    ids=["laravel-v1.1", "laravel-v1.0", "ledger-v1.1", "laravel-flat", "js-flat-no-type"],
)
def test_peer_token_bodies_parse(name: str, access_token: str, expires_in: float) -> None:
    """Enveloped and flat token bodies give the token, `Bearer` and seconds as a float."""
    token = parse_token_response(fixture_answer(name), issued_at=100.0)
    assert token.access_token == access_token
    assert token.token_type == "Bearer"
    assert token.expires_in == expires_in
    assert token.issued_at == 100.0


@pytest.mark.parametrize(
    ("wire", "expected"),
    [("3600", 3600.0), (3600, 3600.0), ("216000", 216000.0), (59.5, 59.5), ("1", 1.0)],
    ids=["string", "integer", "long-string", "fraction", "one-second"],
)
def test_expires_in_as_seconds(wire: object, expected: float) -> None:
    """`expires_in` as a string or number becomes seconds as a float."""
    token = parse_token_response(
        token_answer(200, enveloped(access_token=SECRET, expires_in=wire)), issued_at=0.0
    )
    assert token.expires_in == expected
    assert type(token.expires_in) is float


@pytest.mark.parametrize(
    "data",
    [{"access_token": SECRET}, {"access_token": SECRET, "expires_in": None}],
    ids=["absent", "null"],
)
def test_missing_expires_in_is_none(data: dict[str, object]) -> None:
    """Without `expires_in` the token's lifetime is unknown (None), not an error."""
    token = parse_token_response(token_answer(200, enveloped(**data)), issued_at=0.0)
    assert token.expires_in is None


def test_token_type_is_kept() -> None:
    """The token type the endpoint names is kept."""
    body = enveloped(access_token=SECRET, token_type="bearer", expires_in="3600")
    assert parse_token_response(token_answer(200, body), issued_at=0.0).token_type == "bearer"


# --- bodies without a usable token -----------------------------------------------------


@pytest.mark.parametrize(
    "wire",
    ["0", 0, "-5", -5, "abc", "", True, False, "inf", "nan", [3600], {"s": 1}],
    ids=[
        "zero-string",
        "zero",
        "negative-string",
        "negative",
        "letters",
        "empty",
        "true",
        "false",
        "inf",
        "nan",
        "list",
        "object",
    ],
)
def test_unusable_expires_in_is_validation_error(wire: object) -> None:
    """A zero, negative, non-numeric, bool or non-finite `expires_in` is rejected at its path."""
    answer = token_answer(200, enveloped(access_token=SECRET, expires_in=wire))
    with pytest.raises(APIResponseValidationError) as info:
        parse_token_response(answer, issued_at=0.0)
    assert str(info.value) == PROBLEM + "expected a positive number of seconds @ $.data.expires_in"


@pytest.mark.parametrize(
    "data",
    [{"expires_in": "3600"}, {"access_token": ""}, {"access_token": 12345}, {"token": SECRET}],
    ids=["absent", "empty", "number", "other-key"],
)
def test_missing_access_token_is_validation_error(data: dict[str, object]) -> None:
    """Without a non-empty string `access_token` the answer is rejected at its path."""
    with pytest.raises(APIResponseValidationError) as info:
        parse_token_response(token_answer(200, enveloped(**data)), issued_at=0.0)
    assert str(info.value) == PROBLEM + "expected a token of visible ASCII @ $.data.access_token"


def test_data_that_is_not_an_object_is_validation_error() -> None:
    """`data` that is not an object is rejected at `$.data`."""
    answer = token_answer(200, {"status": 200, "success": True, "data": "nope"})
    with pytest.raises(APIResponseValidationError) as info:
        parse_token_response(answer, issued_at=0.0)
    assert str(info.value) == PROBLEM + "expected an object @ $.data"


def test_envelope_without_data_is_validation_error() -> None:
    """An envelope with neither `data` nor a flat `access_token` is rejected at `$.data`."""
    with pytest.raises(APIResponseValidationError) as info:
        parse_token_response(token_answer(200, {"status": 200, "success": True}), issued_at=0.0)
    assert str(info.value) == PROBLEM + "required field missing @ $.data"


# --- the endpoint saying no ------------------------------------------------------------


def test_401_is_authentication_error_with_server_message() -> None:
    """The seeds' 401 body from the token endpoint is an AuthenticationError with its text."""
    with pytest.raises(AuthenticationError) as info:
        parse_token_response(fixture_answer("seeds/error-401.json", 401), issued_at=0.0)
    assert info.value.message == "Unauthorized partner, please sign in"


def test_403_ip_not_registered_is_permission_denied() -> None:
    """The real token 403 (message only) is a PermissionDeniedError with its text."""
    answer = fixture_answer("peer/laravel-singapay/access-token-403-ip-not-registered.json", 403)
    with pytest.raises(PermissionDeniedError) as info:
        parse_token_response(answer, issued_at=0.0)
    assert info.value.message == "Your IP address (1.2.3.4) is not registered"


def test_403_sp017_is_permission_denied_with_code() -> None:
    """The vendor's other envelope under 403 is a PermissionDeniedError coded SP017."""
    answer = fixture_answer("peer/singapay-js/access-token-403-sp017-stub.json", 403)
    with pytest.raises(PermissionDeniedError) as info:
        parse_token_response(answer, issued_at=0.0)
    assert (info.value.code, info.value.message) == ("SP017", "IP not registered")


# --- the secret never shows ------------------------------------------------------------


def test_token_repr_hides_the_secret() -> None:
    """repr() and str() of a Token show its type and lifetime, never the token."""
    token = Token(access_token=SECRET, expires_in=3600.0, issued_at=5.0)
    assert repr(token) == "Token(token_type='Bearer', expires_in=3600.0, issued_at=5.0)"
    assert SECRET not in str(token)


def test_parsed_token_repr_hides_the_secret() -> None:
    """A token parsed from an answer does not show its secret in repr()."""
    body = enveloped(access_token=SECRET, token_type="Bearer", expires_in="3600")
    token = parse_token_response(token_answer(200, body), issued_at=0.0)
    assert token.access_token == SECRET
    assert SECRET not in repr(token)


FAILED_PARSES = [
    pytest.param(enveloped(access_token=SECRET, expires_in="0"), id="bad-expires-in"),
    pytest.param(enveloped(access_token=SECRET, expires_in=True), id="bool-expires-in"),
    pytest.param(
        '{"status":200,"success":true,"data":{"access_token":"' + SECRET + '","expires_in":"36',
        id="truncated-json",
    ),
    pytest.param(
        {"status": 200, "success": True, "data": [SECRET]},
        id="data-is-a-list",
    ),
    pytest.param(
        {"status": 200, "success": True, "result": {"access_token": SECRET}},
        id="token-under-other-key",
    ),
]


@pytest.mark.parametrize("body", FAILED_PARSES)
def test_failed_parse_never_shows_the_token(body: object) -> None:
    """When an answer holding a token cannot be used, no part of the error shows the token."""
    with pytest.raises(VapayError) as info:
        parse_token_response(token_answer(200, body), issued_at=0.0)
    error = info.value
    shown = [str(error), repr(error.args), repr(vars(error))]
    assert [text for text in shown if SECRET in text] == []


# --- freshness -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_in", "issued_at", "now", "expected"),
    [
        (None, 0.0, 0.0, True),
        (None, 0.0, 1e12, True),
        (3600.0, 0.0, 0.0, True),
        (3600.0, 0.0, 3539.9, True),
        (3600.0, 0.0, 3540.0, False),
        (3600.0, 0.0, 7200.0, False),
        (3600.0, 1000.0, 4539.9, True),
        (3600.0, 1000.0, 4540.0, False),
        (216000.0, 0.0, 215939.0, True),
        (216000.0, 0.0, 215940.0, False),
        (60.0, 0.0, 29.9, True),
        (60.0, 0.0, 30.0, False),
        (1.0, 0.0, 0.49, True),
        (1.0, 0.0, 0.5, False),
    ],
    ids=[
        "unknown-life-at-once",
        "unknown-life-much-later",
        "just-issued",
        "just-before-margin",
        "at-margin",
        "expired",
        "later-issue-before-margin",
        "later-issue-at-margin",
        "long-life-before-margin",
        "long-life-at-margin",
        "one-minute-life-before-half",
        "one-minute-life-at-half",
        "one-second-life-before-half",
        "one-second-life-at-half",
    ],
)
def test_is_fresh(expires_in: float | None, issued_at: float, now: float, expected: bool) -> None:
    """A token is fresh until 60 s (or half its life, if shorter) before it expires."""
    token = Token(access_token=SECRET, expires_in=expires_in, issued_at=issued_at)
    assert is_fresh(token, now=now) is expected


def test_is_fresh_with_other_margin() -> None:
    """A caller's margin moves the refresh point, still capped at half the life."""
    token = Token(access_token=SECRET, expires_in=3600.0, issued_at=0.0)
    assert is_fresh(token, now=3299.0, margin=300.0) is True
    assert is_fresh(token, now=3300.0, margin=300.0) is False
    assert is_fresh(token, now=1800.0, margin=10_000.0) is False


@pytest.mark.parametrize(
    ("expires_in", "preferred", "expected"),
    [
        (3600.0, 60.0, 60.0),
        (216000.0, 60.0, 60.0),
        (120.0, 60.0, 60.0),
        (100.0, 60.0, 50.0),
        (10.0, 60.0, 5.0),
        (100.0, 300.0, 50.0),
    ],
    ids=["hour", "long", "exactly-twice", "short", "very-short", "large-preference"],
)
def test_refresh_margin_never_exceeds_half_the_life(
    expires_in: float, preferred: float, expected: float
) -> None:
    """The refresh margin is the preferred one, but never more than half the life."""
    assert refresh_margin(expires_in, preferred) == expected


# --- the v1.1 signature ----------------------------------------------------------------


def test_token_signature_worked_example() -> None:
    """The REFERENCE worked example gives exactly the documented HMAC-SHA512 hex."""
    signature = token_signature(
        "a2fca1f4-92f0-474d-a6d5-d92ca830be79", "UAkHVDuPSqHQI17ED9vDXNHq9o6MfcSZ", "20250921"
    )
    assert signature == (
        "821aa0ee5293420d4096d087bd0efe26b452760fd45f800e84d5871d05e8c18d"
        "1ffdca800dc6de27457126293dcbb1f9e761e1f9691fc645821480af90d00ee6"
    )


def test_token_signature_changes_with_the_date() -> None:
    """The signature of another day is a different one."""
    args = ("a2fca1f4-92f0-474d-a6d5-d92ca830be79", "UAkHVDuPSqHQI17ED9vDXNHq9o6MfcSZ")
    assert token_signature(*args, "20250920") != token_signature(*args, "20250921")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2025, 9, 20, 17, 30, tzinfo=dt.timezone.utc), "20250921"),
        (dt.datetime(2025, 9, 20, 16, 59, tzinfo=dt.timezone.utc), "20250920"),
        (dt.datetime(2025, 9, 20, 17, 0, tzinfo=dt.timezone.utc), "20250921"),
        (dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.timezone.utc), "20260101"),
        (
            dt.datetime(2025, 9, 21, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))),
            "20250921",
        ),
    ],
    ids=["after-wib-midnight", "before-wib-midnight", "at-wib-midnight", "new-year", "wib-input"],
)
def test_jakarta_date(now: dt.datetime, expected: str) -> None:
    """The signing date is the calendar day in Jakarta (UTC+7), whatever zone `now` is in."""
    assert jakarta_date(now) == expected
