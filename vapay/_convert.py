"""The cattrs converter: every wire-format rule of the API lives here, nowhere else.

Decoding runs on a fast converter first; only when that fails is the same data
decoded again with detailed validation, to say exactly what was wrong and where
(`$.data[3].amount.value`). Good pages pay for no bookkeeping.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from vapay import _fastpath
from vapay._models import DEFAULT_CURRENCY, Fee, Money, Pagination
from vapay._numbers import decimal_from_string, in_range
from vapay._signature import JAKARTA

T = TypeVar("T")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
# Python's own limit on the digits of an integer read from text.
_MAX_INTEGER_DIGITS = 4300
_timedelta = dt.timedelta


def _to_str(value: object, _: object = None) -> str:
    # bool is an int subclass, and True is never an id; a number with a fraction
    # or an exponent is not one either.
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise TypeError(f"expected a string or an integer, got {_describe(value)}")


def _to_int(value: object, _: object = None) -> int:
    if type(value) is int:
        return value
    if type(value) is str:
        if value.isdigit():
            return int(value)
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    # A number sent as 3.0 or 3E+2 (decoded as Decimal): integral, and small
    # enough that int() of a huge exponent cannot eat the memory.
    if (
        type(value) is Decimal
        and value.is_finite()
        and value == value.to_integral_value()
        and value.adjusted() < _MAX_INTEGER_DIGITS
    ):
        return int(value)
    raise TypeError(f"expected an integer, got {_describe(value)}")


def _to_decimal(value: object, _: object = None) -> Decimal:
    if type(value) is str:
        # Decimal() itself ignores surrounding whitespace.
        result = decimal_from_string(value)
    elif type(value) is Decimal:
        result = value  # in range: `_envelope.loads` made it
    elif type(value) is int:
        result = in_range(Decimal(value))
    elif type(value) is float:
        # Only the NaN and Infinity literals decode to a float; they are refused below.
        result = Decimal(repr(value))
    else:
        raise TypeError(f"expected an amount, got {_describe(value)}")
    if not result.is_finite():
        raise ValueError(f"expected a finite amount, got {value!r:.40}")
    return result


def _to_bool(value: object, _: object = None) -> bool:
    # PHP backends are loose with booleans: 1/0 and "true"/"1" mean the same.
    if type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if type(value) is str and value.strip().lower() in _BOOLEAN_TEXT:
        return _BOOLEAN_TEXT[value.strip().lower()]
    raise TypeError(f"expected a boolean, got {_describe(value)}")


_BOOLEAN_TEXT = {"true": True, "false": False, "1": True, "0": False}


def _to_currency(value: object) -> str:
    return DEFAULT_CURRENCY if value is None else _to_str(value)


# Money is built slot by slot, as `_fastpath` builds the other models: the same
# object as `Money(value=..., currency=...)` (no validators), without parsing
# keywords for each of a page's amounts.
_new = object.__new__
_set_money_value = Money.value.__set__  # type: ignore[attr-defined]
_set_money_currency = Money.currency.__set__  # type: ignore[attr-defined]


def _to_money(value: object, _: object = None) -> Money:
    # A decoded JSON object is a dict: the exact type check is the cheap one.
    if type(value) is not dict and not isinstance(value, Mapping):
        raise TypeError(f"expected a money object, got {_describe(value)}")
    amount, currency = value["value"], value.get("currency")
    money = _new(Money)
    # The common cases inline: a Decimal from `_json.loads` (in range) and a str.
    _set_money_value(
        money, amount if type(amount) is Decimal and amount.is_finite() else _to_decimal(amount)
    )
    _set_money_currency(
        money,
        currency if type(currency) is str else _to_currency(currency),
    )
    return money


def _to_fee(value: object, _: object = None) -> Fee:
    # The fee's amount is flat in payment rows ({"name", "amount": 4500,
    # "currency"}); a money object there is read as one too.
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a fee object, got {_describe(value)}")
    amount = value["amount"]
    if isinstance(amount, Mapping):
        money = _to_money(amount)
    else:
        money = Money(value=_to_decimal(amount), currency=_to_currency(value.get("currency")))
    name = value.get("name")
    return Fee(amount=money, name=None if name is None else _to_str(name))


# PHP's `d M Y H:i:s` ("26 Dec 2025 13:35:45"), as webhook events send times.
_WALL_CLOCK = re.compile(r"(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})", re.ASCII)
# English whatever the locale: strptime's %b would follow setlocale().
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}


def _from_wall_clock(text: str) -> dt.datetime | None:
    matched = _WALL_CLOCK.fullmatch(text.strip())
    if matched is None:
        return None
    day, month, year, hour, minute, second = matched.groups()
    if month.lower() not in _MONTHS:
        raise ValueError(f"expected a month like Dec, got {month!r}")
    # The text has no zone: the gateway writes Jakarta's wall clock.
    numbers = (int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second))
    return dt.datetime(*numbers, tzinfo=JAKARTA)


def _to_datetime(value: object, _: object = None) -> dt.datetime:
    if type(value) is int:
        millis = value
    elif type(value) is str and value.isdigit():
        millis = int(value)
    else:
        wall_clock = _from_wall_clock(value) if type(value) is str else None
        if wall_clock is not None:
            return wall_clock
        millis = _to_int(value)
    try:
        # Integer microseconds: exact, where a float timestamp could round.
        return _EPOCH + _timedelta(0, 0, millis * 1000)
    except OverflowError:
        raise ValueError(f"unix milliseconds out of range: {millis}") from None


def _to_links(value: object, _: object = None) -> Mapping[str, str | None]:
    # PHP serialises an empty associative array as [].
    if isinstance(value, list) and not value:
        return {}
    if isinstance(value, dict):
        return {str(k): v if v is None else _to_str(v) for k, v in value.items()}
    raise TypeError(f"expected an object of links, got {_describe(value)}")


def _to_object(value: object, _: object = None) -> object:
    return value


def _to_json_object(value: object, _: object = None) -> Mapping[str, object]:
    # Kept as decoded (not copied); PHP serialises an empty associative array as [].
    if isinstance(value, list) and not value:
        return {}
    if isinstance(value, dict):
        return value
    raise TypeError(f"expected an object, got {_describe(value)}")


_PAGINATION_KEYS = (
    ("current_page", "currentPage"),
    ("total_pages", "totalPages"),
    ("count", "count"),
    ("total", "total"),
    ("per_page", "perPage"),
)


def pagination_from_block(block: object) -> Pagination | None:
    """The usable pagination block, or None (missing, empty, no page numbers).

    Both spellings (camelCase, snake_case) decode; a key present with a bad
    value is an error, a key absent is not.
    """
    if block is None or (isinstance(block, (dict, list)) and not block):
        return None
    if not isinstance(block, dict):
        raise TypeError(f"expected an object, got {_describe(block)}")
    fields: dict[str, Any] = {}
    for snake, camel in _PAGINATION_KEYS:
        raw = block.get(snake, block.get(camel))
        if raw is not None:
            fields[snake] = _to_int(raw)
    if "current_page" not in fields or "total_pages" not in fields:
        return None
    if "links" in block and block["links"] is not None:
        fields["links"] = _to_links(block["links"])
    return Pagination(**fields)


def _enum_or_str_hook(tp: Any) -> Any:
    enum_cls = _fastpath.enum_or_str(tp)
    assert enum_cls is not None  # noqa: S101 - guarded by the predicate
    members: dict[object, enum.Enum] = {m.value: m for m in enum_cls}
    optional = type(None) in typing.get_args(tp)

    def structure(value: object, _: object = None) -> enum.Enum | str | None:
        member = members.get(value) if isinstance(value, str) else None
        if member is not None:
            return member
        if value is None and optional:
            return None
        # The API adds values over time: an unknown one comes through as a string.
        return _to_str(value)

    return structure


def configure_converter(converter: cattrs.Converter) -> None:
    """Register vapay's wire rules on *converter*.

    The input is JSON as `_envelope.loads` decodes it: a number with a fraction
    or an exponent is already an exact `Decimal`, never a float.

    - ids, names, phone and VA numbers: JSON string or integer -> `str` (a
      number with a fraction, or a bool, is rejected);
    - amounts: "11000.00", 99000 or 99000.50 -> exact `Decimal`, keeping the
      digits and scale that were sent; NaN and infinities are rejected;
    - integers (pagination, usage counters): integer, integral number (3.0) or
      digit string -> `int`;
    - booleans: JSON true/false, 1/0 or their text -> `bool`;
    - money: `{"value", "currency"}` -> `Money`, a missing or null currency
      being the API's default, "IDR"; a fee `{"name", "amount", "currency"}`
      (amount flat, or a money object) -> `Fee`;
    - `created_at`, `expired_at`, payment times: unix milliseconds (string or number) -> aware
      UTC `datetime`; PHP's `d M Y H:i:s` text ("26 Dec 2025 13:35:45", as webhook
      events send times) -> aware `datetime` on Jakarta time (UTC+7);
    - objects of no fixed shape (`Mapping[str, object]`): kept as decoded, PHP's
      `[]` for an empty one -> `{}`;
    - pagination: camelCase or snake_case keys -> `Pagination`; a block without
      page numbers -> None; `links` as `{}` or PHP's `[]`;
    - `SomeEnum | str` fields: a known value -> the member, an unknown value ->
      the plain string;
    - unknown keys are ignored (the API adds fields).
    """
    converter.register_structure_hook(str, _to_str)
    converter.register_structure_hook(int, _to_int)
    converter.register_structure_hook(Decimal, _to_decimal)
    converter.register_structure_hook(bool, _to_bool)
    converter.register_structure_hook(dt.datetime, _to_datetime)
    converter.register_structure_hook(Money, _to_money)
    converter.register_structure_hook(Fee, _to_fee)
    # Exactly `object` (a field of unknown shape): a plain hook would catch every class.
    converter.register_structure_hook_func(lambda tp: tp is object, _to_object)
    converter.register_structure_hook_func(lambda tp: tp == Mapping[str, object], _to_json_object)
    converter.register_structure_hook(
        Pagination | None, lambda value, _: pagination_from_block(value)
    )
    converter.register_structure_hook_factory(
        lambda tp: _fastpath.enum_or_str(tp) is not None, _enum_or_str_hook
    )


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """A new converter with vapay's wire rules (see `configure_converter`)."""
    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_converter(converter)
    if detailed_validation:
        converter.register_structure_hook_factory(
            attrs.has, lambda cls: _objects_only(make_dict_structure_fn(cls, converter))
        )
        # Generated functions, so that errors name the inner key ($.amount.value).
        money = _objects_only(make_dict_structure_fn(Money, converter))
        fee = _objects_only(make_dict_structure_fn(Fee, converter))
        converter.register_structure_hook(
            Money, lambda value, cls: money(_money_as_declared(value), cls)
        )
        converter.register_structure_hook(Fee, lambda value, cls: fee(_fee_as_declared(value), cls))
    else:
        converter.register_structure_hook_factory(
            _fastpath.supports, lambda cls: _fastpath.make_structure_fn(cls, converter)
        )
    return converter


