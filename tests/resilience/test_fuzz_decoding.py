"""Decoding under fire: whatever the body, the decode path gives a model or a typed error.

Each test feeds a `Response` to exactly what the client runs on one (`unwrap`, then
`data_of` / `structure` / `structure_page` inside `_decoding`, or the token parser),
and allows three outcomes: a value that obeys the model contract,
`APIResponseValidationError`, or `APIStatusError`. Anything else (KeyError,
TypeError, RecursionError, OverflowError, ...) fails the test with the example.

Examples per test: `VAPAY_FUZZ_EXAMPLES` (default 200); derandomized when `CI` is set.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy
from resilience_helpers import env_number
from yarl import URL

import vapay
from vapay._api import decoding as _decoding
from vapay._auth import parse_token_response
from vapay._convert import DecodeError, structure, structure_page
from vapay._envelope import data_of, unwrap
from vapay._pagination import Walk
from vapay._transport import Request, Response
from vapay.sandbox._data import encode_account, encode_virtual_account, generate

pytestmark = pytest.mark.soak

settings.register_profile(
    "vapay-fuzz",
    max_examples=int(env_number("VAPAY_FUZZ_EXAMPLES", 200)),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("vapay-fuzz")

DATA = Path(__file__).parent.parent / "data"
UTC_OFFSET = dt.timedelta(0)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
URL_ACCOUNTS = URL("https://x.test/api/v1.0/accounts")
ACCOUNT_ID = "436546545"

# ---------------------------------------------------------------------------
# The decode paths, exactly as the client and the token provider run them.


def fetch_account(response: Response) -> object:
    """`Client._fetch(Account, ...)`: one object under `data`."""
    data = data_of(unwrap(response), response)
    with _decoding(response):
        return structure(data, vapay.Account)


def page_of(cls: type[Any], extra: Mapping[str, object] | None) -> Callable[[Response], object]:
    """`Client._page_fetcher(cls, ...)`: a list page, then the pager's checks of it."""

    def run(response: Response) -> object:
        envelope = unwrap(response)
        with _decoding(response):
            items, pagination = structure_page(envelope, cls, extra=extra)
        page = vapay.Page(items=items, pagination=pagination, number=1)
        page.next_page()
        # The pager's check of a page; its own error is allowed (its text is pinned
        # in test_listing_errors.py).
        with contextlib.suppress(vapay.APIResponseValidationError):
            Walk().admit(page)
        return page

    return run


def raw_request(response: Response) -> object:
    """`Client.request(...)`: the envelope's `data`, as decoded JSON."""
    return data_of(unwrap(response), response)


def token(response: Response) -> object:
    """The default token provider's parse of an access-token answer."""
    return parse_token_response(response, issued_at=0.0)


PATHS: dict[str, Callable[[Response], object]] = {
    "account": fetch_account,
    "accounts-page": page_of(vapay.Account, None),
    "va-page": page_of(vapay.VirtualAccount, {"account_id": ACCOUNT_ID}),
    "raw": raw_request,
    "token": token,
}


def response(status: int, body: bytes) -> Response:
    """A read answer to `GET /api/v1.0/accounts`."""
    return Response(
        status=status,
        headers=CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"})),
        body=body,
        request=Request(method="GET", url=URL_ACCOUNTS),
    )


# ---------------------------------------------------------------------------
# The contract a decoded value obeys, and the shape of each allowed error.


def check_optional_str(value: object) -> None:
    assert value is None or type(value) is str, value


def check_optional_utc(value: object) -> None:
    assert value is None or (isinstance(value, dt.datetime) and value.utcoffset() == UTC_OFFSET), (
        value
    )


def check_money(value: object) -> None:
    assert type(value) is vapay.Money, value
    assert type(value.value) is Decimal, value
    assert value.value.is_finite(), value
    check_optional_str(value.currency)


def check_enum_or_str(value: object, enum_cls: type, *, optional: bool) -> None:
    assert (optional and value is None) or type(value) in (enum_cls, str), value


def check_account(account: object) -> None:
    assert type(account) is vapay.Account, account
    assert type(account.id) is str
    for name in ("name", "email", "phone", "account_number", "kyb_status"):
        check_optional_str(getattr(account, name))
    check_enum_or_str(account.status, vapay.AccountStatus, optional=True)
    check_enum_or_str(account.account_type, vapay.AccountType, optional=True)


