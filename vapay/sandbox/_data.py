"""Seeded fake data and its wire encoding.

Everything derives from the seed. Each account *i* draws from its own
`random.Random`, so growing `accounts=` or creating accounts later never changes
the data of the earlier ones. Which JSON type a value travels as (the real API
mixes them) is a pure function of the seed, the record id and the field name, so
re-encoding a record after a status change keeps its wire types.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Container
from decimal import Decimal
from typing import Any

from vapay.sandbox._banks import BANK_TERMS
from vapay.sandbox._records import AccountRecord, VirtualAccountRecord

ACCOUNT_STATUSES = ("active", "inactive", "pending", "rejected")
ACCOUNT_TYPES = ("owned", "personal_managed", "business_managed")
_KYB = ("approved", "pending", "rejected")
KINDS = ("temporary", "permanent")
CURRENCY = "IDR"
# Seeded virtual accounts draw from the seed page's four banks, in this order (the
# order is part of what the seed determines); creating one accepts every bank.
_SEEDED_BANK_CODES = ("BRI", "BCA", "BNI", "MANDIRI")
BANKS = {code: BANK_TERMS[code].record for code in _SEEDED_BANK_CODES}
# A VA's `max_usage` when the create body leaves it out.
DEFAULT_MAX_USAGE = 255
_FIRST = ("Dhany", "Julian", "Budi", "Siti", "Ayu", "Rizky", "Putri", "Agus", "Dewi")
_LAST = ("Ahmad", "Pratama", "Santoso", "Wijaya", "Lestari", "Saputra", "Hidayat")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# The seed page's example `created_at`; ids and times grow from there.
_CREATED_EPOCH_MS = 1_714_616_095_080
# JSON numbers above 2**53 lose digits in JavaScript and in float-based decoders;
# the fake stresses type mixing, not precision, so such values stay strings.
_MAX_JSON_INT = 2**53
# Shares of the seeded data; leading zeros must survive the wire, so keep some.
_NO_PHONE = 0.1
_LOCAL_PHONE = 0.55  # cumulative with _NO_PHONE: "08..." numbers
_WITH_EMAIL = 0.85
_LEADING_ZERO_NUMBER = 0.2


def seeded_rng(seed: int, *parts: object) -> random.Random:
    # A str seed is hashed with SHA-512, so this is stable across processes.
    return random.Random("/".join(map(str, ("vapay-sandbox", seed, *parts))))


def pick(seed: int, ident: str, field: str, count: int) -> int:
    return zlib.crc32(f"{seed}/{ident}/{field}".encode()) % count


def _digits(rng: random.Random, length: int) -> str:
    return f"{rng.randrange(10**length):0{length}d}"


def ulid(ms: int, rng: random.Random) -> str:
    value = (ms << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def account_id(seed: int, index: int, *, live: bool) -> str:
    """The id of the *index*-th account (seeded or created), numeric or ULID."""
    rng = seeded_rng(seed, "account-id", index)
    if live:
        return ulid(_CREATED_EPOCH_MS + index * 60_000, rng)
    base = seeded_rng(seed, "account-base").randrange(10_000, 90_000)
    return str(base + 10 * index + rng.randrange(10))


def _virtual_account_id(rng: random.Random, base: int, serial: int, *, live: bool) -> str:
    if live:
        return ulid(_CREATED_EPOCH_MS + serial * 1_000, rng)
    return str(base + 10 * serial + rng.randrange(10))


def _phone(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < _NO_PHONE:
        return None
    if roll < _LOCAL_PHONE:
        return "08" + _digits(rng, rng.randint(8, 11))
    return "628" + _digits(rng, rng.randint(8, 10))


def seed_account(seed: int, index: int, *, live: bool) -> AccountRecord:
    """The *index*-th seeded account."""
    rng = seeded_rng(seed, "account", index)
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    status = rng.choices(ACCOUNT_STATUSES, weights=(6, 2, 1, 1))[0]
    ident = account_id(seed, index, live=live)
    if live:
        account_type = rng.choice(ACCOUNT_TYPES)
        return AccountRecord(
            id=ident,
            name=f"{first} {last}",
            status=status,
            account_number=f"{index + 1:012d}",
            account_type=account_type,
            kyb_status=None if account_type == "owned" else rng.choice(_KYB),
            invite_members=[],
        )
    email = f"{first}.{last}{rng.randrange(100)}@example.com".lower()
    return AccountRecord(
        id=ident,
        name=f"{first} {last}",
        status=status,
        email=email if rng.random() < _WITH_EMAIL else None,
        phone=_phone(rng),
    )


def draw_amount(rng: random.Random) -> Decimal:
    """An amount of 5,000 to 2,499,500.99 IDR, most of them whole."""
    whole = rng.randrange(10, 5_000) * 500
    cents = rng.choice((0, 0, 0, 0, 0, 50, 25, 75, 10, 99))
    return Decimal(f"{whole}.{cents:02d}")


def draw_va_number(rng: random.Random, length: int | None = None) -> str:
    """A VA number of *length* (default 10 to 16) digits; a share starts with 0."""
    lead = "0" if rng.random() < _LEADING_ZERO_NUMBER else str(rng.randint(1, 9))
    return lead + _digits(rng, rng.randint(9, 15) if length is None else length - 1)


def _live_fields(rng: random.Random, kind: str, bank_code: str, created_at: int) -> dict[str, Any]:
    is_open = kind == "permanent"  # a permanent VA takes any amount in its range
    max_millions = rng.choice((0, 5, 10, 50)) if is_open else 0
    return {
        "status": rng.choices(("active", "inactive", "expired"), weights=(6, 1, 2))[0],
        "code": f"VA_{bank_code}",
        "bank": BANKS[bank_code],
        "amount_type": "open" if is_open else "closed",
        "min_amount": Decimal(10_000) if is_open else None,
        "max_amount": Decimal(max_millions * 1_000_000) if max_millions else None,
        "current_usage": rng.randrange(5 if is_open else 2),
        # A closed (invoice) VA is paid once; an open one as often as the API allows.
        "max_usage": DEFAULT_MAX_USAGE if is_open else 1,
        "expired_at": created_at + rng.randint(1, 30) * 86_400_000,
    }


def seed_virtual_accounts(
    seed: int, index: int, account: AccountRecord, count: int, *, live: bool
) -> list[VirtualAccountRecord]:
    """The *count* virtual accounts of the *index*-th seeded account.

    Kinds alternate, starting with temporary on even-indexed accounts; a permanent
    account's amount is 0, as the seed page says. Seed-mode records also carry the
    live fields (the money-in routes serve the live shape in both modes), drawn from
    a second generator so that the seed-page fields stay what they always were.
    """
    rng = seeded_rng(seed, "virtual-accounts", index)
    money_in_rng = rng if live else seeded_rng(seed, "virtual-accounts-money-in", index)
    base = seeded_rng(seed, "va-base").randrange(1_000_000, 9_000_000)
    records = []
    for position in range(count):
        serial = index * count + position
        kind = KINDS[(index + position) % 2]
        bank_code = rng.choice(_SEEDED_BANK_CODES)
        created_at = _CREATED_EPOCH_MS + serial * 60_000 + rng.randrange(60_000)
        fields: dict[str, Any] = {
            "id": _virtual_account_id(rng, base, serial, live=live),
            "account_id": account.id,
            "number": draw_va_number(rng),
            "amount": draw_amount(rng) if kind == "temporary" else Decimal(0),
            "currency": CURRENCY,
            "kind": kind,
        }
        if not live:
            status = rng.choices(("active", "expired"), weights=(3, 1))[0]
            fields |= {"status": status, "bank_code": bank_code, "created_at": created_at}
        live_fields = _live_fields(money_in_rng, kind, bank_code, created_at)
        if not live:
            del live_fields["status"]  # the seed page's status stands
        fields |= live_fields
        fields |= {
            "merchant_reff_no": f"INV-{index + 1:05d}-{position + 1:04d}",
            "name": account.name,
        }
        records.append(VirtualAccountRecord(**fields))
    return records


def digits_wire(seed: int, ident: str, field: str, value: str | None) -> object:
    """A digit string as JSON string or number; a leading zero always stays a string,
    and so does anything but digits (a ULID created in seed mode, say)."""
    if (
        value is None
        or not value.isascii()
        or not value.isdigit()
        or value.startswith("0")
        or int(value) >= _MAX_JSON_INT
    ):
        return value
    return int(value) if pick(seed, ident, field, 2) else value


def money_wire(
    seed: int, ident: str, field: str, value: Decimal, currency: str = CURRENCY
) -> dict[str, object]:
    """`{"value", "currency"}`, the value `"11000.00"`, `11000` or `11000.5`: a number
    only when it is exact."""
    forms: list[object] = [f"{value:.2f}"]
    if value == value.to_integral_value():
        forms += [int(value), float(value)]
    elif (value * 4) == (value * 4).to_integral_value():  # .25, .5, .75: exact binary
        forms.append(float(value))
    return {"value": forms[pick(seed, ident, field, len(forms))], "currency": currency}


# One encoder: json.dumps() builds a new one per call when given separators.
dumps = json.JSONEncoder(separators=(",", ":")).encode


def encode_account(account: AccountRecord, *, seed: int, live: bool) -> str:
    """The account's JSON object, as the API serves it in the given mode."""
    ident = account.id
    if live:
        return dumps(
            {
                "id": ident,
                "name": account.name,
                "status": account.status,
                "account_number": account.account_number,
                "account_type": account.account_type,
                "kyb_status": account.kyb_status,
                "invite_members": account.invite_members,
            }
        )
    return dumps(
        {
            "id": digits_wire(seed, ident, "id", ident),
            "name": account.name,
            "email": account.email,
            "phone": digits_wire(seed, ident, "phone", account.phone),
            "status": account.status,
        }
    )