def _money_as_declared(value: object) -> object:
    if isinstance(value, Mapping) and "currency" in value and value["currency"] is None:
        return {**value, "currency": DEFAULT_CURRENCY}
    return value


def _fee_as_declared(value: object) -> object:
    if (
        not isinstance(value, Mapping)
        or "amount" not in value
        or isinstance(value["amount"], Mapping)
    ):
        return value
    amount = {"value": value["amount"], "currency": value.get("currency")}
    return {**value, "amount": _money_as_declared(amount)}


def _objects_only(structure_fn: Any) -> Any:
    # Only on the detailed (error-explaining) path: say "expected an object"
    # instead of whatever a generated function trips over first.
    def structure(value: object, cls: object) -> object:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected an object, got {_describe(value)}")
        return structure_fn(value, cls)

    return structure


_fast = make_converter(detailed_validation=False)
_detailed = make_converter(detailed_validation=True)


class DecodeError(Exception):
    """What was wrong with decoded JSON, and where; the client adds the HTTP context."""


def structure(data: object, cls: type[T], *, path: str = "$.data") -> T:
    """*data* (decoded JSON) as *cls*, or DecodeError saying what and where."""
    try:
        return _fast.structure(data, cls)
    except cattrs.StructureHandlerNotFoundError:
        raise  # a bug in vapay's models, not bad data
    except Exception:  # noqa: BLE001, S110 - re-run below, for the message
        pass
    try:
        result = _detailed.structure(data, cls)
    except cattrs.StructureHandlerNotFoundError:
        raise
    except Exception as err:
        raise DecodeError(_explain(err, path)) from err
    return result  # pragma: no cover - the fast converter only fails where this does