def check_virtual_account(va: object) -> None:
    assert type(va) is vapay.VirtualAccount, va
    assert type(va.id) is str
    assert type(va.number) is str
    assert va.account_id == ACCOUNT_ID
    check_money(va.amount)
    for money in (va.min_amount, va.max_amount):
        if money is not None:
            check_money(money)
    check_enum_or_str(va.status, vapay.VirtualAccountStatus, optional=False)
    check_enum_or_str(va.kind, vapay.VirtualAccountKind, optional=True)
    check_enum_or_str(va.amount_type, vapay.AmountType, optional=True)
    for name in ("bank_code", "name", "merchant_reff_no", "code"):
        check_optional_str(getattr(va, name))
    check_optional_utc(va.created_at)
    check_optional_utc(va.expired_at)
    assert va.current_usage is None or type(va.current_usage) is int
    if va.bank is not None:
        assert type(va.bank) is vapay.Bank
        for name in ("short_name", "number", "swift_code"):
            check_optional_str(getattr(va.bank, name))


def check_pagination(block: object) -> None:
    if block is None:
        return
    assert type(block) is vapay.Pagination, block
    assert type(block.current_page) is int
    assert type(block.total_pages) is int
    for name in ("count", "total", "per_page"):
        assert getattr(block, name) is None or type(getattr(block, name)) is int
    assert isinstance(block.links, Mapping)
    for key, link in block.links.items():
        assert type(key) is str
        check_optional_str(link)


def check_token(value: object) -> None:
    assert type(value) is vapay.Token, value
    assert type(value.access_token) is str
    assert value.access_token
    assert type(value.token_type) is str
    assert value.expires_in is None or (math.isfinite(value.expires_in) and value.expires_in > 0), (
        value.expires_in
    )


def check_value(path: str, value: object) -> None:
    if path == "account":
        check_account(value)
    elif path in {"accounts-page", "va-page"}:
        assert type(value) is vapay.Page
        assert type(value.items) is list
        for item in value.items:
            (check_account if path == "accounts-page" else check_virtual_account)(item)
        check_pagination(value.pagination)
    elif path == "token":
        check_token(value)


# A JSON path as cattrs and vapay print it: `@ $`, `@ $.data[3].amount.value`.
JSON_PATH = re.compile(r"@ \$(?:[.\[]|,|$| )")


def check_validation_error(err: vapay.APIResponseValidationError, resp: Response) -> None:
    message = str(err)
    assert err.message == message
    assert err.status == resp.status
    assert isinstance(err.body, str)
    assert len(err.body) <= 203  # a snippet, never the whole body
    # It names the request, and says where the body went wrong.
    assert message.startswith(f"GET {URL_ACCOUNTS.path}: "), message
    assert JSON_PATH.search(message) or "JSON" in message, message
    if isinstance(err.__cause__, DecodeError):
        # Converter errors point into the data: `$.data...`, `$.pagination`, `$.meta`.
        assert "@ $." in message, message


def check_status_error(err: vapay.APIStatusError, resp: Response) -> None:
    assert type(err.status) is int
    assert isinstance(err.message, str)
    assert err.message
    # One line: the request, the status, the server's message (then maybe a hint).
    request = resp.request
    text = str(err)
    assert "\n" not in text
    assert f"{request.method} {request.path} -> HTTP {err.status}" in text, text
    assert " ".join(err.message.split()) in text, text
    if not 200 <= resp.status < 300:
        assert err.status == resp.status
    else:  # `"success": false` under a 2xx: only a decoded envelope can say that.
        assert isinstance(err.body, dict)
        assert "success" in err.body
        assert err.body["success"] is not True
    if isinstance(err, vapay.UnprocessableEntityError):
        for name, messages in err.errors.items():
            assert type(name) is str
            assert all(type(m) is str for m in messages)


def note(outcome: str) -> None:
    """Count *outcome* in hypothesis' statistics (`--hypothesis-show-statistics`)."""
    if currently_in_test_context():
        event(outcome)


