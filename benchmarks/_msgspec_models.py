"""msgspec Structs of the wire types, then vapay's attrs models: see `_alternatives.py`.

Import this module only when msgspec is installed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec

from _alternatives import EPOCH, KIND, LIVE_ONLY, SET, SET_CURRENCY, SET_VALUE, STATUS
from vapay import Money, VirtualAccount


class WireMoney(msgspec.Struct):
    """An amount: a Decimal straight from the JSON text, string or number."""

    value: Decimal
    currency: str | None = None


class WireItem(msgspec.Struct):
    """A seed-API virtual account, in the types it travels as."""

    id: str | int
    number: str | int
    amount: WireMoney
    status: str
    kind: str | None = None
    bank_code: str | None = None
    created_at: int | str | None = None


class WirePage(msgspec.Struct):
    """A list envelope (other keys ignored)."""

    data: list[WireItem]


_DECODER = msgspec.json.Decoder(WirePage)


def msgspec_attrs_items(body: bytes, account_id: str) -> list[VirtualAccount]:
    """The page's items: Structs decoded in C, then the attrs objects built in Python."""
    set_id, set_number, set_amount = SET["id"], SET["number"], SET["amount"]
    set_status, set_kind, set_account = SET["status"], SET["kind"], SET["account_id"]
    set_bank, set_created = SET["bank_code"], SET["created_at"]
    new, timedelta = object.__new__, dt.timedelta
    items = []
    for wire in _DECODER.decode(body).data:
        va = new(VirtualAccount)
        value: Any = wire.id
        set_id(va, value if type(value) is str else str(value))
        value = wire.number
        set_number(va, value if type(value) is str else str(value))
        money = new(Money)
        SET_VALUE(money, wire.amount.value)
        SET_CURRENCY(money, wire.amount.currency)
        set_amount(va, money)
        set_status(va, STATUS.get(wire.status, wire.status))
        value = wire.kind
        set_kind(va, KIND.get(value, value))
        set_account(va, account_id)
        set_bank(va, wire.bank_code)
        value = wire.created_at
        set_created(va, None if value is None else EPOCH + timedelta(0, 0, int(value) * 1000))
        for setter in LIVE_ONLY:
            setter(va, None)
        items.append(va)
    return items
