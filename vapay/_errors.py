"""Every error vapay raises, and the one function that picks a status error's class.

VapayError
├── APIConnectionError          no HTTP answer: refused, reset, DNS, TLS
│   └── APITimeoutError         an attempt (or the overall deadline) ran out
├── APIResponseValidationError  an answer that is not the documented shape
├── WebhookVerificationError    a callback refused by `vapay.webhooks.verify` (.reason)
└── APIStatusError              the API said no (HTTP >= 300, or "success": false)
    ├── BadRequestError              400
    ├── AuthenticationError          401
    ├── PermissionDeniedError        403 (e.g. a caller IP that is not allow-listed)
    ├── NotFoundError                404
    ├── UnprocessableEntityError     422 (field messages in .errors)
    ├── RateLimitError               429
    └── InternalServerError          5xx

Messages never contain credentials: they name the method, the path (never the
query) and what the server said, never headers, and end with what to check when
that is known (`describe` builds them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from multidict import CIMultiDict, CIMultiDictProxy


class VapayError(Exception):
    """Base class of every error vapay raises on purpose.

    Errors pickle (a multiprocessing pool or a task queue sends them back to the
    parent): they are rebuilt from their attributes, since their constructors
    take keyword-only arguments that `Exception`'s own pickling would not pass.
    """

    def __reduce__(self) -> tuple[object, ...]:
        state = {
            # A response's headers are a read-only view that does not pickle.
            name: CIMultiDict(value) if isinstance(value, CIMultiDictProxy) else value
            for name, value in self.__dict__.items()
        }
        return (_rebuilt, (type(self), self.args, state))


def _rebuilt(
    cls: type[VapayError], args: tuple[object, ...], state: dict[str, object]
) -> VapayError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class APIConnectionError(VapayError):
    """The API could not be reached, or the connection broke before an answer.

    Attributes:
        may_have_reached_server: False only when the request surely never left
            (the connection was refused or could not be opened). A create that
            fails with True may have been carried out: look before you repeat it.
        method: the request's method ("GET"), when known.
        path: the request's URL path, without the query, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        may_have_reached_server: bool = True,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.may_have_reached_server = may_have_reached_server
        self.method = method
        self.path = path
        # Set by the retry layer that gave up on this error, so that a layer
        # above it (a call retrying around a token request) does not multiply
        # the attempts.
        self._retries_spent = False


class APITimeoutError(APIConnectionError):
    """An attempt took longer than `timeout`, or the overall `deadline` passed.

    `may_have_reached_server` is False when the deadline passed before the request
    left (waiting for a token, a budget slot, or a retry's turn after attempts
    that surely did not arrive).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        may_have_reached_server: bool = True,
    ) -> None:
        super().__init__(
            message, may_have_reached_server=may_have_reached_server, method=method, path=path
        )


class APIResponseValidationError(VapayError):
    """The API answered, but not in the documented shape.

    Attributes:
        status: the HTTP status of the answer.
        body: the raw body as text (cut to a readable length).
        method: the request's method, when known.
        path: the request's URL path, without the query, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: str = "",
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.method = method
        self.path = path


WebhookVerificationReason = Literal[
    "missing_header", "bad_timestamp", "bad_signature", "expired", "bad_body"
]


class WebhookVerificationError(VapayError):
    """A callback that `vapay.webhooks.verify` (or `parse`) refused.

    Attributes:
        reason: which check failed, in the order they run: `"missing_header"`
            (a header the scheme needs is absent or empty), `"bad_timestamp"`
            (`X-Timestamp` is not an integer), `"bad_signature"` (no candidate
            secret signed this delivery), `"expired"` (signed, but outside the
            window), `"bad_body"` (not JSON, too large, too deep, or not the
            event's documented shape).
        message: the same in words; never a secret, a token or a signature.
    """

    def __init__(self, message: str, *, reason: WebhookVerificationReason) -> None:
        super().__init__(message)
        self.message = message
        self.reason: WebhookVerificationReason = reason

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r}, message={self.message!r})"