def assert_decodes_or_fails_typed(path: str, resp: Response) -> object:
    """Run *path* on *resp*; only the allowed outcomes may come out."""
    try:
        value = PATHS[path](resp)
    except vapay.APIStatusError as err:
        note("APIStatusError")
        check_status_error(err, resp)
        return err
    except vapay.APIResponseValidationError as err:
        note("APIResponseValidationError")
        check_validation_error(err, resp)
        return err
    note(f"decoded {type(value).__name__}")
    assert 200 <= resp.status < 300, f"HTTP {resp.status} decoded as a success"
    check_value(path, value)
    return value


# ---------------------------------------------------------------------------
# Strategies: arbitrary JSON, leaning on the API's own key names.

FIELD_NAMES = sorted(
    {
        f.name
        for cls in (vapay.Account, vapay.VirtualAccount, vapay.Money, vapay.Bank)
        for f in attrs.fields(cls)
    }
    | {"status", "success", "data", "error", "code", "message", "errors", "pagination"}
    | {"meta", "count", "total", "perPage", "per_page", "currentPage", "current_page"}
    | {"totalPages", "total_pages", "links", "next", "previous", "access_token"}
    | {"token_type", "expires_in", "response_code", "response_message", "value"}
)
ODD_STRINGS = (
    "",
    " ",
    "NaN",
    "-Infinity",
    "sNaN",
    "1e999999",
    "-1e-999999",
    "1_000",
    "0x1F",
    "-0",
    "00123",
    " 42 ",
    "4.2e1",
    "١٢٣",  # Arabic-Indic digits: isdigit() says yes
    "²",  # a superscript: isdigit() says yes, int() says no
    "１２３",  # fullwidth digits  # noqa: RUF001
    "9" * 5000,  # past int()'s 4300-digit limit
    "\x00",
    "\ud800",  # a lone surrogate, which JSON can carry
    "💸",
    "true",
    "null",
)
STATUSES = st.sampled_from(
    (
        *(200, 201, 202, 204, 299, 301, 302, 304, 307, 400, 401, 403, 404, 408, 409, 422, 429),
        *(500, 502, 503, 504, 599),
    )
)
# Mutated bodies mostly come as a 200, so that the converter sees them.
MOSTLY_200 = st.sampled_from([200] * 6 + [201, 404, 422, 500])
keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53, max_value=10**40)
    | st.floats()
    | st.text()
    | st.sampled_from(ODD_STRINGS)
)
json_values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(keys, kids, max_size=6),
    max_leaves=25,
)
# Smaller values inside envelopes: generating them is what costs time here.
small_values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(keys, kids, max_size=3),
    max_leaves=4,
)
pagination_blocks = st.fixed_dictionaries(
    {},
    optional={
        name: st.integers(-2, 12) | small_values
        for name in (
            *("count", "total", "perPage", "per_page", "currentPage", "current_page"),
            *("totalPages", "total_pages", "links"),
        )
    },
)
model_like = st.dictionaries(keys, small_values, max_size=8)
envelopes = st.fixed_dictionaries(
    {"data": small_values | model_like | st.lists(model_like, max_size=3)},
    optional={
        "status": st.integers(100, 599) | small_values,
        "success": st.booleans() | small_values,
        "pagination": pagination_blocks | small_values,
        "meta": pagination_blocks | small_values,
        "error": small_values,
    },
)


def dumps(value: object) -> bytes:
    """JSON as Python writes it, NaN and Infinity included."""
    return json.dumps(value, allow_nan=True).encode()


# ---------------------------------------------------------------------------
# (a) Arbitrary bodies.


