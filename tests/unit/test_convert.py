"""The converter's wire rules, the seed and peer bodies it must decode, and Page.next_page."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from vapay._convert import DecodeError, pagination_from_block, structure, structure_page
from vapay._envelope import data_of, loads, unwrap
from vapay._models import (
    Account,
    AccountStatus,
    AccountType,
    AmountType,
    Bank,
    Money,
    Page,
    Pagination,
    VirtualAccount,
    VirtualAccountKind,
    VirtualAccountStatus,
)
from vapay._transport import Request, Response

DATA = Path(__file__).parent.parent / "data"
UTC = dt.timezone.utc
SEED_CREATED_AT = dt.datetime(2024, 5, 2, 2, 14, 55, 80000, tzinfo=UTC)
ULID = "01K96K1YWFEC0BAQ9E0ZY7W882"


def load(name: str) -> Any:
    """The decoded JSON of a fixture under tests/data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def fixture_response(name: str, path: str = "/api/v1.0/accounts") -> Response:
    """A 200 answer whose body is the fixture file, byte for byte."""
    return Response(
        status=200,
        headers=CIMultiDictProxy(CIMultiDict()),
        body=(DATA / name).read_bytes(),
        request=Request(method="GET", url=URL("https://sandbox.test") / path.lstrip("/")),
    )


def va(**fields: object) -> dict[str, object]:
    """A minimal valid virtual-account object, with *fields* replaced or added."""
    item: dict[str, object] = {
        "id": "2374354",
        "number": "465436543564546",
        "amount": {"value": "11000.00", "currency": "IDR"},
        "status": "active",
    }
    item.update(fields)
    return item


def number(text: str) -> object:
    """The JSON number *text* as vapay decodes it (a fraction or exponent: a Decimal)."""
    return loads(text.encode())


def decode_error(data: object, cls: type) -> str:
    """The DecodeError message for decoding *data* as *cls*."""
    with pytest.raises(DecodeError) as info:
        structure(data, cls)
    return str(info.value)


# --- ids, phone and VA numbers -------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("23643", "23643"),
        (23643, "23643"),
        (ULID, ULID),
        ("000123", "000123"),
        (0, "0"),
        (12345678901234567890123, "12345678901234567890123"),
    ],
    ids=["digit-string", "integer", "ulid", "leading-zeros", "zero", "bigger-than-int64"],
)
def test_id_becomes_str(wire: object, expected: str) -> None:
    """An id sent as a JSON string or integer decodes to the same digits as str."""
    account = structure({"id": wire}, Account)
    assert account.id == expected
    assert type(account.id) is str


@pytest.mark.parametrize(
    ("wire", "described"),
    [
        (number("23643.0"), "the number 23643.0"),
        (number("1.5"), "the number 1.5"),
        (number("2E+3"), "the number 2E+3"),
        (number("1." + "5" * 100), "the number 1." + "5" * 38),
        (True, "a boolean"),
        (False, "a boolean"),
        (None, "null"),
        ([], "a list"),
        ({}, "an object"),
    ],
    ids=[
        "integral-fraction",
        "fraction",
        "exponent",
        "long-fraction-cut-short",
        "true",
        "false",
        "null",
        "list",
        "object",
    ],
)
def test_id_of_wrong_type_is_rejected(wire: object, described: str) -> None:
    """A fractional number, bool, null or container id is a DecodeError at `$.data.id`."""
    message = decode_error({"id": wire}, Account)
    assert message == f"expected a string or an integer, got {described} @ $.data.id"


def test_phone_keeps_its_leading_zero() -> None:
    """A phone number sent as a string keeps the leading zero that was sent."""
    account = structure({"id": "1", "phone": "082371268163823"}, Account)
    assert account.phone == "082371268163823"


def test_phone_sent_as_integer_becomes_its_digits() -> None:
    """A phone number sent as a JSON integer becomes its decimal digits."""
    account = structure({"id": "1", "phone": 628339243232}, Account)
    assert account.phone == "628339243232"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [("465436543564546", "465436543564546"), (6343654354, "6343654354"), ("0091", "0091")],
    ids=["string", "integer", "leading-zeros"],
)
def test_va_number_becomes_str(wire: object, expected: str) -> None:
    """A VA number sent as a string or integer decodes to str, leading zeros kept."""
    assert structure(va(number=wire), VirtualAccount).number == expected