def structure_items(
    data: object, cls: type[T], *, extra: Mapping[str, object] | None = None
) -> list[T]:
    """The list *data* as a list of *cls*; every item's fields named in *extra* get its values."""
    if not isinstance(data, list):
        raise DecodeError(f"expected a list @ $.data, got {_describe(data)}")
    fixed = extra or {}
    key = (cls, tuple(fixed))
    items_fn = _items_fns.get(key)
    if items_fn is None:
        items_fn = _items_fns[key] = _fastpath.make_items_fn(cls, _fast, key[1])
    try:
        return items_fn(data, tuple(fixed.values()))
    except Exception:  # noqa: BLE001, S110 - re-run below, for the message
        pass
    merged = [{**item, **fixed} if isinstance(item, dict) else item for item in data]
    return structure(merged, list[cls])  # type: ignore[valid-type]


# Per model and names of the fields set for every item.
_items_fns: dict[tuple[type, tuple[str, ...]], _fastpath.ItemsFn] = {}


def _explain(err: Exception, path: str) -> str:
    if isinstance(err, cattrs.BaseValidationError):
        messages = cattrs.transform_error(err, path=path, format_exception=_format)
        shown = "; ".join(messages[:3])
        more = len(messages) - 3
        return shown + (f" (and {more} more)" if more > 0 else "")
    return f"{_format(err, None)} @ {path}"