@pytest.mark.parametrize("path", list(PATHS))
@FUZZ
@given(status=STATUSES, body=st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_fail_typed(path: str, status: int, body: bytes) -> None:
    """Any bytes, under any status, end as a model or a typed vapay error."""
    assert_decodes_or_fails_typed(path, response(status, body))


@pytest.mark.parametrize("path", list(PATHS))
@FUZZ
@given(status=STATUSES, value=json_values)
def test_arbitrary_json_decodes_or_fails_typed(path: str, status: int, value: object) -> None:
    """Any JSON value (NaN, huge ints, odd strings), under any status, ends typed."""
    assert_decodes_or_fails_typed(path, response(status, dumps(value)))


@pytest.mark.parametrize("path", list(PATHS))
@FUZZ
@given(status=STATUSES, envelope=envelopes)
def test_arbitrary_envelopes_decode_or_fail_typed(
    path: str, status: int, envelope: dict[str, object]
) -> None:
    """Envelopes with arbitrary data, flags and blocks end as a model or a typed error."""
    assert_decodes_or_fails_typed(path, response(status, dumps(envelope)))


# ---------------------------------------------------------------------------
# (b) Valid bodies, mutated.


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _sandbox_bodies(*, live: bool) -> tuple[dict[str, object], dict[str, object]]:
    """An accounts page and a VA page as the sandbox encodes them (seed or live shapes)."""
    accounts, vas = generate(5, 2, 4, live=live)
    block: dict[str, object] = (
        {"count": 2, "total": 2, "per_page": 25, "current_page": 1, "total_pages": 1, "links": []}
        if live
        else {"count": 2, "total": 2, "perPage": 25, "currentPage": 1, "totalPages": 1}
        | {"links": {}}
    )
    account_items = [json.loads(encode_account(a, seed=5, live=live)) for a in accounts]
    va_items = [
        json.loads(encode_virtual_account(va, seed=5, live=live)) for va in vas[accounts[0].id]
    ]
    ok = {"status": 200, "success": True}
    return (
        ok | {"data": account_items, "pagination": block},
        ok | {"data": va_items, "meta" if live else "pagination": block},
    )


SEED_ACCOUNTS_PAGE, SEED_VA_PAGE = _sandbox_bodies(live=False)
LIVE_ACCOUNTS_PAGE, LIVE_VA_PAGE = _sandbox_bodies(live=True)
LIVE_VA = load("peer/singapay-ledger/virtual-account-create-success.json")["data"]

BASES: dict[str, list[object]] = {
    "account": [
        load("seeds/accounts-show.json"),
        load("seeds/accounts-create.json"),
        load("seeds/accounts-update-status.json"),
        load("peer/singapay-ledger/account-get-success.json"),
        load("peer/singapay-ledger/account-create-success-doc-example.json"),
        {"status": 200, "success": True, "data": LIVE_ACCOUNTS_PAGE["data"][0]},  # type: ignore[index]
    ],
    "accounts-page": [
        load("seeds/accounts-list.json"),
        load("peer/singapay-js/list-envelope-no-pagination.json"),
        SEED_ACCOUNTS_PAGE,
        LIVE_ACCOUNTS_PAGE,
    ],
    "va-page": [
        load("seeds/virtual-accounts-list.json"),
        SEED_VA_PAGE,
        LIVE_VA_PAGE,
        {
            "status": 200,
            "success": True,
            "data": [LIVE_VA, LIVE_VA | {"id": 12345, "amount": {"value": 99000.5}}],
            "meta": load("peer/singapay-ledger/pagination-snake_case.json"),
        },
    ],
    "token": [
        load("peer/laravel-singapay/access-token-v1_1-success.json"),
        load("peer/laravel-singapay/access-token-v1_0-success.json"),
        load("peer/laravel-singapay/access-token-identity-host-flat.json"),
        load("peer/singapay-js/access-token-flat-stub.json"),
    ],
}

HUGE_LITERAL = "__vapay_fuzz_huge_literal__"
replacements = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**53 + 1, 2**63, -(2**63) - 1, 10**40, 10**4000, -(10**300)])
    | st.floats()
    | st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324])
    | st.text()
    | st.sampled_from(ODD_STRINGS)
    | st.just(HUGE_LITERAL)
    | st.builds(list)  # fresh empties: a mutation may change them in place
    | st.builds(dict)
    | json_values
)