def test_va_number_with_a_fraction_is_rejected() -> None:
    """A VA number sent as a number with a fraction is rejected at its path."""
    message = decode_error(va(number=number("6343654354.0")), VirtualAccount)
    assert message == "expected a string or an integer, got the number 6343654354.0 @ $.data.number"


# --- amounts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("11000.00", "11000.00"),
        (99000, "99000"),
        (number("99000.5"), "99000.5"),
        (number("99000.10"), "99000.10"),
        (number("12345678901234567.89"), "12345678901234567.89"),
        (number("1.5E+3"), "1.5E+3"),
        ("0", "0"),
        (" 5.10 ", "5.10"),
        (number("0.1"), "0.1"),
        ("-250.75", "-250.75"),
        ("100000.00", "100000.00"),
    ],
    ids=[
        "string-with-scale",
        "integer",
        "number-with-fraction",
        "number-keeps-its-scale",
        "number-past-float-precision",
        "number-with-exponent",
        "zero-string",
        "padded-string",
        "number-without-binary-noise",
        "negative",
        "live-api-string",
    ],
)
def test_amount_becomes_exact_decimal(wire: object, expected: str) -> None:
    """An amount decodes to a Decimal that keeps exactly the digits and scale sent."""
    value = structure(va(amount={"value": wire, "currency": "IDR"}), VirtualAccount).amount.value
    assert type(value) is Decimal
    assert str(value) == expected


@pytest.mark.parametrize(
    ("wire", "problem"),
    [
        ("NaN", "expected a finite amount, got 'NaN'"),
        ("Infinity", "expected a finite amount, got 'Infinity'"),
        ("-Infinity", "expected a finite amount, got '-Infinity'"),
        ("sNaN", "expected a finite amount, got 'sNaN'"),
        (number("NaN"), "expected a finite amount, got nan"),
        (number("-Infinity"), "expected a finite amount, got -inf"),
        ("1E+9999999", "the number 1E+9999999 is out of range"),
        (10**400, f"the number {str(10**400)[:40]} is out of range"),
        ("abc", "expected a decimal number, got 'abc'"),
        ("", "expected a decimal number, got ''"),
        ("1,000.00", "expected a decimal number, got '1,000.00'"),
        (True, "expected an amount, got a boolean"),
        (None, "expected an amount, got null"),
        ([], "expected an amount, got a list"),
    ],
    ids=[
        "nan-string",
        "infinity-string",
        "minus-infinity-string",
        "signalling-nan",
        "nan-literal",
        "minus-infinity-literal",
        "string-past-a-double",
        "integer-past-a-double",
        "letters",
        "empty",
        "thousands-separator",
        "bool",
        "null",
        "list",
    ],
)
def test_bad_amount_is_rejected_at_its_path(wire: object, problem: str) -> None:
    """A non-finite, non-numeric, bool or null amount is a DecodeError at `amount.value`."""
    message = decode_error(va(amount={"value": wire}), VirtualAccount)
    assert message == f"{problem} @ $.data.amount.value"


def test_amount_that_is_not_an_object_is_rejected() -> None:
    """An amount sent as a bare string instead of `{value, currency}` is rejected."""
    message = decode_error(va(amount="11000.00"), VirtualAccount)
    assert message == "expected an object, got str '11000.00' @ $.data.amount"


def test_amount_number_in_a_body_keeps_every_digit() -> None:
    """An amount sent as a JSON number keeps digits a float would round, and its scale."""
    item = b'{"id": 1, "number": 2, "status": "active", "amount": {"value": 12345678901234567.80}}'
    body = b'{"data": [' + item + b"]}"
    response = Response(
        status=200,
        headers=CIMultiDictProxy(CIMultiDict()),
        body=body,
        request=Request(
            method="GET", url=URL("https://sandbox.test/api/v1.0/accounts/1/virtual-accounts")
        ),
    )
    items, _ = structure_page(unwrap(response), VirtualAccount)
    assert str(items[0].amount.value) == "12345678901234567.80"


