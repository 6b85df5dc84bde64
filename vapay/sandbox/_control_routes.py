"""The sandbox's own routes under `/_sandbox/`, like the gateway dashboard's simulator.

They drive the same actions as `Sandbox.pay`, `.expire_attempt`, `.pay_late` and
`.settle`, so a sandbox served from the shell can be driven from another process
or language. They need the API key (`X-PARTNER-ID`) but no access token; they are
counted and logged under `sandbox.*` route names and are never faulted or delayed.
Answers use the API's envelope: a row (or a list of rows) on success; 422 for a
bad body, 404 for an unknown id or number, 409 (with `error.reason`) for a
refused payment or a transaction that is not expired.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from aiohttp import web

from vapay.sandbox import _actions
from vapay.sandbox._protocol import ApiError, Validator, ok_response
from vapay.sandbox._request import STATE, Route, json_body


@contextmanager
def _answered() -> Iterator[None]:
    """A `SandboxError` becomes its error envelope."""
    try:
        yield
    except _actions.RecordNotFoundError as err:
        raise ApiError(404, str(err), reason=err.reason) from None
    except _actions.SandboxError as err:
        raise ApiError(409, str(err), reason=err.reason) from None


def _payment_body(request: web.Request) -> tuple[str, str, Decimal | None, str | None]:
    validator = Validator(json_body(request))
    account_id = validator.string("account_id", required=True)
    va_number = validator.string("va_number", required=True)
    amount = validator.number("amount", minimum=Decimal(0))
    notes = validator.string("notes", max_length=255)
    validator.check()
    # check() raised otherwise.
    assert account_id is not None  # noqa: S101
    assert va_number is not None  # noqa: S101
    return account_id, va_number, amount, notes


async def _pay(request: web.Request) -> web.Response:
    state = request.app[STATE]
    account_id, va_number, amount, notes = _payment_body(request)
    with _answered():
        tx = _actions.record_payment(state, account_id, va_number, amount, notes)
    return ok_response(state.transaction_json(tx))


async def _expire_attempt(request: web.Request) -> web.Response:
    state = request.app[STATE]
    account_id, va_number, amount, notes = _payment_body(request)
    with _answered():
        tx = _actions.record_expired_attempt(state, account_id, va_number, amount, notes)
    return ok_response(state.transaction_json(tx))


async def _pay_late(request: web.Request) -> web.Response:
    state = request.app[STATE]
    validator = Validator(json_body(request))
    transaction_id = validator.string("transaction_id", required=True)
    validator.check()
    assert transaction_id is not None  # noqa: S101  (check() raised otherwise)
    with _answered():
        tx = _actions.record_late_payment(state, transaction_id)
    return ok_response(state.transaction_json(tx))


async def _settle(request: web.Request) -> web.Response:
    state = request.app[STATE]
    validator = Validator(json_body(request))
    account_id = validator.string("account_id")
    validator.check()
    with _answered():
        settled = _actions.settle_payments(state, account_id)
    return ok_response(f"[{','.join(state.transaction_json(tx) for tx in settled)}]")


CONTROL_ROUTES: tuple[Route, ...] = (
    ("POST", "/_sandbox/pay", "sandbox.pay", _pay),
    ("POST", "/_sandbox/expire-attempt", "sandbox.expire_attempt", _expire_attempt),
    ("POST", "/_sandbox/pay-late", "sandbox.pay_late", _pay_late),
    ("POST", "/_sandbox/settle", "sandbox.settle", _settle),
)