def encode_virtual_account(va: VirtualAccountRecord, *, seed: int, live: bool) -> str:
    """The virtual account's JSON object, as the API serves it in the given mode."""
    ident = va.id
    number = digits_wire(seed, ident, "number", va.number)
    amount = money_wire(seed, ident, "amount", va.amount, va.currency)
    if not live:
        created_at: object = va.created_at
        if created_at is not None and pick(seed, ident, "created_at", 2):
            created_at = str(created_at)
        return dumps(
            {
                "id": digits_wire(seed, ident, "id", ident),
                "amount": amount,
                "kind": va.kind,
                "status": va.status,
                "bank_code": va.bank_code,
                "number": number,
                "created_at": created_at,
            }
        )
    bank = va.bank
    return dumps(
        {
            "id": ident,
            "number": number,
            "merchant_reff_no": va.merchant_reff_no,
            "code": va.code,
            "bank": None
            if bank is None
            else {
                "short_name": bank.short_name,
                "number": bank.number,
                "swift_code": bank.swift_code,
            },
            "amount": amount,
            "amount_type": va.amount_type,
            "min_amount": None
            if va.min_amount is None
            else money_wire(seed, ident, "min_amount", va.min_amount, va.currency),
            "max_amount": None
            if va.max_amount is None
            else money_wire(seed, ident, "max_amount", va.max_amount, va.currency),
            "status": va.status,
            "kind": va.kind,
            "name": va.name,
            "current_usage": va.current_usage,
            "max_usage": va.max_usage,
            "expired_at": va.expired_at,
        }
    )


