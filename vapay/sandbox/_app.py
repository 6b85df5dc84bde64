"""The aiohttp application: routes, and one middleware for the log, faults and auth.

Every request goes through `_pipeline`: it is logged, may be delayed or faulted,
is authenticated (except on the token routes), then reaches its handler. Handlers
raise `ApiError` for error answers and never deal with faults. The token, account
and virtual-account list routes live here; the money-in routes in `_money_routes`,
the sandbox's own `/_sandbox/` actions in `_control_routes`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
from typing import Any

from aiohttp import BasicAuth, web
from aiohttp.typedefs import Handler

from vapay._signature import jakarta_date, token_signature
from vapay.sandbox._control_routes import CONTROL_ROUTES
from vapay.sandbox._data import ACCOUNT_TYPES, KINDS, dumps
from vapay.sandbox._faults import Fault, is_control_route
from vapay.sandbox._money_routes import MONEY_ROUTES
from vapay.sandbox._protocol import ApiError, Validator, html_response, ok_response, reason
from vapay.sandbox._request import (
    ACCOUNT_NOT_FOUND,
    MALFORMED,
    RECORD,
    STATE,
    Route,
    json_body,
    known_account,
    list_response,
)
from vapay.sandbox._state import RecordedRequest, SandboxState
from vapay.sandbox._tokens import format_expires_in

_UNAUTHORIZED = "Unauthorized partner, please sign in"
_UPDATABLE_STATUSES = ("active", "inactive")
# The API documents a page-size maximum per listing, not one for all listings.
_MAX_ACCOUNTS_PER_PAGE = 100
_MAX_VIRTUAL_ACCOUNTS_PER_PAGE = 25


def _same(given: str | None, expected: str) -> bool:
    # surrogateescape: aiohttp decodes undecodable header bytes that way.
    return given is not None and hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode()
    )


def _grant(request: web.Request, *keys: str) -> web.Response:
    state = request.app[STATE]
    body = json_body(request)
    grant = next((body[key] for key in keys if key in body), None)
    validator = Validator({"grant_type": grant})
    validator.choice("grant_type", ("client_credentials",), required=True)
    validator.check()
    data = {
        "access_token": state.tokens.issue(),
        "token_type": "Bearer",
        "expires_in": format_expires_in(state.tokens.ttl),
    }
    return ok_response(dumps(data))


async def _token_v1_1(request: web.Request) -> web.Response:
    state = request.app[STATE]
    headers = request.headers
    if not _same(headers.get("X-PARTNER-ID"), state.api_key):
        raise ApiError(401, "Invalid partner id")
    if not _same(headers.get("X-CLIENT-ID"), state.client_id):
        raise ApiError(401, "Invalid client id")
    today = jakarta_date(dt.datetime.fromtimestamp(state.clock(), dt.timezone.utc))
    expected = token_signature(state.client_id, state.client_secret, today)
    if not _same(headers.get("X-Signature"), expected):
        raise ApiError(401, "Invalid signature")
    return _grant(request, "grant_type")


async def _token_v1_0(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if not _same(request.headers.get("X-PARTNER-ID"), state.api_key):
        raise ApiError(401, "Invalid partner id")
    try:
        auth = BasicAuth.decode(request.headers.get("Authorization", ""))
    except ValueError:
        raise ApiError(401, "Invalid client credentials") from None
    if not (_same(auth.login, state.client_id) and _same(auth.password, state.client_secret)):
        raise ApiError(401, "Invalid client credentials")
    # The oldest docs spell the field grantType.
    return _grant(request, "grant_type", "grantType")


async def _accounts_list(request: web.Request) -> web.Response:
    items = request.app[STATE].accounts_json()
    return list_response(
        request,
        items,
        Validator(request.query),
        encode=str,
        block="pagination",
        max_per_page=_MAX_ACCOUNTS_PER_PAGE,
    )


async def _accounts_get(request: web.Request) -> web.Response:
    data = request.app[STATE].account_json(request.match_info["account_id"])
    if data is None:
        raise ApiError(404, ACCOUNT_NOT_FOUND)
    return ok_response(data)


async def _accounts_create(request: web.Request) -> web.Response:
    state = request.app[STATE]
    validator = Validator(json_body(request))
    name = validator.string("name", required=True, min_length=3, max_length=100)
    fields: dict[str, Any] = {
        "email": validator.email("email"),
        "phone": validator.digits("phone"),
    }
    if state.live:
        fields["account_type"] = validator.choice("account_type", ACCOUNT_TYPES, required=False)
        fields["invite_members"] = validator.string_list("invite_members")
    validator.check()
    assert name is not None  # noqa: S101  (check() raised otherwise)
    account = state.create_account(name=name, **fields)
    return ok_response(state.account_json(account.id) or "null")


async def _set_account_status(request: web.Request) -> web.Response:
    state = request.app[STATE]
    account_id = request.match_info["account_id"]
    account = state.find_account(account_id)
    if account is None:
        raise ApiError(404, ACCOUNT_NOT_FOUND)
    validator = Validator(json_body(request))
    status = validator.choice("status", _UPDATABLE_STATUSES, required=True)
    validator.check()
    assert status is not None  # noqa: S101  (check() raised otherwise)
    state.set_account_status(account, status)
    return ok_response(state.account_json(account_id) or "null")


async def _accounts_update_status(request: web.Request) -> web.Response:
    return await _set_account_status(request)


async def _accounts_update(request: web.Request) -> web.Response:
    # The live API's route for the same change (MONEY-IN.md §2); its own handler,
    # so that it counts under its own route name.
    return await _set_account_status(request)


async def _virtual_accounts_list(request: web.Request) -> web.Response:
    state = request.app[STATE]
    account_id = known_account(request)
    validator = Validator(request.query)
    # The seed marks kind mandatory; the live API has made it an optional filter.
    kind = validator.choice("kind", KINDS, required=not state.live)
    reff = validator.string("merchant_reff_no", max_length=255)
    items = state.virtual_accounts_json(account_id, kind, reff)
    block = "meta" if state.live else "pagination"
    return list_response(
        request,
        items,
        validator,
        encode=str,
        block=block,
        max_per_page=_MAX_VIRTUAL_ACCOUNTS_PER_PAGE,
    )


_SEED_STATUS_ROUTE = "accounts.update_status"
_LIVE_STATUS_ROUTE = "accounts.update"
_ROUTES: tuple[Route, ...] = (
    ("POST", "/api/v1.1/access-token/b2b", "token", _token_v1_1),
    ("POST", "/api/v1.0/access-token/b2b", "token", _token_v1_0),
    ("GET", "/api/v1.0/accounts", "accounts.list", _accounts_list),
    ("POST", "/api/v1.0/accounts", "accounts.create", _accounts_create),
    ("GET", "/api/v1.0/accounts/{account_id}", "accounts.get", _accounts_get),
    (
        "PATCH",
        "/api/v1.0/accounts/update-status/{account_id}",
        _SEED_STATUS_ROUTE,
        _accounts_update_status,
    ),
    ("PATCH", "/api/v1.0/accounts/update/{account_id}", _LIVE_STATUS_ROUTE, _accounts_update),
    (
        "GET",
        "/api/v1.0/virtual-accounts/{account_id}",
        "virtual_accounts.list",
        _virtual_accounts_list,
    ),
    *MONEY_ROUTES,
    *CONTROL_ROUTES,
)
# aiohttp wants unique route names and both token versions are one route here.
_ROUTE_OF: dict[Handler, str] = {handler: name for _, _, name, handler in _ROUTES}


def _parse_json(body: bytes) -> tuple[Any, bool]:
    """The parsed body (None if empty or invalid) and whether it was malformed."""
    if not body.strip():
        return None, False
    try:
        return json.loads(body), False
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return None, True


def _authorize(request: web.Request, state: SandboxState, route: str) -> None:
    partner = _same(request.headers.get("X-PARTNER-ID"), state.api_key)
    if is_control_route(route):  # the simulator: the API key is enough, no token
        if not partner:
            raise ApiError(401, _UNAUTHORIZED)
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not (partner and scheme.lower() == "bearer" and state.tokens.is_valid(token.strip())):
        raise ApiError(401, _UNAUTHORIZED)


async def _handle(request: web.Request, handler: Handler, route: str) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        if route not in {"token", "unknown"}:
            _authorize(request, state, route)
        return await handler(request)
    except ApiError as err:
        return err.response()
    except web.HTTPException as exc:  # the router's own 404 and 405
        allow = exc.headers.get("Allow")
        headers = None if allow is None else {"Allow": allow}
        return ApiError(exc.status, reason(exc.status), headers=headers).response()


def _truncated(response: web.StreamResponse) -> web.StreamResponse:
    if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
        return response
    body = response.body
    return web.Response(
        body=body[: len(body) // 2],
        status=response.status,
        content_type=response.content_type,
    )


async def _respond(
    request: web.Request, handler: Handler, fault: Fault | None, route: str
) -> web.StreamResponse | None:
    """The response, after applying *fault*; `None` means drop the connection."""
    kind = "ok" if fault is None else fault.kind
    if fault is not None:
        if kind == "drop":
            return None
        if kind == "html":
            return html_response(fault.status)
        if kind == "status":
            retry_after = fault.retry_after
            headers = None if retry_after is None else {"Retry-After": str(retry_after)}
            return ApiError(fault.status, reason(fault.status), headers=headers).response()
        if kind == "delay":
            await asyncio.sleep(fault.seconds)
        elif kind == "expire_token":
            request.app[STATE].tokens.expire_all()
    response = await _handle(request, handler, route)
    return _truncated(response) if kind == "truncate" else response


@web.middleware
async def _pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE]
    route = _ROUTE_OF.get(request.match_info.handler, "unknown")
    body = await request.read()
    parsed, malformed = _parse_json(body)
    record = RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        headers=request.headers,
        body=body,
        json=parsed,
        route=route,
    )
    state.record(record)
    request[RECORD] = record
    request[MALFORMED] = malformed
    if route != "token" and not is_control_route(route) and state.latency > 0:
        await asyncio.sleep(state.latency)
    fault = None if route == "unknown" else state.faults.pick(route)
    if fault is not None and fault.kind != "ok":
        record.fault = fault.kind
    response = await _respond(request, handler, fault, route)
    if response is None:
        if request.transport is not None:
            request.transport.close()
        # Never sent: aiohttp's write fails on the closed transport, which it
        # treats as a client that went away.
        return web.Response()
    record.status = response.status
    return response


def _served(state: SandboxState) -> list[Route]:
    """The routes to serve: one status route is left out unless both are asked for.

    Left out, it is not there at all, so it answers the router's plain 404, as the
    live API's `update-status` does.
    """
    missing = {"seed": _LIVE_STATUS_ROUTE, "live": _SEED_STATUS_ROUTE}.get(state.status_route)
    return [route for route in _ROUTES if route[2] != missing]


def build_app(state: SandboxState) -> web.Application:
    """The sandbox's application, serving *state*."""
    app = web.Application(middlewares=[_pipeline])
    app[STATE] = state
    for method, path, _, handler in _served(state):
        app.router.add_route(method, path, handler)
    return app