def _format(exc: BaseException, type_: object) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, (TypeError, ValueError)) and str(exc):
        return str(exc).splitlines()[0]
    if type_ is not None:
        return f"invalid value for type, expected {getattr(type_, '__name__', type_)}"
    return f"invalid value ({type(exc).__name__})"


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Decimal):
        return f"the number {value!s:.40}"
    if isinstance(value, float):  # from a NaN or Infinity literal (see `_envelope.loads`)
        return f"the number {value!r}" if math.isfinite(value) else f"{value}"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return f"{type(value).__name__} {value!r:.40}"


def structure_page(
    envelope: Mapping[str, object],
    cls: type[T],
    *,
    extra: Mapping[str, object] | None = None,
) -> tuple[list[T], Pagination | None]:
    """A list envelope's items and its pagination block (`pagination` or `meta`)."""
    if "data" not in envelope:
        raise DecodeError("required field missing @ $.data")
    items = structure_items(envelope["data"], cls, extra=extra)
    # The first usable block, under either name: an empty `pagination` next to a
    # full `meta` must not hide the page numbers.
    for name in ("pagination", "meta"):
        try:
            block = pagination_from_block(envelope.get(name))
        except (TypeError, ValueError) as err:
            raise DecodeError(f"{err} @ $.{name}") from None
        if block is not None:
            return items, block
    return items, None
