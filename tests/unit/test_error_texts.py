"""What `str(error)` says: the request, the status, the server's words and what to check."""

from __future__ import annotations

import pytest

import vapay
from vapay._errors import hint_for, status_error

TOKEN_PATH = "/api/v1.1/access-token/b2b"


def envelope(status: int, message: str, **errors: list[str]) -> dict[str, object]:
    """The API's error envelope, with field errors when given."""
    error: dict[str, object] = {"code": status, "message": message}
    if errors:
        error["errors"] = errors
    return {"status": status, "success": False, "error": error}


def test_a_422_names_request_status_message_and_each_field_error() -> None:
    """A 422 says method, path, status, the API's message and every field's messages."""
    error = status_error(
        422,
        envelope(
            422,
            "Validation error",
            name=["The name field must be at least 3 characters."],
            kind=["The kind field is required.", "The selected kind is invalid."],
        ),
        method="POST",
        path="/api/v1.0/accounts",
    )

    assert str(error) == (
        "POST /api/v1.0/accounts -> HTTP 422: Validation error "
        "(name: The name field must be at least 3 characters.; "
        "kind: The kind field is required. The selected kind is invalid.)"
    )


def test_the_attributes_keep_their_values_and_gain_method_and_path() -> None:
    """`.status .code .message .errors .body .headers` stay; `.method .path` are new."""
    body = envelope(422, "Validation error", name=["The name field is required."])
    error = status_error(422, body, headers={"X-A": "1"}, method="POST", path="/api/v1.0/accounts")

    assert isinstance(error, vapay.UnprocessableEntityError)
    assert (error.status, error.code, error.message) == (422, 422, "Validation error")
    assert error.errors == {"name": ["The name field is required."]}
    assert (error.body, error.headers) == (body, {"X-A": "1"})
    assert (error.method, error.path) == ("POST", "/api/v1.0/accounts")


def test_a_404_names_the_request() -> None:
    """A status error starts with the method and path it answered."""
    error = status_error(
        404, envelope(404, "Sub account not found"), method="GET", path="/api/v1.0/accounts/7"
    )

    assert str(error) == "GET /api/v1.0/accounts/7 -> HTTP 404: Sub account not found"


def test_an_answer_without_a_message_is_not_repeated() -> None:
    """An HTML 502 says `HTTP 502` once, not `HTTP 502: HTTP 502`."""
    error = status_error(502, "<html>Bad Gateway</html>", method="GET", path="/api/x")

    assert str(error) == "GET /api/x -> HTTP 502"


def test_a_server_message_over_several_lines_is_one_line() -> None:
    """Whatever whitespace the server put in its message, str() is one line."""
    error = status_error(400, envelope(400, "bad\n  input\r\nhere"), method="GET", path="/p")

    assert str(error) == "GET /p -> HTTP 400: bad input here"


@pytest.mark.parametrize(
    ("message", "settings", "absent"),
    [
        ("Invalid partner id", ["api_key=", "VAPAY_API_KEY", "X-PARTNER-ID"], "client_secret"),
        ("Invalid signature", ["client_secret=", "VAPAY_CLIENT_SECRET", "client_id="], "api_key"),
        ("Invalid client id", ["client_id=", "VAPAY_CLIENT_ID"], "client_secret"),
        (
            "Invalid client credentials",
            ["client_id=", "client_secret=", "api_key="],
            "allow-list",
        ),
        ("Unauthorized", ["VAPAY_CLIENT_ID", "VAPAY_CLIENT_SECRET", "VAPAY_API_KEY"], "IP"),
    ],
    ids=["partner", "signature", "client-id", "v1.0-credentials", "unknown"],
)
def test_a_refused_token_request_says_which_setting_to_check(
    message: str, settings: list[str], absent: str
) -> None:
    """The token endpoint's 401 says the token call failed and names the setting to check."""
    error = status_error(401, envelope(401, message), method="POST", path=TOKEN_PATH)
    text = str(error)

    assert text.startswith(f"Could not get an access token: POST {TOKEN_PATH} -> HTTP 401: ")
    assert message in text
    assert all(setting in text for setting in settings), text
    assert absent not in text


def test_a_403_from_the_token_endpoint_points_at_the_ip_allow_list() -> None:
    """The token endpoint's 403 says to register the machine's IP on the allow-list."""
    body = {"status": 403, "message": "Your IP address (1.2.3.4) is not registered"}
    error = status_error(403, body, method="POST", path=TOKEN_PATH)

    assert isinstance(error, vapay.PermissionDeniedError)
    assert str(error).startswith(
        f"Could not get an access token: POST {TOKEN_PATH} -> HTTP 403: "
        "Your IP address (1.2.3.4) is not registered. "
    )
    assert "IP allow-list" in str(error)


def test_a_401_on_a_call_names_the_api_key_and_a_static_token() -> None:
    """A call's final 401 points at the API key and at a `token=` that may have expired."""
    error = status_error(401, envelope(401, "Unauthorized partner, please sign in"), path="/p")

    assert "api_key= or VAPAY_API_KEY" in str(error)
    assert "token=" in str(error)
    assert not str(error).startswith("Could not get an access token")


def test_a_base_url_ending_in_api_is_explained() -> None:
    """A path that repeats /api (base URL ending in /api) says to drop the suffix."""
    error = status_error(404, "<html>Not Found</html>", method="GET", path="/api/api/v1.0/accounts")

    assert str(error).startswith("GET /api/api/v1.0/accounts -> HTTP 404: not found. ")
    assert "base URL seems to end in /api" in str(error)
    assert "without the trailing /api" in str(error)


def test_a_retried_call_says_how_many_attempts_it_took() -> None:
    """After retries, the text says how many attempts were made."""
    error = status_error(503, envelope(503, "down"), method="GET", path="/p", attempts=3)

    assert str(error) == "GET /p -> HTTP 503: down. Gave up after 3 attempts."


def test_a_failed_create_warns_it_may_have_been_carried_out() -> None:
    """A 5xx to a request that is not safe to repeat says to look before sending it again."""
    error = status_error(
        500, envelope(500, "oops"), method="POST", path="/api/v1.0/accounts", idempotent=False
    )

    assert "may have carried it out: look before you send it again" in str(error)


@pytest.mark.parametrize(
    ("status", "path"),
    [
        (404, "/api/v1.0/accounts/1"),
        (422, "/api/v1.0/accounts"),
        (429, "/api/v1.0/accounts"),
        (500, "/api/v1.0/accounts"),
        (404, TOKEN_PATH),
    ],
    ids=["404", "422", "429", "500-get", "token-404"],
)
def test_no_hint_where_vapay_has_nothing_to_add(status: int, path: str) -> None:
    """A single attempt at a safe request, with nothing to check, gets no hint."""
    assert hint_for(status, "x", path=path) is None


def test_without_a_request_the_text_is_status_and_message() -> None:
    """An error made without a request (a user's own) says status and message."""
    assert str(vapay.NotFoundError("gone", status=404)) == "HTTP 404: gone"


def test_connection_and_validation_errors_carry_method_and_path() -> None:
    """The other request errors take `.method` and `.path` too (None by default)."""
    connection = vapay.APIConnectionError("x", method="GET", path="/p")
    timeout = vapay.APITimeoutError("x", method="GET", path="/p")
    invalid = vapay.APIResponseValidationError("x", status=200, method="GET", path="/p")

    for error in (connection, timeout, invalid):
        assert (error.method, error.path) == ("GET", "/p")
    assert vapay.APIConnectionError("x").method is None
