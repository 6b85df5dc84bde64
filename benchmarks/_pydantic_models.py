"""pydantic v2 models equivalent to vapay's: the stack most generated SDKs use.

Same fields as `vapay.VirtualAccount` (seed and live ones), with the same
normalizations expressed the way pydantic users would: numbers coerced to `str`
ids, `Decimal` amounts, `datetime` from unix milliseconds, "known enum member or
plain string" as a left-to-right union, pagination keys in either spelling,
unknown keys ignored. Import this module only when pydantic is installed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any

import pydantic
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter

from vapay import AmountType, VirtualAccountKind, VirtualAccountStatus

_CONFIG: dict[str, Any] = {"frozen": True, "coerce_numbers_to_str": True}
_MAJOR_MINOR = tuple(int(part) for part in pydantic.VERSION.split(".")[:2])
if _MAJOR_MINOR >= (2, 12):
    # Unix *milliseconds*, not pydantic's size-based guess (which agrees on these data).
    _CONFIG["val_temporal_unit"] = "milliseconds"


def _either(enum: type) -> Any:
    """`enum | str`: the member when the value is known, else the plain string."""
    return Annotated[enum | str, Field(union_mode="left_to_right")]


def _alias(snake: str, camel: str) -> Any:
    return Field(validation_alias=AliasChoices(snake, camel))


class _Model(BaseModel):
    model_config = ConfigDict(**_CONFIG)  # type: ignore[typeddict-item]


class PMoney(_Model):
    """`vapay.Money`."""

    value: Decimal
    currency: str | None = None


class PBank(_Model):
    """`vapay.Bank`."""

    short_name: str | None = None
    number: str | None = None
    swift_code: str | None = None


class PVirtualAccount(_Model):
    """`vapay.VirtualAccount`."""

    id: str
    number: str
    amount: PMoney
    status: _either(VirtualAccountStatus)  # type: ignore[valid-type]
    kind: _either(VirtualAccountKind) | None = None  # type: ignore[valid-type]
    account_id: str | None = None
    bank_code: str | None = None
    created_at: dt.datetime | None = None
    name: str | None = None
    merchant_reff_no: str | None = None
    code: str | None = None
    bank: PBank | None = None
    amount_type: _either(AmountType) | None = None  # type: ignore[valid-type]
    min_amount: PMoney | None = None
    max_amount: PMoney | None = None
    current_usage: int | None = None
    expired_at: dt.datetime | None = None


class PPagination(_Model):
    """`vapay.Pagination`, from camelCase or snake_case keys."""

    current_page: int = _alias("current_page", "currentPage")
    total_pages: int = _alias("total_pages", "totalPages")
    count: int | None = None
    total: int | None = None
    per_page: int | None = _alias("per_page", "perPage")
    links: dict[str, str | None] | list[Any] = Field(default_factory=dict)


class PPage(_Model):
    """A list envelope: its items and its block (`pagination` or `meta`)."""

    data: list[PVirtualAccount]
    pagination: PPagination | None = None
    meta: PPagination | None = None


_PAGE = TypeAdapter(PPage)


def decode_dicts(body: bytes, extra: Mapping[str, object]) -> PPage:
    """What generated SDKs do: parse with `json.loads`, then validate the dicts.

    *extra* is merged into every item first, as vapay's `extra=` does.
    """
    envelope = json.loads(body)
    for item in envelope["data"]:
        item.update(extra)
    return PPage.model_validate(envelope)


def decode_json(body: bytes, extra: Mapping[str, object]) -> PPage:  # noqa: ARG001
    """pydantic's best case: parse and validate in Rust (`validate_json`).

    *extra* cannot be merged before validation here, so `account_id` stays None:
    a little less work than the other contenders do.
    """
    return _PAGE.validate_json(body)


DECODERS: dict[str, Callable[[bytes, Mapping[str, object]], PPage]] = {
    "dicts": decode_dicts,
    "json": decode_json,
}
