"""What the CLI must print for the sandbox's data, computed from its records."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from vapay.sandbox import AccountRecord, SandboxState, VirtualAccountRecord

KINDS = ("temporary", "permanent")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def iso_ms(ms: int | None) -> str | None:
    """Unix milliseconds as the CLI prints them: ISO 8601 in UTC."""
    return None if ms is None else (EPOCH + dt.timedelta(milliseconds=ms)).isoformat()


def account_json(record: AccountRecord) -> dict[str, object]:
    """The seed fields of an account as `--json` prints them."""
    return {
        "id": record.id,
        "name": record.name,
        "email": record.email,
        "phone": record.phone,
        "status": record.status,
    }


def seed_fields(printed: dict[str, object]) -> dict[str, object]:
    """The seed fields of a printed account."""
    return {key: printed[key] for key in ("id", "name", "email", "phone", "status")}


def export_row(va: VirtualAccountRecord) -> dict[str, object]:
    """A reconciliation row, its amount as an exact Decimal."""
    return {
        "account_id": va.account_id,
        "id": va.id,
        "number": va.number,
        "kind": va.kind,
        "status": va.status,
        "bank": va.bank_code,
        "amount": va.amount,
        "currency": va.currency,
        "created_at": iso_ms(va.created_at),
    }


def exported(row: dict[str, object]) -> dict[str, object]:
    """A row read back from an export, its amount as a Decimal for comparison."""
    return {**row, "amount": Decimal(str(row["amount"]))}


def expected_rows(state: SandboxState, kinds: tuple[str, ...] = KINDS) -> list[dict[str, object]]:
    """Every row a reconciliation exports, in its order: by kind, then account."""
    return [
        export_row(va)
        for kind in kinds
        for account in state.accounts
        for va in state.expected_virtual_accounts(account.id, kind)
    ]


def jsonl(text: str) -> list[dict[str, Any]]:
    """The objects of a JSON Lines text."""
    return [json.loads(line) for line in text.splitlines()]


def totals(state: SandboxState, field: str) -> dict[str, tuple[int, Decimal]]:
    """Count and exact amount per value of *field* ("status", "kind", "bank_code")."""
    result: dict[str, tuple[int, Decimal]] = {}
    for records in state.virtual_accounts.values():
        for va in records:
            key = str(getattr(va, field))
            count, amount = result.get(key, (0, Decimal(0)))
            result[key] = (count + 1, amount + va.amount)
    return result
