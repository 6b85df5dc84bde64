"""`vapay virtual-accounts create|get|update|delete` against the sandbox."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from cli_money import (
    api_requests,
    body,
    ms,
    only_request,
    pay,
    screen,
    tomorrow_in_jakarta,
)

from conftest import Run
from vapay.sandbox import Sandbox

VAS = "/api/v1.0/virtual-accounts"


def create_args(account_id: str, *extra: str) -> list[str]:
    """A create of a temporary, closed VA for one invoice, expiring tomorrow."""
    return [
        "virtual-accounts",
        "create",
        account_id,
        "--bank-code",
        "BRI",
        "--kind",
        "temporary",
        "--amount",
        "150000.50",
        "--expired-at",
        tomorrow_in_jakarta().isoformat(),
        *extra,
    ]


def test_create_sends_exact_amount_and_expiry(run: Run, credentials: Sandbox) -> None:
    """The body holds the amount's exact digits and the expiry in Unix ms; JSON shows the VA."""
    account = credentials.state.accounts[0].id
    expires = tomorrow_in_jakarta()

    result = run(
        *create_args(account, "--merchant-reff-no", "INV-1", "--name", "Toko Budi"),
        "--max-usage",
        "1",
        "--expired-at",
        expires.isoformat(),
    )

    request = only_request(credentials)
    printed = json.loads(result.out)
    assert (result.code, result.err) == (0, "")
    assert (request.method, request.path, request.query) == ("POST", f"{VAS}/{account}", {})
    assert b'"amount":150000.50' in request.body
    assert body(request) == {
        "bank_code": "BRI",
        "kind": "temporary",
        "amount": Decimal("150000.50"),
        "expired_at": ms(expires),
        "max_usage": 1,
        "name": "Toko Budi",
        "merchant_reff_no": "INV-1",
    }
    (created,) = credentials.state.expected_virtual_accounts(account, merchant_reff_no="INV-1")
    assert printed["id"] == created.id
    assert printed["account_id"] == account
    # The sandbox sends the amount as a string or a number: the value is what counts.
    assert Decimal(printed["amount"]["value"]) == Decimal("150000.50")
    assert printed["amount"]["currency"] == "IDR"
    assert printed["expired_at"] == expires.astimezone(dt.timezone.utc).isoformat()


def test_expired_at_in_unix_ms_is_sent_as_given(run: Run, credentials: Sandbox) -> None:
    """Thirteen digits are Unix milliseconds, sent unchanged."""
    account = credentials.state.accounts[0].id
    when = str(ms(tomorrow_in_jakarta()))

    result = run(*create_args(account), "--expired-at", when)

    assert result.code == 0
    assert body(only_request(credentials))["expired_at"] == int(when)


def test_create_on_a_terminal_is_a_field_table(run_tty: Run, credentials: Sandbox) -> None:
    """One field per row: the amount with its currency, the expiry in Jakarta time."""
    account = credentials.state.accounts[0].id
    expires = tomorrow_in_jakarta()

    args = create_args(account, "--merchant-reff-no", "INV-T", "--expired-at", expires.isoformat())

    shown = screen(run_tty(*args).out)

    (created,) = credentials.state.expected_virtual_accounts(account, merchant_reff_no="INV-T")
    assert f"Virtual account {created.id}" in shown
    assert "│ 150,000.50 IDR" in shown
    assert f"│ {expires.isoformat()}" in shown  # +07:00: as --expired-at takes it


@pytest.mark.parametrize(
    "when",
    ["2026-12-01T00:00:00", "2026-12-01", "2026-12-01 00:00"],
    ids=["naive", "date", "space"],
)
def test_naive_expiry_is_a_usage_error(run: Run, credentials: Sandbox, when: str) -> None:
    """A datetime without an offset exits 2 saying to add one, and sends nothing."""
    result = run(*create_args(credentials.state.accounts[0].id), "--expired-at", when)

    assert result.code == 2
    assert "has no UTC offset: add one, as in 2026-12-01T00:00:00+07:00" in result.err
    assert credentials.state.requests == []


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--amount", "1e5"),
        ("--amount", "-5"),
        ("--amount", "NaN"),
        ("--amount", "1,000"),
        ("--amount", "150000.5.0"),
        ("--amount", ""),
        ("--amount", "1" * 400),
        ("--min-amount", "Infinity"),
        ("--expired-at", "1764522000"),  # seconds, not milliseconds
        ("--expired-at", "tomorrow"),
        ("--max-usage", "256"),
        ("--max-usage", "0"),
        ("--currency", "RP"),
        ("--kind", "forever"),
        ("--amount-type", "fixed"),
        ("--merchant-reff-no", "x" * 256),
        ("--name", "  "),
    ],
    ids=lambda value: value[:12],
)
def test_bad_values_are_usage_errors(run: Run, credentials: Sandbox, flag: str, value: str) -> None:
    """A value that cannot be right whatever the VA exits 2, before anything is sent."""
    result = run(*create_args(credentials.state.accounts[0].id), flag, value)

    assert result.code == 2
    assert f"argument {flag}" in result.err
    assert credentials.state.requests == []