def test_currency_is_kept() -> None:
    """The amount's currency code comes through as sent."""
    amount = structure(va(amount={"value": 5, "currency": "IDR"}), VirtualAccount).amount
    assert amount == Money(value=Decimal(5), currency="IDR")


# --- timestamps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wire",
    ["1714616095080", 1714616095080, " 1714616095080 ", number("1714616095080.0")],
    ids=["string", "integer", "padded-string", "integral-fraction"],
)
def test_created_at_from_unix_millis(wire: object) -> None:
    """`created_at` in unix milliseconds becomes the exact aware UTC datetime."""
    created_at = structure(va(created_at=wire), VirtualAccount).created_at
    assert created_at == SEED_CREATED_AT
    assert created_at is not None
    assert created_at.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (0, dt.datetime(1970, 1, 1, tzinfo=UTC)),
        (253402300799999, dt.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        (-62135596800000, dt.datetime(1, 1, 1, tzinfo=UTC)),
    ],
    ids=["epoch", "last-representable", "first-representable"],
)
def test_created_at_range_edges(wire: int, expected: dt.datetime) -> None:
    """The first and last instants a datetime can hold decode exactly."""
    assert structure(va(created_at=wire), VirtualAccount).created_at == expected


@pytest.mark.parametrize(
    ("wire", "problem"),
    [
        (253402300800000, "unix milliseconds out of range: 253402300800000"),
        (-62135596800001, "unix milliseconds out of range: -62135596800001"),
        (10**20, f"unix milliseconds out of range: {10**20}"),
        ("9" * 30, f"unix milliseconds out of range: {'9' * 30}"),
        ("abc", "expected an integer, got str 'abc'"),
        ("", "expected an integer, got str ''"),
        ("1714616095080.0", "expected an integer, got str '1714616095080.0'"),
        (number("1714616095080.5"), "expected an integer, got the number 1714616095080.5"),
        (True, "expected an integer, got a boolean"),
    ],
    ids=[
        "after-year-9999",
        "before-year-1",
        "huge-integer",
        "huge-string",
        "letters",
        "empty",
        "decimal-string",
        "fractional-millis",
        "bool",
    ],
)
def test_bad_created_at_is_rejected(wire: object, problem: str) -> None:
    """An out-of-range or non-integer timestamp is a DecodeError at `created_at`."""
    message = decode_error(va(created_at=wire), VirtualAccount)
    assert message == f"{problem} @ $.data.created_at"


def test_missing_created_at_is_none() -> None:
    """The live API no longer sends `created_at`: absent decodes to None."""
    assert structure(va(), VirtualAccount).created_at is None


# --- enums -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "data", "field", "member"),
    [
        (Account, {"id": "1", "status": "inactive"}, "status", AccountStatus.INACTIVE),
        (Account, {"id": "1", "status": "rejected"}, "status", AccountStatus.REJECTED),
        (
            Account,
            {"id": "1", "account_type": "business_managed"},
            "account_type",
            AccountType.BUSINESS_MANAGED,
        ),
        (VirtualAccount, va(status="expired"), "status", VirtualAccountStatus.EXPIRED),
        (VirtualAccount, va(status="inactive"), "status", VirtualAccountStatus.INACTIVE),
        (VirtualAccount, va(kind="permanent"), "kind", VirtualAccountKind.PERMANENT),
        (VirtualAccount, va(amount_type="open"), "amount_type", AmountType.OPEN),
    ],
    ids=[
        "account-inactive",
        "account-rejected",
        "account-type",
        "va-expired",
        "va-inactive",
        "va-kind",
        "va-amount-type",
    ],
)
def test_known_enum_value_becomes_member(
    cls: type, data: dict[str, object], field: str, member: object
) -> None:
    """A value the enum knows decodes to the enum member itself."""
    assert getattr(structure(data, cls), field) is member


