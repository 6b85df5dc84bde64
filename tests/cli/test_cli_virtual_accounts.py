"""`vapay virtual-accounts list` against the sandbox, in JSON mode."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cli_expected import iso_ms, jsonl

from conftest import Run
from vapay.sandbox import Sandbox


@pytest.mark.parametrize("kind", ["temporary", "permanent"])
def test_list_prints_the_kinds_virtual_accounts(run: Run, credentials: Sandbox, kind: str) -> None:
    """Each virtual account of the kind, exactly: ids, numbers, amounts, times."""
    account = credentials.state.accounts[1]

    result = run("virtual-accounts", "list", account.id, "--kind", kind, "--per-page", "2")

    printed = jsonl(result.out)
    expected = credentials.state.expected_virtual_accounts(account.id, kind)
    assert result.code == 0
    assert [
        (
            va["id"],
            va["number"],
            va["kind"],
            va["status"],
            va["bank_code"],
            va["created_at"],
            va["account_id"],
        )
        for va in printed
    ] == [
        (e.id, e.number, e.kind, e.status, e.bank_code, iso_ms(e.created_at), account.id)
        for e in expected
    ]
    assert [(Decimal(va["amount"]["value"]), va["amount"]["currency"]) for va in printed] == [
        (e.amount, e.currency) for e in expected
    ]


def test_amounts_print_as_exact_strings(run: Run, credentials: Sandbox) -> None:
    """Amounts are JSON strings, never floats."""
    account = credentials.state.accounts[0]

    result = run("virtual-accounts", "list", account.id, "--kind", "temporary")

    assert all(isinstance(va["amount"]["value"], str) for va in jsonl(result.out))


def test_missing_kind_shows_the_servers_reason(run: Run, credentials: Sandbox) -> None:
    """The seed API requires --kind: its 422 becomes one line naming the field."""
    result = run("virtual-accounts", "list", credentials.state.accounts[0].id)

    assert result.code == 1
    assert result.err == (
        "vapay: error: rejected (HTTP 422): Validation error (kind: The kind field is required.)\n"
    )


def test_bad_kind_is_a_usage_error(run: Run) -> None:
    """A kind other than temporary or permanent exits 2."""
    assert run("virtual-accounts", "list", "1", "--kind", "forever").code == 2
