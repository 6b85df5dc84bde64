"""Two ways vapay's decode step could go faster while keeping its attrs models.

They answer "what would it take to reach the decode targets?" (benchmarks/README.md),
and are measured, not used:

- tuned: `json.loads`, then one straight-line function written for exactly this
  page's item shape (the seed API's seven keys): no per-key look-ups of absent
  fields, no hooks, every slot set directly. A ceiling for pure Python that no
  general converter reaches, since it knows which keys every item has.
- msgspec + attrs (`_msgspec_models.py`): msgspec decodes the body into Structs
  of the wire types in C, then Python builds the same frozen attrs objects. What
  adding msgspec to the hot path would give.

Both build objects equal to vapay's (checked by `_decode.check_equivalent`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from vapay import Money, VirtualAccount, VirtualAccountKind, VirtualAccountStatus

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
STATUS = {member.value: member for member in VirtualAccountStatus}
KIND = {member.value: member for member in VirtualAccountKind}
_SEED_KEYS = ("id", "number", "amount", "status", "kind", "account_id", "bank_code", "created_at")


def _setter(cls: type, name: str) -> Callable[[object, object], None]:
    # What `object.__setattr__` does on a frozen class, minus the name look-up.
    return getattr(cls, name).__set__  # type: ignore[no-any-return]


SET = {field.name: _setter(VirtualAccount, field.name) for field in attrs.fields(VirtualAccount)}
SET_VALUE = _setter(Money, "value")
SET_CURRENCY = _setter(Money, "currency")
LIVE_ONLY = tuple(setter for name, setter in SET.items() if name not in _SEED_KEYS)


def _decimal(value: Any) -> Decimal:
    return Decimal(repr(value)) if type(value) is float else Decimal(value)


def _money(wire: Mapping[str, Any]) -> Money:
    money = object.__new__(Money)
    SET_VALUE(money, _decimal(wire["value"]))
    SET_CURRENCY(money, wire.get("currency"))
    return money


def tuned_items(body: bytes, account_id: str) -> list[VirtualAccount]:
    """The page's items, by the straight-line function (seed item shape only)."""
    set_id, set_number, set_amount = SET["id"], SET["number"], SET["amount"]
    set_status, set_kind, set_account = SET["status"], SET["kind"], SET["account_id"]
    set_bank, set_created = SET["bank_code"], SET["created_at"]
    new, timedelta = object.__new__, dt.timedelta
    items = []
    for item in json.loads(body)["data"]:
        va = new(VirtualAccount)
        value = item["id"]
        set_id(va, value if type(value) is str else str(value))
        value = item["number"]
        set_number(va, value if type(value) is str else str(value))
        set_amount(va, _money(item["amount"]))
        value = item["status"]
        set_status(va, STATUS.get(value, value))
        value = item["kind"]
        set_kind(va, KIND.get(value, value))
        set_account(va, account_id)
        set_bank(va, item["bank_code"])
        value = item["created_at"]
        set_created(va, None if value is None else EPOCH + timedelta(0, 0, int(value) * 1000))
        for setter in LIVE_ONLY:
            setter(va, None)
        items.append(va)
    return items