@pytest.mark.parametrize(
    ("cls", "data", "field"),
    [
        (Account, {"id": "1", "status": "frozen"}, "status"),
        (Account, {"id": "1", "account_type": "frozen"}, "account_type"),
        (VirtualAccount, va(status="frozen"), "status"),
        (VirtualAccount, va(kind="frozen"), "kind"),
        (VirtualAccount, va(amount_type="frozen"), "amount_type"),
    ],
    ids=["account-status", "account-type", "va-status", "va-kind", "va-amount-type"],
)
def test_unknown_enum_value_comes_through_as_plain_str(
    cls: type, data: dict[str, object], field: str
) -> None:
    """A value this version does not know decodes to the plain string, not an error."""
    value = getattr(structure(data, cls), field)
    assert value == "frozen"
    assert type(value) is str


def test_required_enum_field_rejects_null() -> None:
    """A virtual account's status is required: null is a DecodeError at `$.data.status`."""
    message = decode_error(va(status=None), VirtualAccount)
    assert message == "expected a string or an integer, got null @ $.data.status"


def test_optional_enum_field_accepts_null() -> None:
    """An account's status may be null, and then decodes to None."""
    assert structure({"id": "1", "status": None}, Account).status is None


# --- object shape ----------------------------------------------------------------------


def test_unknown_keys_are_ignored() -> None:
    """Fields the API adds later never break decoding and never reach the model."""
    account = structure(
        {"id": "1", "name": "Budi", "tier": "gold", "limits": {"daily": [1, 2]}}, Account
    )
    assert account == Account(id="1", name="Budi")


def test_only_id_is_required_for_an_account() -> None:
    """Every account field but `id` is optional and decodes to None when absent."""
    assert structure({"id": ULID}, Account) == Account(
        id=ULID,
        name=None,
        status=None,
        email=None,
        phone=None,
        account_number=None,
        account_type=None,
        kyb_status=None,
        invite_members=None,
    )


def test_missing_required_field_names_its_path() -> None:
    """A missing required field is `required field missing` at its JSON path."""
    assert decode_error({"name": "Budi"}, Account) == "required field missing @ $.data.id"


def test_missing_amount_names_its_path() -> None:
    """A virtual account without `amount` names `$.data.amount`."""
    item = va()
    del item["amount"]
    assert decode_error(item, VirtualAccount) == "required field missing @ $.data.amount"


@pytest.mark.parametrize(
    ("data", "described"),
    [("x", "str 'x'"), ([{"id": "1"}], "a list"), (None, "null"), (7, "int 7")],
    ids=["string", "list", "null", "number"],
)
def test_data_that_is_not_an_object_is_rejected(data: object, described: str) -> None:
    """`data` that is not a JSON object, where one is expected, says `expected an object`."""
    assert decode_error(data, Account) == f"expected an object, got {described} @ $.data"


def test_bank_object_decodes_with_leading_zeros() -> None:
    """The live API's `bank` object decodes to Bank, its number kept as sent."""
    bank = {"short_name": "BRI", "number": "002", "swift_code": "BRINIDJA"}
    decoded = structure(va(bank=bank), VirtualAccount).bank
    assert decoded == Bank(short_name="BRI", number="002", swift_code="BRINIDJA")


@pytest.mark.parametrize(
    ("wire", "described"),
    [
        (5, "int 5"),
        ("BRI", "str 'BRI'"),
        ([], "a list"),
        ("", "str ''"),
    ],
    ids=["number", "string", "empty-list", "empty-string"],
)
def test_bank_that_is_not_an_object_is_rejected(wire: object, described: str) -> None:
    """A `bank` that is not an object is a DecodeError, never a silently empty Bank."""
    message = decode_error(va(bank=wire), VirtualAccount)
    assert message == f"expected an object, got {described} @ $.data.bank"