def _locations(value: object, here: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path into *value* (the root is `()`)."""
    found = [here]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _locations(child, (*here, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _locations(child, (*here, index))
    return found


def _get(value: Any, where: tuple[object, ...]) -> Any:
    for step in where:
        value = value[step]
    return value


def _nest(value: object, depth: int, *, as_list: bool) -> object:
    for _ in range(depth):
        value = [value] if as_list else {"data": value}
    return value


@st.composite
def _mutation(draw: st.DrawFn, value: Any) -> Any:
    """*value* with one change at one place: a drop, a swap, nesting, extra keys."""
    where = draw(st.sampled_from(_locations(value)))
    node = _get(value, where)
    op = draw(st.sampled_from(["drop", "replace", "replace", "nest", "extra", "stringify"]))
    if op == "drop" and where:
        parent = _get(value, where[:-1])
        del parent[where[-1]]
        return value
    if op == "nest":
        new = _nest(node, draw(st.integers(1, 300)), as_list=draw(st.booleans()))
    elif op == "extra" and isinstance(node, dict):
        node.update(draw(st.dictionaries(keys, json_values, min_size=1, max_size=4)))
        return value
    elif op == "stringify" and not isinstance(node, (dict, list)):
        # The API sends numbers as strings and strings as numbers: swap them.
        new = json.dumps(node, allow_nan=True) if not isinstance(node, str) else node.strip()
    else:
        new = draw(replacements)
    if not where:
        return new
    _get(value, where[:-1])[where[-1]] = new
    return value


@st.composite
def mutated_bodies(draw: st.DrawFn, path: str) -> bytes:
    """A valid body of *path*'s kind with one to three mutations, as bytes."""
    value = copy.deepcopy(draw(st.sampled_from(BASES[path])))
    for _ in range(draw(st.integers(1, 3))):
        value = draw(_mutation(value))
    text = json.dumps(value, allow_nan=True)
    # An integer literal past int()'s digit limit: json.loads itself refuses it.
    return text.replace(json.dumps(HUGE_LITERAL), "1" + "0" * 5000).encode()


def _wire_item(body: bytes, index: int) -> Any:
    return json.loads(body)["data"][index]


def check_exact_values(path: str, body: bytes, value: object) -> None:
    """Decoded ids, numbers, amounts and times equal what was on the wire."""
    if path != "va-page":
        return
    assert isinstance(value, vapay.Page)
    for index, va in enumerate(value.items):
        wire = _wire_item(body, index)
        assert va.id == str(wire["id"])  # a leading zero sent is a leading zero kept
        assert va.number == str(wire["number"])
        raw = wire["amount"]["value"]
        sent = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw).strip())
        assert va.amount.value == sent
        if isinstance(raw, str):
            assert va.amount.value.as_tuple().exponent == sent.as_tuple().exponent
        if wire.get("created_at") is not None:
            millis = wire["created_at"]
            millis = int(millis.strip()) if isinstance(millis, str) else int(millis)
            assert va.created_at == EPOCH + dt.timedelta(milliseconds=millis)


@pytest.mark.parametrize("path", ["account", "accounts-page", "va-page", "token"])
@FUZZ
@given(status=MOSTLY_200, data=st.data())
def test_mutated_valid_bodies_decode_or_fail_typed(
    path: str, status: int, data: st.DataObject
) -> None:
    """Seed and live bodies, mutated, end as a contract-abiding model or a typed error."""
    body = data.draw(mutated_bodies(path), label="body")
    value = assert_decodes_or_fails_typed(path, response(status, body))
    if not isinstance(value, vapay.VapayError):
        check_exact_values(path, body, value)


@pytest.mark.parametrize("path", ["account", "accounts-page", "va-page", "token"])
def test_every_base_body_decodes(path: str) -> None:
    """The unmutated bases decode: the mutation tests start from valid bodies."""
    for base in BASES[path]:
        value = assert_decodes_or_fails_typed(path, response(200, dumps(base)))
        assert not isinstance(value, vapay.VapayError), (base, value)


# ---------------------------------------------------------------------------
# Odd bodies worth pinning by name (found by, or too rare for, the fuzzer).

