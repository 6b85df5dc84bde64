"""status_error: which class an error answer becomes, and what the error carries."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

import vapay
from vapay._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    VapayError,
    status_error,
)

DATA = Path(__file__).parent.parent / "data"


def load(name: str) -> Any:
    """The decoded JSON of a fixture under tests/data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def envelope(status: int, message: str = "server says no") -> dict[str, object]:
    """The API's documented error envelope for *status*."""
    return {"status": status, "success": False, "error": {"code": status, "message": message}}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
        (409, APIStatusError),
        (302, APIStatusError),
    ],
    ids=["400", "401", "403", "404", "422", "429", "500", "502", "503", "504", "418", "409", "302"],
)
def test_status_picks_class(status: int, cls: type[APIStatusError]) -> None:
    """Each HTTP status maps to exactly its class; others to the APIStatusError base."""
    error = status_error(status, envelope(status))
    assert type(error) is cls
    assert error.status == status


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (BadRequestError, 400),
        (AuthenticationError, 401),
        (PermissionDeniedError, 403),
        (NotFoundError, 404),
        (UnprocessableEntityError, 422),
        (RateLimitError, 429),
    ],
    ids=["400", "401", "403", "404", "422", "429"],
)
def test_subclass_declares_its_status(cls: type[APIStatusError], status: int) -> None:
    """Each status subclass carries its status as a class attribute."""
    assert cls.status == status


@pytest.mark.parametrize(
    "cls",
    [
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        UnprocessableEntityError,
        RateLimitError,
        InternalServerError,
    ],
)
def test_status_errors_share_the_base(cls: type[APIStatusError]) -> None:
    """Every status error is an APIStatusError and a VapayError."""
    assert issubclass(cls, APIStatusError)
    assert issubclass(cls, VapayError)


def test_tree_of_other_errors() -> None:
    """Timeouts are connection errors; validation errors are VapayErrors but not status errors."""
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, VapayError)
    assert issubclass(APIResponseValidationError, VapayError)
    assert not issubclass(APIResponseValidationError, APIStatusError)


def test_public_names_are_the_same_classes() -> None:
    """`vapay.NotFoundError` and friends are the classes status_error returns."""
    assert vapay.NotFoundError is NotFoundError
    assert vapay.APIStatusError is APIStatusError
    assert vapay.UnprocessableEntityError is UnprocessableEntityError


def test_timeout_may_have_reached_the_server() -> None:
    """A timeout never claims the request stayed home."""
    assert APITimeoutError("GET /api: timed out").may_have_reached_server is True


def test_seed_401_carries_status_code_message_and_body() -> None:
    """The seeds' 401 body gives `.status`, `.code`, `.message` and `.body` as sent."""
    body = load("seeds/error-401.json")
    error = status_error(401, body)
    assert type(error) is AuthenticationError
    assert (error.status, error.code, error.message) == (
        401,
        401,
        "Unauthorized partner, please sign in",
    )
    assert error.body == body
    assert str(error).startswith("HTTP 401: Unauthorized partner, please sign in. Check ")


def test_success_false_under_200_uses_envelope_status() -> None:
    """`success: false` under HTTP 200 with envelope status 404 is a NotFoundError."""
    error = status_error(200, envelope(404, "Account not found"))
    assert type(error) is NotFoundError
    assert (error.status, error.message) == (404, "Account not found")


def test_success_false_under_200_falls_back_to_error_code() -> None:
    """Without an envelope status, an error code that is an HTTP status picks the class."""
    body = {"success": False, "error": {"code": 422, "message": "Validation error"}}
    error = status_error(200, body)
    assert type(error) is UnprocessableEntityError
    assert error.status == 422


def test_success_false_under_200_without_any_status_is_the_base() -> None:
    """`success: false` with nothing naming a status is a plain APIStatusError for 200."""
    error = status_error(200, {"status": 200, "success": False})
    assert type(error) is APIStatusError
    assert (error.status, error.message) == (200, "the API answered success: false")


def test_envelope_status_does_not_override_an_error_http_status() -> None:
    """Under an HTTP error status, the HTTP status picks the class, whatever the body says."""
    error = status_error(503, envelope(404))
    assert type(error) is InternalServerError
    assert error.status == 503


def test_other_envelope_sp017_under_403() -> None:
    """The vendor's `response_code` envelope under 403 is a PermissionDeniedError coded SP017."""
    body = load("peer/singapay-js/access-token-403-sp017-stub.json")
    error = status_error(403, body)
    assert type(error) is PermissionDeniedError
    assert (error.status, error.code, error.message) == (403, "SP017", "IP not registered")
    assert error.body == {"response_code": "SP017", "response_message": "IP not registered"}


def test_other_envelope_sp013_under_401() -> None:
    """The vendor's `response_code` envelope under 401 is an AuthenticationError coded SP013."""
    body = {"response_code": "SP013", "response_message": "Unauthorized. Token expired"}
    error = status_error(401, body)
    assert type(error) is AuthenticationError
    assert (error.code, error.message) == ("SP013", "Unauthorized. Token expired")