def test_missing_amount_is_the_sdks_error(run: Run, credentials: Sandbox) -> None:
    """A closed VA without --amount is refused by the SDK (exit 1) before any request."""
    account = credentials.state.accounts[0].id

    result = run("virtual-accounts", "create", account, "--bank-code", "BRI", "--kind", "permanent")

    assert (result.code, result.out) == (1, "")
    assert result.err == "vapay: error: amount is required for a closed virtual account\n"
    assert api_requests(credentials) == []


def test_bad_bank_code_is_the_servers_422(run: Run, credentials: Sandbox) -> None:
    """A bank the API does not serve: its 422, as one line naming the field."""
    account = credentials.state.accounts[0].id

    result = run(*create_args(account), "--bank-code", "XYZ")

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "vapay: error: rejected (HTTP 422): Validation error "
        "(bank_code: The selected bank code is invalid.)\n"
    )
    assert body(only_request(credentials))["bank_code"] == "XYZ"


def test_uncertain_create_says_how_to_look_it_up(run: Run, credentials: Sandbox) -> None:
    """A create whose answer was lost is not replayed; the error line gives the
    listing that finds it, and that listing does."""
    account = credentials.state.accounts[0].id
    credentials.truncate_next(route="virtual_accounts.create")  # created, answer cut

    result = run(*create_args(account, "--merchant-reff-no", "INV 7"))

    lookup = f"vapay virtual-accounts list {account} --kind temporary --merchant-reff-no 'INV 7'"
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("vapay: error: the create may have reached the server (")
    assert result.err.endswith(f"look for it with `{lookup}` before trying again\n")
    assert credentials.state.count("virtual_accounts.create") == 1

    found = run(
        "virtual-accounts", "list", account, "--kind", "temporary", "--merchant-reff-no", "INV 7"
    )

    (created,) = credentials.state.expected_virtual_accounts(account, merchant_reff_no="INV 7")
    assert [json.loads(line)["id"] for line in found.out.splitlines()] == [created.id]


def test_server_error_on_create_is_not_replayed(run: Run, credentials: Sandbox) -> None:
    """A 503 on create is sent once, and the error line says the VA may exist."""
    credentials.fail_next(status=503, times=3, route="virtual_accounts.create")

    result = run(*create_args(credentials.state.accounts[0].id))

    assert result.code == 1
    account = credentials.state.accounts[0].id
    assert (
        f"may have reached the server (POST /api/v1.0/virtual-accounts/{account} -> HTTP 503: "
        in (result.err)
    )
    assert credentials.state.count("virtual_accounts.create") == 1


def test_get_prints_the_virtual_account(run: Run, credentials: Sandbox) -> None:
    """GET of the VA by its id; JSON as the SDK decoded it."""
    account = credentials.state.accounts[0].id
    va = credentials.state.expected_virtual_accounts(account)[1]

    result = run("virtual-accounts", "get", account, va.id)

    request = only_request(credentials)
    printed = json.loads(result.out)
    assert (request.method, request.path, request.query) == ("GET", f"{VAS}/{account}/{va.id}", {})
    assert (printed["id"], printed["number"], printed["merchant_reff_no"]) == (
        va.id,
        va.number,
        va.merchant_reff_no,
    )
    assert printed["current_usage"] == va.current_usage


def test_get_on_a_terminal(run_tty: Run, credentials: Sandbox) -> None:
    """A field table: the VA's number, status and usage."""
    account = credentials.state.accounts[0].id
    va = credentials.state.expected_virtual_accounts(account)[1]

    shown = screen(run_tty("virtual-accounts", "get", account, va.id).out)

    assert f"Virtual account {va.id}" in shown
    assert f"│ {va.number} " in shown
    assert f"│ {va.status} " in shown
    assert f"│ {va.current_usage} " in shown


def test_unknown_virtual_account_is_not_found(run: Run, credentials: Sandbox) -> None:
    """A VA id the account does not have: the 404 as one line."""
    result = run("virtual-accounts", "get", credentials.state.accounts[0].id, "nope")

    assert result.code == 1
    assert result.err.startswith("vapay: error: not found (HTTP 404): ")


