"""What every route handler reads from a request, and how a listing answers a page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.typedefs import Handler

from vapay.sandbox._protocol import ApiError, Validator, ok_response, page_tail
from vapay.sandbox._state import RecordedRequest, SandboxState

STATE = web.AppKey("vapay_sandbox", SandboxState)
RECORD = web.RequestKey("vapay_sandbox_request", RecordedRequest)
MALFORMED = web.RequestKey("vapay_sandbox_malformed_body", bool)
DEFAULT_PER_PAGE = 25
ACCOUNT_NOT_FOUND = "Account not found"

T = TypeVar("T")
# (method, path, route name, handler): the name is what faults and counters use.
Route = tuple[str, str, str, Handler]


def json_body(request: web.Request) -> dict[str, Any]:
    """The JSON object body; 400 if unparsable, empty if it is not an object."""
    if request[MALFORMED]:
        raise ApiError(400, "Malformed JSON body")
    data = request[RECORD].json
    return data if isinstance(data, dict) else {}


def list_response(
    request: web.Request,
    items: Sequence[T],
    validator: Validator,
    *,
    encode: Callable[[T], str],
    block: str,
    max_per_page: int,
    default_per_page: int = DEFAULT_PER_PAGE,
) -> web.Response:
    """One page of *items* (only that page is encoded) with its pagination block.

    Reads `page` and `per_page` into *validator* and answers its 422 if any
    parameter failed. The block's keys are snake_case in live mode.
    """
    page = validator.integer("page", default=1)
    per_page = validator.integer("per_page", default=default_per_page, maximum=max_per_page)
    validator.check()
    state = request.app[STATE]
    start = (page - 1) * per_page
    chunk = [encode(item) for item in items[start : start + per_page]]
    tail = page_tail(
        request.url,
        count=len(chunk),
        total=len(items),
        page=page,
        per_page=per_page,
        block=block,
        snake_case=state.live,
        seed=state.seed,
    )
    return ok_response(f"[{','.join(chunk)}]", tail)


def known_account(request: web.Request) -> str:
    """The path's `account_id`; 404 if no account has it.

    Laravel binds the route model before validating, so a bad id wins over a 422.
    """
    account_id = request.match_info["account_id"]
    if request.app[STATE].find_account(account_id) is None:
        raise ApiError(404, ACCOUNT_NOT_FOUND)
    return account_id
