"""The API's JSON envelope: from a read response to its data, or to a typed error."""

from __future__ import annotations

from collections.abc import Mapping

from vapay._errors import APIResponseValidationError, APIStatusError, status_error
from vapay._json import loads
from vapay._numbers import NumberOutOfRangeError
from vapay._transport import Response, body_text


def unwrap(response: Response) -> Mapping[str, object]:
    """The envelope of a successful answer, or the error it stands for.

    Raises:
        APIStatusError: a status other than 2xx, or `"success": false`.
        APIResponseValidationError: a 2xx whose body is not a JSON object.
    """
    try:
        decoded = loads(response.body)
    except NumberOutOfRangeError as err:
        raise malformed(response, f"{err} in the JSON body") from None
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        if not 200 <= response.status < 300:  # noqa: PLR2004
            raise _status_error(response, body_text(response.body)) from None
        raise malformed(response, f"the body is not JSON: {body_text(response.body)!r}") from None
    if not 200 <= response.status < 300:  # noqa: PLR2004
        raise _status_error(response, decoded)
    if not isinstance(decoded, dict):
        raise malformed(response, f"expected a JSON object @ $, got {type(decoded).__name__}")
    if _says_failure(decoded.get("success")):
        raise _status_error(response, decoded)
    return decoded


def malformed(response: Response, problem: str) -> APIResponseValidationError:
    """The error for *response*, an answer not in the documented shape: *problem* says how.

    Built only for an error, never on the way of a good answer.
    """
    request = response.request
    return APIResponseValidationError(
        f"{request.method} {request.path}: {problem}",
        status=response.status,
        body=body_text(response.body),
        method=request.method,
        path=request.path,
    )


def _status_error(response: Response, body: object) -> APIStatusError:
    request = response.request
    return status_error(
        response.status,
        body,
        headers=response.headers,
        method=request.method,
        path=request.path,
        attempts=request.attempt + 1,
        idempotent=request.idempotent,
    )


def _says_failure(success: object) -> bool:
    # PHP backends are loose with booleans: "false", 0 and "0" mean false too.
    return success is False or success in (0, "0", "false", "False")


def data_of(envelope: Mapping[str, object], response: Response) -> object:
    """The envelope's `data`, which a successful answer must have."""
    if "data" not in envelope:
        raise malformed(response, "required field missing @ $.data")
    return envelope["data"]