@pytest.mark.parametrize(
    ("wire", "expected"),
    [(0, 0), (3, 3), ("3", 3), (number("3.0"), 3), (number("3E+2"), 300)],
    ids=["zero", "integer", "digit-string", "integral-fraction", "exponent"],
)
def test_counter_becomes_int(wire: object, expected: int) -> None:
    """`current_usage` arrives as a number or digit string and becomes int."""
    assert structure(va(current_usage=wire), VirtualAccount).current_usage == expected


@pytest.mark.parametrize(
    ("wire", "described"),
    [(number("1.5"), "the number 1.5"), (True, "a boolean"), ("x", "str 'x'")],
    ids=["fraction", "bool", "letters"],
)
def test_bad_counter_is_rejected(wire: object, described: str) -> None:
    """A fractional, bool or non-numeric counter is rejected at its path."""
    message = decode_error(va(current_usage=wire), VirtualAccount)
    assert message == f"expected an integer, got {described} @ $.data.current_usage"


# --- lists and error paths -------------------------------------------------------------


def test_error_in_a_list_names_index_and_field() -> None:
    """A bad amount in the third item names `$.data[2].amount.value`."""
    data = [va(), va(), va(amount={"value": "x"})]
    with pytest.raises(DecodeError, match=r"^expected a decimal number, got 'x' @ \$\.data\[2\]"):
        structure_page({"data": data}, VirtualAccount)


def test_bad_id_in_first_item_names_its_path() -> None:
    """A fractional id in the first item names `$.data[0].id`."""
    with pytest.raises(DecodeError) as info:
        structure_page({"data": [va(id=number("1.5"))]}, VirtualAccount)
    assert str(info.value) == "expected a string or an integer, got the number 1.5 @ $.data[0].id"


def test_item_that_is_not_an_object_names_its_index() -> None:
    """A list item that is not an object says `expected an object` at its index."""
    with pytest.raises(DecodeError) as info:
        structure_page({"data": [{"id": "1"}, "x"]}, Account)
    assert str(info.value) == "expected an object, got str 'x' @ $.data[1]"


def test_many_errors_are_cut_to_three() -> None:
    """With five bad items the message shows three and counts the rest."""
    with pytest.raises(DecodeError) as info:
        structure_page({"data": [{}] * 5}, Account)
    assert str(info.value) == (
        "required field missing @ $.data[0].id; required field missing @ $.data[1].id; "
        "required field missing @ $.data[2].id (and 2 more)"
    )


@pytest.mark.parametrize(
    ("data", "described"),
    [({"id": "1"}, "an object"), (None, "null"), ("[]", "str '[]'")],
    ids=["object", "null", "string"],
)
def test_list_data_that_is_not_a_list_is_rejected(data: object, described: str) -> None:
    """A list envelope whose `data` is not a list says so at `$.data`."""
    with pytest.raises(DecodeError) as info:
        structure_page({"data": data}, Account)
    assert str(info.value) == f"expected a list @ $.data, got {described}"


def test_list_envelope_without_data_is_rejected() -> None:
    """A list envelope with no `data` is `required field missing @ $.data`."""
    with pytest.raises(DecodeError) as info:
        structure_page({"status": 200, "success": True}, Account)
    assert str(info.value) == "required field missing @ $.data"


def test_extra_fields_reach_every_item() -> None:
    """`extra` (the listed account's id) is set on every decoded item."""
    items, _ = structure_page(
        {"data": [va(id="a"), va(id="b")]}, VirtualAccount, extra={"account_id": "23643"}
    )
    assert [(item.id, item.account_id) for item in items] == [("a", "23643"), ("b", "23643")]


def test_extra_fields_replace_what_an_item_carries() -> None:
    """An item's own `account_id` gives way to the one the listing was asked for."""
    items, _ = structure_page(
        {"data": [va(account_id="other")]}, VirtualAccount, extra={"account_id": "23643"}
    )
    assert items[0].account_id == "23643"


@pytest.mark.parametrize(
    ("given", "expected"), [("23643", "23643"), (23643, "23643")], ids=["string", "integer"]
)
def test_extra_values_follow_the_field_rules(given: object, expected: str) -> None:
    """An `extra` value is converted like the wire value of its field (integer id -> str)."""
    items, _ = structure_page({"data": [va()]}, VirtualAccount, extra={"account_id": given})
    assert items[0].account_id == expected