def test_update_puts_every_given_setting(run: Run, credentials: Sandbox) -> None:
    """PUT with the status and the settings given, exactly; the updated VA is printed."""
    account = credentials.state.accounts[0].id
    va = credentials.state.expected_virtual_accounts(account, kind="temporary")[0]
    expires = tomorrow_in_jakarta()

    result = run(
        "virtual-accounts",
        "update",
        account,
        va.id,
        "--status",
        "inactive",
        "--amount",
        "200000.00",
        "--expired-at",
        expires.isoformat(),
        "--max-usage",
        "1",
    )

    request = only_request(credentials)
    printed = json.loads(result.out)
    assert (request.method, request.path) == ("PUT", f"{VAS}/{account}/{va.id}")
    assert body(request) == {
        "status": "inactive",
        "amount": Decimal("200000.00"),
        "expired_at": ms(expires),
        "max_usage": 1,
    }
    assert printed["status"] == "inactive"
    assert Decimal(printed["amount"]["value"]) == Decimal("200000.00")


def test_update_with_a_missing_setting_is_the_servers_422(run: Run, credentials: Sandbox) -> None:
    """A full replace without a closed VA's amount: the API's own message."""
    account = credentials.state.accounts[0].id
    va = credentials.state.expected_virtual_accounts(account, kind="temporary")[0]

    result = run("virtual-accounts", "update", account, va.id, "--status", "active")

    assert result.code == 1
    assert "rejected (HTTP 422)" in result.err
    assert "amount: Amount is required" in result.err


def test_unknown_status_is_a_usage_error(run: Run, credentials: Sandbox) -> None:
    """`--status disabled` exits 2 naming the statuses, and sends nothing."""
    account = credentials.state.accounts[0].id

    result = run("virtual-accounts", "update", account, "x", "--status", "disabled")

    assert result.code == 2
    assert "'active', 'expired', 'inactive'" in result.err
    assert credentials.state.requests == []


def new_va(run: Run, account: str) -> str:
    """The id of a VA opened with the command line."""
    result = run(*create_args(account), "--json")
    assert result.code == 0
    return str(json.loads(result.out)["id"])


def test_delete_piped_prints_what_was_deleted(run: Run, credentials: Sandbox) -> None:
    """DELETE of an unpaid VA; piped, `{"deleted": true, ...}`; it is gone."""
    account = credentials.state.accounts[0].id
    va_id = new_va(run, account)
    credentials.state.requests.clear()

    result = run("virtual-accounts", "delete", account, va_id)

    request = only_request(credentials)
    assert (request.method, request.path) == ("DELETE", f"{VAS}/{account}/{va_id}")
    assert json.loads(result.out) == {"deleted": True, "account_id": account, "id": va_id}
    assert run("virtual-accounts", "get", account, va_id).code == 1


def test_delete_on_a_terminal_confirms(run_tty: Run, credentials: Sandbox) -> None:
    """On a terminal, one line says which VA of which account was deleted."""
    account = credentials.state.accounts[0].id
    va_id = new_va(run_tty, account)

    result = run_tty("virtual-accounts", "delete", account, va_id)

    assert (result.code, result.err) == (0, "")
    assert result.out == f"Deleted virtual account {va_id} of account {account}.\n"


def test_delete_of_a_paid_va_is_permission_denied(run: Run, credentials: Sandbox) -> None:
    """A VA with a payment cannot be deleted: the 403 as one line, exit 1."""
    account = credentials.state.accounts[0].id
    va_id = new_va(run, account)
    (va,) = [v for v in credentials.state.expected_virtual_accounts(account) if v.id == va_id]
    pay(credentials, account, va.number)

    result = run("virtual-accounts", "delete", account, va_id)

    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "vapay: error: permission denied (HTTP 403): This Virtual Account has have transactions\n"
    )


def test_list_by_reference_sends_the_filter(run: Run, credentials: Sandbox) -> None:
    """`list --merchant-reff-no` asks the API for the references containing it."""
    account = credentials.state.accounts[0].id

    result = run(
        "virtual-accounts", "list", account, "--kind", "permanent", "--merchant-reff-no", "0002"
    )

    expected = credentials.state.expected_virtual_accounts(account, "permanent", "0002")
    assert only_request(credentials).query["merchant_reff_no"] == "0002"
    assert [json.loads(line)["id"] for line in result.out.splitlines()] == [
        va.id for va in expected
    ]
    assert len(expected) == 1


def test_field_table_shows_names_inert(run_tty: Run, credentials: Sandbox) -> None:
    """A name holding escape sequences and markup is shown escaped and as it is."""
    account = credentials.state.accounts[0].id
    hostile = "\x1b[2J[bold]Budi[/bold]\u202e"

    result = run_tty(*create_args(account), "--name", hostile)

    assert result.code == 0
    assert "\x1b[2J" not in result.out
    assert "\u202e" not in result.out
    assert "\\x1b[2J[bold]Budi[/bold]\\u202e" in screen(result.out)