class APIStatusError(VapayError):
    """The API answered with an error.

    Attributes:
        status: the HTTP status; for `"success": false` under a 2xx, the
            envelope's own status when it names an error status.
        code: the envelope's `error.code` (or the `response_code` of the
            vendor's other envelope, such as "SP017"), if any.
        message: the server's message, or a description of the status.
        body: the decoded JSON body, or the text when it was not JSON.
        headers: the response headers.
        method: the request's method ("POST"), when known.
        path: the request's URL path, without the query, when known.

    `str(error)` says all of it in one line, e.g. `POST /api/v1.0/accounts -> HTTP
    422: Validation error (name: The name field must be at least 3 characters.)`,
    followed by what to check when vapay knows (a *hint*).
    """

    status: int

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | str | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(
            describe(
                status, message, method=method, path=path, fields=field_errors(body), hint=hint
            )
        )
        self.message = message
        self.status = status
        self.code = code
        self.body = body
        self.headers: Mapping[str, str] = headers or {}
        self.method = method
        self.path = path


class BadRequestError(APIStatusError):
    """HTTP 400."""

    status: Literal[400] = 400


class AuthenticationError(APIStatusError):
    """HTTP 401: bad credentials, or a token the API no longer accepts."""

    status: Literal[401] = 401


class PermissionDeniedError(APIStatusError):
    """HTTP 403, for example a caller IP that is not on the allow-list."""

    status: Literal[403] = 403


class NotFoundError(APIStatusError):
    """HTTP 404: no such account or virtual account."""

    status: Literal[404] = 404


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the API rejected the input.

    Attributes:
        errors: field name to the server's messages, e.g.
            `{"name": ["The name field is required."]}` (empty when not given).
    """

    status: Literal[422] = 422

    @property
    def errors(self) -> Mapping[str, list[str]]:
        return field_errors(self.body)


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests."""

    status: Literal[429] = 429


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_ERROR_STATUSES = range(300, 600)


def field_errors(body: object) -> dict[str, list[str]]:
    """The field messages of an error body's `error.errors`, each field to a list."""
    error = body.get("error") if isinstance(body, dict) else None
    fields = error.get("errors") if isinstance(error, dict) else None
    if not isinstance(fields, dict):
        return {}
    return {
        str(name): [str(m) for m in msgs] if isinstance(msgs, list) else [str(msgs)]
        for name, msgs in fields.items()
    }


def describe(
    status: int,
    message: str,
    *,
    method: str | None = None,
    path: str | None = None,
    fields: Mapping[str, list[str]] | None = None,
    hint: str | None = None,
) -> str:
    """One line for a status error: the request, the status, the server's words, a hint."""
    text = f"HTTP {status}" if message == f"HTTP {status}" else f"HTTP {status}: {message}"
    if method and path:
        text = f"{method} {path} -> {text}"
    if path is not None and is_token_path(path):
        text = f"Could not get an access token: {text}"
    if fields:
        text += " (" + "; ".join(f"{name}: {' '.join(m)}" for name, m in fields.items()) + ")"
    if hint:
        text = f"{text} {hint}" if text.rstrip().endswith(".") else f"{text}. {hint}"
    # One line, whatever the server put in its message.
    return " ".join(text.split())


_TOKEN_PATH = re.compile(r"/access-token/")


def is_token_path(path: str) -> bool:
    """Whether *path* is the access-token endpoint's."""
    return _TOKEN_PATH.search(path) is not None


_SECRET = "the client secret (client_secret= or VAPAY_CLIENT_SECRET)"  # noqa: S105 - a name
_CLIENT_ID = "the client id (client_id= or VAPAY_CLIENT_ID)"
_API_KEY = "the API key (api_key= or VAPAY_API_KEY)"
# What the token endpoint's 401 says -> the settings to check, most specific first.
_TOKEN_401_HINTS = (
    ("partner", f"Check {_API_KEY}, sent as X-PARTNER-ID."),
    ("signature", f"Check {_SECRET} and {_CLIENT_ID}: they sign the request."),
    ("client id", f"Check {_CLIENT_ID}."),
    ("", f"Check {_CLIENT_ID}, {_SECRET} and {_API_KEY}."),
)