VA = {"id": "1", "number": "2", "amount": {"value": "1.00"}, "status": "active"}


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("va-page", {"data": [VA | {"amount": {"value": "NaN"}}]}, "$.data[0].amount.value"),
        ("va-page", {"data": [VA | {"amount": {"value": "Infinity"}}]}, "$.data[0].amount.value"),
        ("va-page", {"data": [VA | {"id": 1.5}]}, "$.data[0].id"),
        ("va-page", {"data": [VA | {"id": True}]}, "$.data[0].id"),
        ("va-page", {"data": [VA, {"id": "3"}]}, "$.data[1]"),
        ("va-page", {"data": [VA | {"created_at": "9" * 30}]}, "$.data[0].created_at"),
        ("va-page", {"data": [VA | {"created_at": "²"}]}, "$.data[0].created_at"),
        (
            "va-page",
            {"data": [VA], "pagination": {"currentPage": "x", "totalPages": 1}},
            "$.pagination",
        ),
        ("va-page", {"data": [VA], "meta": [1]}, "$.meta"),
        ("va-page", {"data": {"id": "1"}}, "$.data"),
        ("account", {"data": {"id": None}}, "$.data.id"),
        ("account", {"data": [1, 2]}, "$.data"),
        ("account", {"data": {"id": "1", "name": {"first": "x"}}}, "$.data.name"),
    ],
    ids=[
        "nan-amount",
        "infinity-string-amount",
        "float-id",
        "bool-id",
        "item-missing-fields",
        "created-at-out-of-range",
        "created-at-superscript-digit",
        "pagination-page-not-a-number",
        "meta-a-list",
        "data-an-object-for-a-list",
        "null-id",
        "data-a-list-for-an-object",
        "name-an-object",
    ],
)
def test_converter_errors_name_the_json_path(path: str, body: object, where: str) -> None:
    """A converter error says where the body went wrong, as a `$.` path."""
    err = assert_decodes_or_fails_typed(path, response(200, dumps(body)))

    assert isinstance(err, vapay.APIResponseValidationError)
    assert where in str(err)


@pytest.mark.parametrize(
    "body",
    [
        b'{"status":200,"success":true,"data":{"id":' + b"1" * 5000 + b"}}",
        b'{"status":200,"success":true,"data":{"id":"1"}',
        b"\xff\xfe\x00{",
        b"",
        b"<html><body>502 Bad Gateway</body></html>",
        b'"success"',
        b"NaN",
    ],
    ids=["int-past-digit-limit", "truncated", "bad-utf", "empty", "html", "a-string", "nan"],
)
def test_unparsable_or_non_object_bodies_are_validation_errors(body: bytes) -> None:
    """Bodies that are not a JSON object under a 200 are APIResponseValidationError."""
    err = assert_decodes_or_fails_typed("account", response(200, body))

    assert isinstance(err, vapay.APIResponseValidationError)


@pytest.mark.parametrize("path", list(PATHS))
def test_nesting_past_the_recursion_limit_is_a_validation_error(path: str) -> None:
    """JSON nested 100,000 deep is an APIResponseValidationError, not a RecursionError."""
    body = b"[" * 100_000

    err = assert_decodes_or_fails_typed(path, response(200, body))

    assert isinstance(err, vapay.APIResponseValidationError)


@pytest.mark.parametrize(
    "amount",
    ["18446744073709551617", "-9223372036854775809", "1" * 30],
    ids=["past-uint64", "below-int64", "thirty-ones"],
)
def test_an_integer_amount_beyond_64_bits_is_exact_or_refused(amount: str) -> None:
    """An integer amount of any size decodes to exactly that Decimal, or is refused."""
    item = f'{{"id":"1","number":"2","status":"active","amount":{{"value":{amount}}}}}'
    body = f'{{"status":200,"success":true,"data":[{item}]}}'.encode()

    value = assert_decodes_or_fails_typed("va-page", response(200, body))

    if isinstance(value, vapay.Page):
        assert value.items[0].amount.value == Decimal(amount)


@pytest.mark.parametrize(
    "expires_in",
    ["1" + "0" * 400, "-" + "1" + "0" * 400],
    ids=["huge", "huge-negative"],
)
def test_a_huge_integer_expires_in_is_a_validation_error(expires_in: str) -> None:
    """`expires_in` as an integer too large for a float is a validation error."""
    body = b'{"status":200,"success":true,"data":{"access_token":"t","expires_in":%s}}' % (
        expires_in.encode()
    )

    err = assert_decodes_or_fails_typed("token", response(200, body))

    assert isinstance(err, vapay.APIResponseValidationError)
