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

Messages never contain credentials: they name the method, the path and what the
server said, never headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal


class VapayError(Exception):
    """Base class of every error vapay raises on purpose."""


class APIConnectionError(VapayError):
    """The API could not be reached, or the connection broke before an answer.

    Attributes:
        may_have_reached_server: False only when the request surely never left
            (the connection was refused or could not be opened). A create that
            fails with True may have been carried out: look before you repeat it.
    """

    def __init__(self, message: str, *, may_have_reached_server: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.may_have_reached_server = may_have_reached_server
        # Set by the retry layer that gave up on this error, so that a layer
        # above it (a call retrying around a token request) does not multiply
        # the attempts.
        self._retries_spent = False


class APITimeoutError(APIConnectionError):
    """An attempt took longer than `timeout`, or the overall `deadline` passed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, may_have_reached_server=True)


class APIResponseValidationError(VapayError):
    """The API answered, but not in the documented shape.

    Attributes:
        status: the HTTP status of the answer.
        body: the raw body as text (cut to a readable length).
    """

    def __init__(self, message: str, *, status: int, body: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


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
    ) -> None:
        super().__init__(f"{status}: {message}")
        self.message = message
        self.status = status
        self.code = code
        self.body = body
        self.headers: Mapping[str, str] = headers or {}


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
        error = self.body.get("error") if isinstance(self.body, dict) else None
        fields = error.get("errors") if isinstance(error, dict) else None
        if not isinstance(fields, dict):
            return {}
        return {
            str(name): [str(m) for m in msgs] if isinstance(msgs, list) else [str(msgs)]
            for name, msgs in fields.items()
        }


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


def status_error(
    status: int, envelope: object, *, headers: Mapping[str, str] | None = None
) -> APIStatusError:
    """The typed error for an error answer: *status* with its decoded body.

    *envelope* is the decoded JSON body (any shape, or the text when it was not
    JSON). An envelope saying `"success": false` under a 2xx is an error too; its
    own status (or error code) then picks the class when it is an error status.
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
    return cls(
        message or _DEFAULT_MESSAGES.get(effective, f"HTTP {effective}"),
        status=effective,
        code=code,
        body=envelope,
        headers=headers,
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