def test_laravel_403_ip_not_registered() -> None:
    """The token endpoint's 403 (message only, no SP code) keeps the server's text."""
    error = status_error(403, load("peer/laravel-singapay/access-token-403-ip-not-registered.json"))
    assert type(error) is PermissionDeniedError
    assert (error.code, error.message) == (403, "Your IP address (1.2.3.4) is not registered")


def test_422_field_errors_from_error_errors() -> None:
    """`UnprocessableEntityError.errors` maps each field to the server's messages."""
    body = load("peer/laravel-singapay/virtual-account-create-422-validation.json")
    error = status_error(422, body)
    assert type(error) is UnprocessableEntityError
    assert error.message == "Validation error"
    assert error.errors == {"bank_code": ["The selected bank code is invalid."]}


def test_422_without_field_errors_has_empty_errors() -> None:
    """A 422 without `error.errors` has `.errors == {}` and the server's message."""
    error = status_error(422, load("peer/singapay-ledger/account-create-422-v1-error.json"))
    assert type(error) is UnprocessableEntityError
    assert error.message == "The name field is required."
    assert error.errors == {}


def test_422_single_message_becomes_a_list() -> None:
    """A field error sent as one string becomes a one-item list."""
    body = {"error": {"code": 422, "errors": {"name": "The name field is required."}}}
    error = status_error(422, body)
    assert isinstance(error, UnprocessableEntityError)
    assert error.errors == {"name": ["The name field is required."]}


def test_message_is_exactly_the_server_text() -> None:
    """The message is the server's text, unadorned; the status only prefixes str()."""
    error = status_error(404, envelope(404, "Sub account not found"))
    assert error.message == "Sub account not found"
    assert str(error) == "HTTP 404: Sub account not found"


def test_top_level_message_is_used() -> None:
    """Laravel's own `{"message": ...}` body gives its message."""
    error = status_error(400, {"message": "The page must be an integer."})
    assert type(error) is BadRequestError
    assert error.message == "The page must be an integer."
    assert error.code is None


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, envelope(404, ""), "not found"),
        (400, {"error": {"code": 400, "message": ["a", "b"]}}, "bad request"),
        (401, {"error": {"code": 401, "message": {"text": "x"}}}, "unauthorized"),
        (429, {}, "too many requests"),
        (403, [1, 2], "forbidden"),
        (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "HTTP 502"),
        (418, None, "HTTP 418"),
    ],
    ids=["empty", "list", "object", "no-message", "json-array", "html", "null"],
)
def test_message_without_usable_server_text(status: int, body: object, expected: str) -> None:
    """Without a usable text the message describes the status and never quotes the body."""
    error = status_error(status, body)
    assert error.message == expected
    assert error.body == body


def test_error_code_must_be_a_scalar() -> None:
    """A bool or object `error.code` is not a code."""
    assert status_error(400, {"error": {"code": True, "message": "x"}}).code is None
    assert status_error(400, {"error": {"code": {"n": 1}, "message": "x"}}).code is None


def test_error_as_a_string_is_the_message() -> None:
    """An `error` that is a plain string is the message."""
    error = status_error(401, {"success": False, "error": "Invalid token"})
    assert (error.message, error.code) == ("Invalid token", None)


def test_headers_are_kept() -> None:
    """The response headers ride along on the error (e.g. Retry-After of a 429)."""
    error = status_error(429, {}, headers={"Retry-After": "5"})
    assert error.headers == {"Retry-After": "5"}


def test_headers_default_to_empty() -> None:
    """Without headers the error has an empty mapping, never None."""
    assert status_error(500, {}).headers == {}


@pytest.mark.parametrize(
    "error",
    [
        status_error(
            422,
            {
                "status": 422,
                "success": False,
                "error": {
                    "code": 422,
                    "message": "Validation error",
                    "errors": {"name": ["too short"]},
                },
            },
            headers=CIMultiDictProxy(CIMultiDict({"Retry-After": "3"})),
        ),
        vapay.APIConnectionError("GET /x: refused", may_have_reached_server=False),
        vapay.APITimeoutError("GET /x timed out"),
        vapay.APIResponseValidationError("GET /x: not JSON", status=200, body="<html>"),
        vapay.WebhookVerificationError("the signature does not match", reason="bad_signature"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_pickle_with_their_attributes(error: vapay.VapayError) -> None:
    """An error sent back from a worker process keeps its class, message and attributes."""
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, just made

    assert (type(copy), str(copy)) == (type(error), str(error))
    assert {k: v for k, v in vars(copy).items() if k != "headers"} == {
        k: v for k, v in vars(error).items() if k != "headers"
    }
    assert dict(getattr(copy, "headers", {})) == dict(getattr(error, "headers", {}))
