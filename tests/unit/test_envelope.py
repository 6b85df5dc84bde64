"""unwrap, data_of and body_text: from a read answer to its data or a typed error."""

from __future__ import annotations

import json

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from vapay._envelope import data_of, unwrap
from vapay._errors import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    InternalServerError,
    NotFoundError,
)
from vapay._transport import Request, Response, body_text

HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def response(
    status: int, body: object, *, method: str = "GET", path: str = "/api/v1.0/accounts"
) -> Response:
    """An answer to *method* *path*; *body* as bytes, text, or JSON to encode."""
    if isinstance(body, str):
        raw = body.encode()
    elif isinstance(body, bytes):
        raw = body
    else:
        raw = json.dumps(body).encode()
    return Response(
        status=status,
        headers=CIMultiDictProxy(CIMultiDict({"Content-Type": "text/html"})),
        body=raw,
        request=Request(method=method, url=URL("https://sandbox.test" + path)),
    )


def test_success_envelope_is_returned() -> None:
    """A 200 with a JSON object is returned as that object."""
    body = {"status": 200, "success": True, "data": {"id": "1"}}
    assert unwrap(response(200, body)) == body


def test_html_under_502_is_internal_server_error() -> None:
    """A proxy's HTML page under 502 is an InternalServerError carrying the text as body."""
    with pytest.raises(InternalServerError) as info:
        unwrap(response(502, HTML))
    assert info.value.status == 502
    assert info.value.body == HTML
    assert info.value.message == "HTTP 502"


def test_text_under_401_is_authentication_error() -> None:
    """A non-JSON 401 is still an AuthenticationError."""
    with pytest.raises(AuthenticationError) as info:
        unwrap(response(401, "Unauthorized"))
    assert info.value.body == "Unauthorized"


@pytest.mark.parametrize(
    "body",
    [
        HTML,
        "not json",
        '{"status":200,"success":true,"data":{"id":"1"',
        "",
        b"\xff\xfe{}",
        "{'status': 200}",
    ],
    ids=["html", "text", "truncated", "empty", "invalid-utf8", "python-repr"],
)
def test_non_json_under_200_is_validation_error(body: str | bytes) -> None:
    """A 200 whose body is not JSON is an APIResponseValidationError, status 200."""
    with pytest.raises(APIResponseValidationError) as info:
        unwrap(response(200, body))
    assert info.value.status == 200
    assert info.value.message.startswith("GET /api/v1.0/accounts: the body is not JSON: ")


def test_non_json_error_names_method_and_path() -> None:
    """The validation error says which call got the bad body, and quotes its start."""
    with pytest.raises(APIResponseValidationError) as info:
        unwrap(response(200, "oops", method="POST", path="/api/v1.0/accounts"))
    assert str(info.value) == "POST /api/v1.0/accounts: the body is not JSON: 'oops'"
    assert info.value.body == "oops"


@pytest.mark.parametrize(
    ("body", "type_name"),
    [("[1, 2]", "list"), ("null", "NoneType"), ('"ok"', "str"), ("42", "int"), ("true", "bool")],
    ids=["array", "null", "string", "number", "bool"],
)
def test_json_that_is_not_an_object_is_validation_error(body: str, type_name: str) -> None:
    """A 200 whose JSON is not an object at the top is an APIResponseValidationError."""
    with pytest.raises(APIResponseValidationError) as info:
        unwrap(response(200, body))
    assert str(info.value) == (
        f"GET /api/v1.0/accounts: expected a JSON object @ $, got {type_name}"
    )


def test_deeply_nested_json_is_validation_error() -> None:
    """A 200 with absurdly nested JSON is a validation error, not a RecursionError."""
    with pytest.raises(APIResponseValidationError):
        unwrap(response(200, "[" * 100_000 + "]" * 100_000))


@pytest.mark.parametrize(
    "body",
    [
        '{"data": {"id": "1", "invite_members": [1E+999999999]}}',
        '{"data": [{"amount": {"value": 1E-999999999}}]}',
    ],
    ids=["huge-in-free-form-field", "tiny-amount"],
)
def test_number_past_a_double_is_validation_error(body: str) -> None:
    """A twelve-character number that would expand to a gigabyte is refused, saying so."""
    with pytest.raises(APIResponseValidationError) as info:
        unwrap(response(200, body))
    assert "out of range in the JSON body" in info.value.message
    assert info.value.status == 200


def test_success_false_under_200_is_status_error() -> None:
    """`success: false` under HTTP 200 raises the error its envelope names."""
    body = {"status": 404, "success": False, "error": {"code": 404, "message": "not here"}}
    with pytest.raises(NotFoundError) as info:
        unwrap(response(200, body))
    assert (info.value.status, info.value.message) == (404, "not here")


def test_success_false_without_status_is_base_status_error() -> None:
    """`success: false` under 200 with no error status is still an APIStatusError."""
    with pytest.raises(APIStatusError) as info:
        unwrap(response(200, {"success": False}))
    assert type(info.value) is APIStatusError


def test_json_error_body_under_401() -> None:
    """A JSON 401 keeps the decoded body on the error."""
    body = {"status": 401, "success": False, "error": {"code": 401, "message": "sign in"}}
    with pytest.raises(AuthenticationError) as info:
        unwrap(response(401, body))
    assert info.value.body == body


def test_json_array_under_404_is_not_found() -> None:
    """The HTTP status decides the class even when the error body is not an object."""
    with pytest.raises(NotFoundError) as info:
        unwrap(response(404, [1]))
    assert info.value.body == [1]


def test_data_of_returns_data() -> None:
    """data_of gives the envelope's `data`, even when it is an empty list."""
    answer = response(200, {"success": True, "data": []})
    assert data_of(unwrap(answer), answer) == []


def test_missing_data_is_validation_error_at_dollar_data() -> None:
    """A success envelope without `data` is an APIResponseValidationError naming `$.data`."""
    answer = response(200, {"status": 200, "success": True}, path="/api/v1.0/accounts/7")
    with pytest.raises(APIResponseValidationError) as info:
        data_of(unwrap(answer), answer)
    assert str(info.value) == "GET /api/v1.0/accounts/7: required field missing @ $.data"
    assert info.value.status == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", ""),
        (b"x" * 200, "x" * 200),
        (b"x" * 201, "x" * 200 + "..."),
        ("é".encode() * 100, "é" * 100),
        (b"a" + "é".encode() * 150, "a" + "é" * 99 + "\ufffd..."),
        (b"\xff", "\ufffd"),
    ],
    ids=["empty", "exactly-200-bytes", "201-bytes", "multibyte-fits", "multibyte-cut", "bad-utf8"],
)
def test_body_text_cuts_at_200_bytes(body: bytes, expected: str) -> None:
    """body_text shows the first 200 bytes as text, marks a cut with `...`, never raises."""
    assert body_text(body) == expected