def test_extra_fields_leave_the_decoded_json_alone() -> None:
    """Decoding a page with `extra`, even a bad one, does not change its item dicts."""
    data = [va(), va(amount={"value": "x"})]
    with pytest.raises(DecodeError, match=r"@ \$\.data\[1\]\.amount\.value$"):
        structure_page({"data": data}, VirtualAccount, extra={"account_id": "23643"})
    assert [item.get("account_id") for item in data] == [None, None]


def test_extra_naming_no_field_is_a_type_error() -> None:
    """`extra` naming a field the model lacks is a bug in vapay, not bad data."""
    with pytest.raises(TypeError, match="has no field 'acount_id'"):
        structure_page({"data": [va()]}, VirtualAccount, extra={"acount_id": "23643"})


# --- pagination ------------------------------------------------------------------------

PEER_PAGINATION = Pagination(count=6, total=42, per_page=25, current_page=2, total_pages=2)


@pytest.mark.parametrize(
    "name",
    ["pagination-camelCase.json", "pagination-snake_case.json"],
    ids=["camelCase", "snake_case"],
)
def test_pagination_block_in_either_spelling(name: str) -> None:
    """The peers' camelCase and snake_case blocks decode to the same Pagination."""
    block = load(f"peer/singapay-ledger/{name}")
    assert pagination_from_block(block) == PEER_PAGINATION


@pytest.mark.parametrize("key", ["pagination", "meta"])
@pytest.mark.parametrize(
    "name",
    ["pagination-camelCase.json", "pagination-snake_case.json"],
    ids=["camelCase", "snake_case"],
)
def test_pagination_under_either_name(key: str, name: str) -> None:
    """A list envelope's block counts whether it is named `pagination` or `meta`."""
    envelope = {"data": [{"id": "1"}], key: load(f"peer/singapay-ledger/{name}")}
    _, pagination = structure_page(envelope, Account)
    assert pagination == PEER_PAGINATION


def test_page_numbers_as_digit_strings() -> None:
    """Page numbers sent as digit strings become ints."""
    block = {"currentPage": "3", "totalPages": "12", "perPage": "50", "total": "600"}
    assert pagination_from_block(block) == Pagination(
        current_page=3, total_pages=12, per_page=50, total=600
    )


@pytest.mark.parametrize(
    "block",
    [
        None,
        {},
        [],
        {"count": 6, "total": 42, "perPage": 25},
        {"currentPage": 2, "total": 42},
        {"totalPages": 2},
        {"currentPage": 1, "totalPages": None},
    ],
    ids=[
        "missing",
        "empty-object",
        "empty-php-array",
        "no-page-numbers",
        "no-total-pages",
        "no-current-page",
        "null-total-pages",
    ],
)
def test_unusable_pagination_block_is_none(block: object) -> None:
    """A missing block, `{}`/`[]`, or one lacking the page numbers is no Pagination."""
    assert pagination_from_block(block) is None


def test_list_envelope_without_block_has_no_pagination() -> None:
    """A list envelope with neither `pagination` nor `meta` has pagination None."""
    items, pagination = structure_page({"data": [{"id": "1"}]}, Account)
    assert [item.id for item in items] == ["1"]
    assert pagination is None


@pytest.mark.parametrize("links", [{}, []], ids=["empty-object", "empty-php-array"])
def test_empty_links_become_empty_mapping(links: object) -> None:
    """`links` as `{}` or PHP's `[]` decodes to an empty mapping."""
    pagination = pagination_from_block({"currentPage": 1, "totalPages": 1, "links": links})
    assert pagination is not None
    assert pagination.links == {}


def test_links_keep_their_urls() -> None:
    """`links` with URLs (and nulls) keeps them as sent."""
    links = {"next": "https://sandbox.test/api/v1.0/accounts?page=3", "previous": None}
    pagination = pagination_from_block({"currentPage": 2, "totalPages": 5, "links": links})
    assert pagination is not None
    assert pagination.links == links


