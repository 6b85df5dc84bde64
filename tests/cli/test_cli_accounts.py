"""`vapay accounts ...` against the sandbox, in JSON mode (stdout is not a terminal)."""

from __future__ import annotations

import json

from cli_expected import account_json, jsonl, seed_fields

from conftest import Run
from vapay.sandbox import Sandbox


def test_list_prints_every_account_as_json_lines(run: Run, credentials: Sandbox) -> None:
    """`accounts list` prints one JSON object per account, in the API's order."""
    result = run("accounts", "list")

    assert result.code == 0
    assert [seed_fields(a) for a in jsonl(result.out)] == [
        account_json(a) for a in credentials.state.accounts
    ]


def test_list_walks_every_page(run: Run, credentials: Sandbox) -> None:
    """`--per-page 1` still lists every account, one request per page."""
    result = run("accounts", "list", "--per-page", "1")

    assert [a["id"] for a in jsonl(result.out)] == [a.id for a in credentials.state.accounts]
    assert credentials.state.count("accounts.list") == len(credentials.state.accounts)


def test_get_prints_one_object(run: Run, credentials: Sandbox) -> None:
    """`accounts get ID` prints the account as one JSON object."""
    record = credentials.state.accounts[2]

    result = run("accounts", "get", record.id)

    assert result.code == 0
    assert seed_fields(json.loads(result.out)) == account_json(record)


def test_get_unknown_account_is_one_line_error(run: Run, credentials: Sandbox) -> None:
    """An unknown id exits 1 with the server's message on one stderr line."""
    result = run("accounts", "get", "999999999")

    assert (result.code, result.out) == (1, "")
    assert result.err == "vapay: error: not found (HTTP 404): Account not found\n"


def test_create_opens_an_account(run: Run, credentials: Sandbox) -> None:
    """`accounts create` prints the new account, which the sandbox now has."""
    result = run("accounts", "create", "--name", "Dewi Lestari", "--phone", "081234567890")

    created = json.loads(result.out)
    record = credentials.state.accounts[-1]
    assert result.code == 0
    assert seed_fields(created) == account_json(record)
    assert (record.name, record.phone, record.email) == ("Dewi Lestari", "081234567890", None)


def test_create_rejected_field_names_it(run: Run, credentials: Sandbox) -> None:
    """A field the API rejects exits 1 naming the field and the server's reason."""
    before = len(credentials.state.accounts)

    result = run("accounts", "create", "--name", "Al")

    assert result.code == 1
    assert result.err == (
        "vapay: error: rejected (HTTP 422): Validation error"
        " (name: The name field must be at least 3 characters.)\n"
    )
    assert len(credentials.state.accounts) == before


def test_update_status_changes_the_account(run: Run, credentials: Sandbox) -> None:
    """`accounts update-status ID inactive` prints and stores the new status."""
    record = credentials.state.accounts[0]
    status = "inactive" if record.status == "active" else "active"

    result = run("accounts", "update-status", record.id, status)

    assert result.code == 0
    assert json.loads(result.out)["status"] == status
    assert record.status == status


def test_update_status_rejects_unknown_status(run: Run) -> None:
    """A status outside active/inactive is a usage error (exit 2), sent nowhere."""
    result = run("accounts", "update-status", "1", "closed")

    assert result.code == 2
    assert "invalid choice: 'closed'" in result.err