def hint_for(
    status: int,
    message: str,
    *,
    path: str | None = None,
    attempts: int = 1,
    idempotent: bool = True,
) -> str | None:
    """What to check after an error answer, when the request tells (else None).

    A pure function of the request and the answer: which credential setting to
    check after a 401 (of the token endpoint, or of a call), the IP allow-list
    after the token endpoint's 403, a base URL that repeats `/api`, how many
    attempts were made, and that a failed create may still have been carried out.
    """
    hints: list[str] = []
    token_call = path is not None and is_token_path(path)
    if token_call and status == 401:  # noqa: PLR2004
        lowered = message.lower()
        hints.append(next(text for key, text in _TOKEN_401_HINTS if key in lowered))
    elif token_call and status == 403:  # noqa: PLR2004
        hints.append(
            "The API refused this machine: register its public IP address on the "
            "merchant dashboard's IP allow-list, and check that the credentials are "
            "for this host (sandbox or production)."
        )
    elif status == 401:  # noqa: PLR2004
        hints.append(f"Check {_API_KEY} and, if you passed token=, that it is still valid.")
    if path is not None and path.startswith("/api/api/"):
        hints.append(
            "The base URL seems to end in /api, which vapay adds itself: use base_url= "
            "(or VAPAY_BASE_URL) without the trailing /api."
        )
    if attempts > 1:
        hints.append(f"Gave up after {attempts} attempts.")
    if not idempotent and status >= 500:  # noqa: PLR2004
        hints.append("The API may have carried it out: look before you send it again.")
    return " ".join(hints) or None


def status_error(
    status: int,
    envelope: object,
    *,
    headers: Mapping[str, str] | None = None,
    method: str | None = None,
    path: str | None = None,
    attempts: int = 1,
    idempotent: bool = True,
) -> APIStatusError:
    """The typed error for an error answer: *status* with its decoded body.

    *envelope* is the decoded JSON body (any shape, or the text when it was not
    JSON). An envelope saying `"success": false` under a 2xx is an error too; its
    own status (or error code) then picks the class when it is an error status.
    *method*, *path*, *attempts* and *idempotent* describe the request, for the
    message (see `hint_for`).
    """
    effective = status
    code: int | str | None = None
    message: str | None = None
    if isinstance(envelope, dict):
        code, message = _code_and_message(envelope)
        if status not in _ERROR_STATUSES:
            effective = _envelope_status(envelope, code) or status
    cls = _BY_STATUS.get(effective)
    if cls is None:
        cls = InternalServerError if effective in range(500, 600) else APIStatusError
    text = message or _DEFAULT_MESSAGES.get(effective, f"HTTP {effective}")
    return cls(
        text,
        status=effective,
        code=code,
        body=envelope,
        headers=headers,
        method=method,
        path=path,
        hint=hint_for(effective, text, path=path, attempts=attempts, idempotent=idempotent),
    )


def _code_and_message(
    envelope: Mapping[str, object],
) -> tuple[int | str | None, str | None]:
    error = envelope.get("error")
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
    elif isinstance(error, str):
        code, message = None, error
    else:
        # The vendor's other envelope: {"response_code": "SP017", "response_message": ...}
        code, message = envelope.get("response_code"), envelope.get("response_message")
    if message is None:
        message = envelope.get("message")
    return (
        code if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
        str(message) if isinstance(message, (str, int)) and message != "" else None,
    )


def _envelope_status(envelope: Mapping[str, object], code: int | str | None) -> int | None:
    for candidate in (envelope.get("status"), code):
        if type(candidate) is int and candidate in _ERROR_STATUSES:
            return candidate
    return None


_DEFAULT_MESSAGES: dict[int, str] = {
    200: "the API answered success: false",
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    422: "unprocessable entity",
    429: "too many requests",
}
