"""The money-in routes (MONEY-IN.md §1, §3, §4): virtual-account lifecycle, VA
transactions, balances.

They are the new-generation API, so they serve the live shapes in both modes:
ULID-or-string ids, the bank object, and a `meta` paging block (its keys follow
the mode, camelCase in seed mode and snake_case in live mode, like the other
lists).
"""

from __future__ import annotations

import attrs
from aiohttp import web

from vapay.sandbox._data import dumps
from vapay.sandbox._protocol import ApiError, Validator, ok_response
from vapay.sandbox._records import VirtualAccountRecord
from vapay.sandbox._request import STATE, Route, json_body, known_account, list_response
from vapay.sandbox._transactions import encode_balance
from vapay.sandbox._tx_query import WINDOW_MS, TransactionQuery, read_query
from vapay.sandbox._va_rules import read_create, read_update

_VA = "/api/v1.0/virtual-accounts/{account_id}"
_TX = "/api/v1.0/va-transactions/{account_id}"
_VA_NOT_FOUND = "Virtual Account not found"
_TX_NOT_FOUND = "Transaction not found"
# No maximum is documented; 25, 50 and 100 appear as examples, so 100 it is.
_MAX_TRANSACTIONS_PER_PAGE = 100
_BY_NUMBER_PER_PAGE = 50


def _known_virtual_account(request: web.Request) -> VirtualAccountRecord:
    account_id = known_account(request)
    va = request.app[STATE].find_virtual_account(account_id, request.match_info["va_id"])
    if va is None:
        raise ApiError(404, _VA_NOT_FOUND)
    return va


async def _virtual_accounts_create(request: web.Request) -> web.Response:
    state = request.app[STATE]
    account_id = known_account(request)
    va = state.create_virtual_account(account_id, read_create(json_body(request)))
    return ok_response(state.virtual_account_live_json(va))


async def _virtual_accounts_get(request: web.Request) -> web.Response:
    va = _known_virtual_account(request)
    return ok_response(request.app[STATE].virtual_account_live_json(va))


async def _virtual_accounts_update(request: web.Request) -> web.Response:
    state = request.app[STATE]
    va = _known_virtual_account(request)
    updated = attrs.evolve(va, **read_update(json_body(request), va))
    state.replace_virtual_account(updated)
    return ok_response(state.virtual_account_live_json(updated))


async def _virtual_accounts_delete(request: web.Request) -> web.Response:
    state = request.app[STATE]
    va = _known_virtual_account(request)
    if state.transactions.has_rows_for(va.account_id, va.id):
        # The gateway's own wording.
        raise ApiError(403, "This Virtual Account has have transactions")
    state.delete_virtual_account(va)
    return ok_response(dumps({"message": "Virtual Account delete successfully"}))


def _transactions_page(
    request: web.Request,
    account_id: str,
    query: TransactionQuery,
    validator: Validator,
    *,
    default_per_page: int,
) -> web.Response:
    state = request.app[STATE]
    rows = query.select(state.transactions.rows(account_id), now_ms=state.now_ms())
    return list_response(
        request,
        rows,
        validator,
        encode=state.transaction_json,
        block="meta",
        max_per_page=_MAX_TRANSACTIONS_PER_PAGE,
        default_per_page=default_per_page,
    )


async def _va_transactions_list(request: web.Request) -> web.Response:
    account_id = known_account(request)
    validator = Validator(request.query)
    query = read_query(validator)
    return _transactions_page(request, account_id, query, validator, default_per_page=25)


async def _va_transactions_list_by_va_number(request: web.Request) -> web.Response:
    account_id = known_account(request)
    number = request.match_info["va_number"]
    if request.app[STATE].find_virtual_account_by_number(account_id, number) is None:
        raise ApiError(404, _VA_NOT_FOUND)
    validator = Validator(request.query)
    query = read_query(validator, va_number=number)
    return _transactions_page(
        request, account_id, query, validator, default_per_page=_BY_NUMBER_PER_PAGE
    )


async def _va_transactions_get(request: web.Request) -> web.Response:
    state = request.app[STATE]
    account_id = known_account(request)
    tx = state.transactions.find(request.match_info["transaction_id"])
    # Another account's payment, or one older than 12 months, is not there.
    if tx is None or tx.account_id != account_id:
        raise ApiError(404, _TX_NOT_FOUND)
    if tx.post_timestamp < state.now_ms() - WINDOW_MS:
        raise ApiError(404, _TX_NOT_FOUND)
    return ok_response(state.transaction_json(tx))


async def _balance_get(request: web.Request) -> web.Response:
    # One handler (and route name) for the merchant's and a sub-account's balance.
    account_id = known_account(request) if "account_id" in request.match_info else None
    return ok_response(encode_balance(request.app[STATE].expected_balance(account_id)))


MONEY_ROUTES: tuple[Route, ...] = (
    ("POST", _VA, "virtual_accounts.create", _virtual_accounts_create),
    ("GET", f"{_VA}/{{va_id}}", "virtual_accounts.get", _virtual_accounts_get),
    ("PUT", f"{_VA}/{{va_id}}", "virtual_accounts.update", _virtual_accounts_update),
    # The spec lists PATCH too; every client uses PUT. Same handler, same name.
    ("PATCH", f"{_VA}/{{va_id}}", "virtual_accounts.update", _virtual_accounts_update),
    ("DELETE", f"{_VA}/{{va_id}}", "virtual_accounts.delete", _virtual_accounts_delete),
    ("GET", _TX, "va_transactions.list", _va_transactions_list),
    (
        "GET",
        f"{_TX}/detail-by-va-number/{{va_number}}",
        "va_transactions.list_by_va_number",
        _va_transactions_list_by_va_number,
    ),
    ("GET", f"{_TX}/{{transaction_id}}", "va_transactions.get", _va_transactions_get),
    ("GET", "/api/v1.0/balance-inquiry", "balance.get", _balance_get),
    ("GET", "/api/v1.0/balance-inquiry/{account_id}", "balance.get", _balance_get),
)