@pytest.mark.parametrize(
    ("envelope", "expected"),
    [
        (
            {"data": [], "pagination": {"currentPage": "abc", "totalPages": 2}},
            "expected an integer, got str 'abc' @ $.pagination",
        ),
        (
            {"data": [], "meta": {"current_page": 1, "total_pages": True}},
            "expected an integer, got a boolean @ $.meta",
        ),
        ({"data": [], "pagination": [1]}, "expected an object, got a list @ $.pagination"),
        ({"data": [], "meta": "x"}, "expected an object, got str 'x' @ $.meta"),
        (
            {"data": [], "pagination": {"currentPage": 1, "totalPages": 1, "links": "x"}},
            "expected an object of links, got str 'x' @ $.pagination",
        ),
    ],
    ids=["letters-page", "bool-total", "non-empty-list", "string-block", "string-links"],
)
def test_bad_pagination_block_is_rejected(envelope: dict[str, object], expected: str) -> None:
    """A block present with bad values is a DecodeError naming the block, not a silent None."""
    with pytest.raises(DecodeError) as info:
        structure_page(envelope, Account)
    assert str(info.value) == expected


# --- seed examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "seeds/accounts-create.json",
            Account(
                id="01K96K1YWFEC0BAQ9E0ZY7W882",
                name="Dhany Ahmad 19hapus",
                email="DhanyAhmad19@gmail.com",
                phone="082371268163823",
                status=AccountStatus.ACTIVE,
            ),
        ),
        (
            "seeds/accounts-show.json",
            Account(
                id="01K946KF851RK7FX075GJHBVKF",
                name="rwa",
                email="admin@gmail.com",
                phone="081234567890",
                status=AccountStatus.ACTIVE,
            ),
        ),
        (
            "seeds/accounts-update-status.json",
            Account(
                id="436546545",
                name="Julian Albertus Pratama",
                email="julian.pratama@example.com",
                phone="62682293427611",
                status=AccountStatus.ACTIVE,
            ),
        ),
    ],
    ids=["create", "show", "update-status"],
)
def test_seed_account_example_decodes(name: str, expected: Account) -> None:
    """Each seed page's account example decodes to exactly the account it shows."""
    response = fixture_response(name)
    assert structure(data_of(unwrap(response), response), Account) == expected


def test_seed_accounts_list_decodes() -> None:
    """The accounts-list seed gives its one account and its camelCase block."""
    items, pagination = structure_page(
        unwrap(fixture_response("seeds/accounts-list.json")), Account
    )
    assert items == [
        Account(
            id="436546545",
            name="Julian Albertus Pratama",
            email="julian.pratama@example.com",
            phone="62682293427611",
            status=AccountStatus.ACTIVE,
        )
    ]
    assert pagination == Pagination(
        count=1, total=1, per_page=10, current_page=1, total_pages=1, links={}
    )


def test_seed_virtual_accounts_list_decodes() -> None:
    """The virtual-accounts-list seed gives its one VA with exact amount and time."""
    envelope = unwrap(fixture_response("seeds/virtual-accounts-list.json"))
    items, pagination = structure_page(envelope, VirtualAccount, extra={"account_id": "23643"})
    assert items == [
        VirtualAccount(
            id="2374354",
            number="465436543564546",
            amount=Money(value=Decimal("11000.00"), currency="IDR"),
            status=VirtualAccountStatus.EXPIRED,
            kind=VirtualAccountKind.TEMPORARY,
            account_id="23643",
            bank_code="BRI",
            created_at=SEED_CREATED_AT,
        )
    ]
    assert str(items[0].amount.value) == "11000.00"
    assert pagination == Pagination(
        count=1, total=1, per_page=10, current_page=1, total_pages=1, links={}
    )


# --- peer bodies -----------------------------------------------------------------------


def test_peer_minimal_account_decodes() -> None:
    """The ledger's minimal account (short ULID, no email or phone) decodes."""
    response = fixture_response("peer/singapay-ledger/account-get-success.json")
    account = structure(data_of(unwrap(response), response), Account)
    assert account == Account(id="01K9", name="Budi", status=AccountStatus.ACTIVE)