def created_account(
    seed: int,
    index: int,
    *,
    live: bool,
    name: str,
    email: str | None,
    phone: str | None,
    account_type: str | None,
    invite_members: list[str] | None,
) -> AccountRecord:
    """The account `POST /accounts` creates as the *index*-th account."""
    ident = account_id(seed, index, live=live)
    if live:
        return AccountRecord(
            id=ident,
            name=name,
            status="active",
            account_number=f"{index + 1:012d}",
            account_type=account_type or "owned",
            kyb_status=None,
            invite_members=invite_members or [],
        )
    return AccountRecord(id=ident, name=name, status="active", email=email, phone=phone)


def created_virtual_account(
    seed: int,
    serial: int,
    account_id: str,
    fields: dict[str, Any],
    *,
    live: bool,
    now_ms: int,
    taken_numbers: Container[str],
) -> VirtualAccountRecord:
    """The *serial*-th virtual account `POST /virtual-accounts/{id}` creates.

    Args:
        seed: The sandbox's seed.
        serial: How many virtual accounts the sandbox created before this one.
        account_id: The owning account.
        fields: The validated create body (`bank_code`, `kind`, `amount`, ...).
        live: Whether the sandbox serves the live shapes on the seed routes too.
        now_ms: The sandbox clock, Unix ms: the ULID's time (and seed-mode `created_at`).
        taken_numbers: Numbers the account's virtual accounts already have.
    """
    rng = seeded_rng(seed, "created-virtual-account", serial)
    number = draw_va_number(rng, 16)
    while number in taken_numbers:
        number = draw_va_number(rng, 16)
    bank_code = fields["bank_code"]
    return VirtualAccountRecord(
        # New-generation ids in both modes: seed mode lists them beside numeric ones.
        id=ulid(now_ms, rng),
        account_id=account_id,
        number=number,
        status="active",
        code=f"VA_{bank_code}",
        bank=BANK_TERMS[bank_code].record,
        current_usage=0,
        # The seed page's list shape needs these two; the live shape has neither.
        bank_code=None if live else bank_code,
        created_at=None if live else now_ms,
        **{key: value for key, value in fields.items() if key != "bank_code"},
    )


def generate(
    seed: int, accounts: int, per_account: int, *, live: bool
) -> tuple[list[AccountRecord], dict[str, list[VirtualAccountRecord]]]:
    """The seeded accounts, and each one's virtual accounts keyed by account id."""
    records = [seed_account(seed, index, live=live) for index in range(accounts)]
    virtual_accounts = {
        account.id: seed_virtual_accounts(seed, index, account, per_account, live=live)
        for index, account in enumerate(records)
    }
    return records, virtual_accounts