def test_peer_live_account_decodes() -> None:
    """The live-API account keeps `account_number`'s zeros and a null `kyb_status`."""
    response = fixture_response("peer/singapay-ledger/account-create-success-doc-example.json")
    account = structure(data_of(unwrap(response), response), Account)
    assert account == Account(
        id="01K946KF851RK7FX075GJHBVKF",
        name="Budi Santoso",
        status=AccountStatus.ACTIVE,
        account_number="000000000123",
        account_type=AccountType.OWNED,
        kyb_status=None,
    )


def test_peer_live_virtual_account_decodes() -> None:
    """The live-API virtual account decodes with bank, exact amount and `expired_at`."""
    response = fixture_response(
        "peer/singapay-ledger/virtual-account-create-success.json", "/api/v1.0/virtual-accounts"
    )
    item = structure(data_of(unwrap(response), response), VirtualAccount)
    assert item == VirtualAccount(
        id="01K946KF851RK7FX075GJHBVKF",
        number="9090583126022726",
        amount=Money(value=Decimal("100000.00"), currency="IDR"),
        status=VirtualAccountStatus.ACTIVE,
        kind=VirtualAccountKind.TEMPORARY,
        name="Toko Budi",
        merchant_reff_no="INV-2026-001",
        code="VA_BNI",
        bank=Bank(short_name="BRI", number="002", swift_code="BRINIDJA"),
        amount_type=AmountType.CLOSED,
        current_usage=0,
        expired_at=dt.datetime(2026, 3, 20, 9, 46, 40, tzinfo=UTC),
    )
    assert item.bank_code is None
    assert item.created_at is None


def test_peer_list_without_pagination_decodes() -> None:
    """The list envelope without a block gives its items and pagination None."""
    envelope = unwrap(fixture_response("peer/singapay-js/list-envelope-no-pagination.json"))
    items, pagination = structure_page(envelope, Account)
    assert items == [Account(id="a"), Account(id="b")]
    assert pagination is None


# --- Page ------------------------------------------------------------------------------


def pages(current: int, total: int) -> Pagination:
    """A block saying page *current* of *total*."""
    return Pagination(current_page=current, total_pages=total)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (Page(items=[1], pagination=pages(1, 3), number=1), 2),
        (Page(items=[1], pagination=pages(2, 3), number=2), 3),
        (Page(items=[1], pagination=pages(3, 3), number=3), None),
        (Page(items=[1], pagination=pages(4, 3), number=4), None),
        (Page(items=[1], pagination=pages(1, 0), number=1), None),
        (Page(items=[], pagination=pages(1, 3), number=1), None),
        (Page(items=[1, 2], pagination=None, number=4), 5),
        (Page(items=[], pagination=None, number=4), None),
    ],
    ids=[
        "first-of-three",
        "middle",
        "last",
        "past-the-last",
        "zero-total-pages",
        "empty-page-with-block",
        "no-block-with-items",
        "no-block-empty",
    ],
)
def test_next_page(page: Page[int], expected: int | None) -> None:
    """The next page number comes from the block, or is a guess without one."""
    assert page.next_page() == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (Page(items=list(range(50)), pagination=pages(3, 12), number=3), "<Page 3/12 items=50>"),
        (Page(items=[], pagination=None, number=2), "<Page 2 items=0>"),
    ],
    ids=["with-block", "without-block"],
)
def test_page_repr_is_short(page: Page[int], expected: str) -> None:
    """A page's repr shows its position and item count, never the items."""
    assert repr(page) == expected


def test_an_empty_pagination_block_does_not_hide_a_usable_meta_block() -> None:
    """`{"pagination": {}, "meta": {...}}` takes the page numbers from `meta`."""
    envelope = {
        "data": [],
        "pagination": {},
        "meta": {"current_page": 2, "total_pages": 3, "per_page": 25, "total": 60},
    }

    _, block = structure_page(envelope, Account)

    assert block is not None
    assert (block.current_page, block.total_pages) == (2, 3)
