"""The grammar of the money-in commands: a VA's lifecycle, its payments, balances.

No rich and no I/O, like `_args`, which registers these parsers. What one flag's
value can be checked alone (a number, a date, an offset, a choice) is refused
here, a usage error; what depends on several (a closed VA needs `--amount`) is
the SDK's or the API's to refuse, an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from vapay._cli._args import KINDS, calendar_day, int_between, positive_int
from vapay._cli._terminal import shown
from vapay._models import AmountType, VATransactionStatus, VirtualAccountStatus
from vapay._numbers import MAX_DIGITS, NumberOutOfRangeError, in_range
from vapay.resources.va_transactions import SORT_FIELDS, SORT_ORDERS
from vapay.resources.virtual_accounts import MAX_REFERENCE_LENGTH, MAX_USAGE

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]  # noqa: SLF001 - argparse's own type
    # `_args._subparser`: a parser with the global options, for a command key.
    Subparser = Callable[[Subparsers, str, str, str], argparse.ArgumentParser]

AMOUNT_TYPES = tuple(t.value for t in AmountType)
VA_STATUSES = tuple(s.value for s in VirtualAccountStatus)
PAYMENT_STATUSES = tuple(s.value for s in VATransactionStatus)
YES_NO = ("yes", "no")

_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_UNIX_MS_DIGITS = 13  # 2001-09-09 to 2286-11-20: seconds by mistake have 10

CREATE_EPILOG = """\
A create is never sent twice: the API has no idempotency key, and a second
virtual account would take real payments. If a create fails in a way that may
have reached the server (a timeout, a dropped connection, a 5xx), the virtual
account may exist: look it up with
`vapay virtual-accounts list ACCOUNT --kind KIND --merchant-reff-no REF`
before trying again (the error line says so, with the values filled in).
"""


def amount(text: str) -> Decimal:
    """An amount, exactly as written ("150000.50"), for argparse; never a float."""
    if len(text) > MAX_DIGITS or not _AMOUNT.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"not an amount (digits and an optional decimal point, as in 150000.50): "
            f"{shown(text)!r}"
        )
    try:
        return in_range(Decimal(text))
    except NumberOutOfRangeError:
        raise argparse.ArgumentTypeError(f"out of range: {shown(text)}") from None


def when(text: str) -> dt.datetime | int:
    """An ISO 8601 datetime with its UTC offset, or Unix milliseconds, for argparse.

    A datetime without an offset is refused: read in the server's time zone, it
    would move a payment window by hours.
    """
    if _DIGITS.fullmatch(text):
        if len(text) != _UNIX_MS_DIGITS:
            raise argparse.ArgumentTypeError(
                f"Unix milliseconds have 13 digits, got {shown(text)} (seconds? times 1000)"
            )
        return int(text)
    # Python 3.10's fromisoformat does not read "Z".
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        value = dt.datetime.fromisoformat(iso)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "not an ISO 8601 datetime with an offset (2026-12-01T00:00:00+07:00) "
            f"or Unix milliseconds: {shown(text)!r}"
        ) from None
    if value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} has no UTC offset: add one, as in "
            f"{value.replace(tzinfo=None).isoformat()}+07:00 for Jakarta time"
        )
    return value


def text(*, max_length: int | None = None) -> Callable[[str], str]:
    """A parser of non-blank text of at most *max_length* characters, for argparse."""

    def parse(value: str) -> str:
        if not value.strip():
            raise argparse.ArgumentTypeError("must not be empty")
        if max_length is not None and len(value) > max_length:
            raise argparse.ArgumentTypeError(
                f"must be at most {max_length} characters, got {len(value)}"
            )
        return value

    return parse


def currency(value: str) -> str:
    """Three letters, as the API's currencies are ("IDR"), for argparse."""
    if not re.fullmatch(r"[A-Za-z]{3}", value, re.ASCII):
        raise argparse.ArgumentTypeError(f"not three letters, like IDR: {shown(value)!r}")
    return value


class _Days(argparse.Action):
    """Stores a day of `--from` or `--to`, refusing a `--to` before the `--from`."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,  # noqa: ARG002 - argparse's signature
    ) -> None:
        setattr(namespace, self.dest, values)
        first, last = getattr(namespace, "from_day", None), getattr(namespace, "to_day", None)
        if first is not None and last is not None and last < first:
            parser.error(f"--to {last} is before --from {first}")


def _add_account(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("account_id", metavar="ACCOUNT", help="the sub-account's id")


def _add_va_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "virtual_account_id", metavar="VA_ID", help="the virtual account's id (not its number)"
    )


def _add_settings(parser: argparse.ArgumentParser, *, create: bool) -> None:
    """The settings `create` and `update` share; unset ones are not sent."""

    def default(api: str) -> str:
        return f" (default: the API's, {api})" if create else " (default: not sent)"

    parser.add_argument(
        "--amount",
        type=amount,
        metavar="AMOUNT",
        help="exact, as in 150000.50; required for a closed VA (default: not sent)",
    )
    parser.add_argument(
        "--expired-at",
        type=when,
        metavar="WHEN",
        help="ISO 8601 with its offset (2026-12-01T00:00:00+07:00) or Unix milliseconds; "
        "required for a temporary VA (default: not sent)",
    )
    parser.add_argument(
        "--min-amount",
        type=amount,
        metavar="AMOUNT",
        help="an open VA's smallest amount" + default("the merchant's limit"),
    )
    parser.add_argument(
        "--max-amount",
        type=amount,
        metavar="AMOUNT",
        help="an open VA's largest amount" + default("the merchant's limit"),
    )
    parser.add_argument(
        "--max-usage",
        type=int_between(1, MAX_USAGE, why=" (the API's maximum)"),
        metavar="N",
        help=f"payments the VA takes, 1..{MAX_USAGE}" + default(str(MAX_USAGE)),
    )
    parser.add_argument(
        "--name", type=text(), help="shown to the payer at the bank (default: not sent)"
    )


def add_virtual_account_actions(
    actions: Subparsers, listing: argparse.ArgumentParser, subparser: Subparser
) -> None:
    """`create`, `get`, `update` and `delete` beside `list`, and `list --merchant-reff-no`."""
    listing.add_argument(
        "--merchant-reff-no",
        type=text(),
        metavar="REF",
        help="only VAs whose reference contains REF (default: every VA)",
    )
    create = subparser(actions, "create", "virtual_accounts.create", "open a virtual account")
    create.epilog = CREATE_EPILOG
    create.formatter_class = argparse.RawDescriptionHelpFormatter
    _add_account(create)
    create.add_argument(
        "--bank-code",
        required=True,
        type=text(),
        metavar="BANK",
        help="BCA, BNI, BRI, MANDIRI, PERMATA, ... (required; the API refuses others)",
    )
    create.add_argument(
        "--kind",
        required=True,
        choices=KINDS,
        help="temporary (one payment window) or permanent (required)",
    )
    create.add_argument(
        "--amount-type",
        choices=AMOUNT_TYPES,
        help="closed: exactly --amount; open: any amount in [--min-amount, --max-amount] "
        "(default: the API's, closed)",
    )
    _add_settings(create, create=True)
    create.add_argument(
        "--merchant-reff-no",
        type=text(max_length=MAX_REFERENCE_LENGTH),
        metavar="REF",
        help="your reference (an invoice number), on every payment; how to find the VA "
        "after an uncertain create (default: none)",
    )
    create.add_argument("--currency", type=currency, help="three letters (default: the API's, IDR)")

    get = subparser(actions, "get", "virtual_accounts.get", "one virtual account")
    _add_account(get)
    _add_va_id(get)

    update = subparser(
        actions,
        "update",
        "virtual_accounts.update",
        "replace a virtual account's settings: give every setting its kind needs "
        "(a closed VA's --amount, a temporary VA's --expired-at and --max-usage)",
    )
    _add_account(update)
    _add_va_id(update)
    update.add_argument(
        "--status", required=True, choices=VA_STATUSES, help="the VA's status (required)"
    )
    _add_settings(update, create=False)

    delete = subparser(
        actions,
        "delete",
        "virtual_accounts.delete",
        "delete a virtual account that has taken no payment (else: update --status inactive)",
    )
    _add_account(delete)
    _add_va_id(delete)


def add_transactions(commands: Subparsers, subparser: Subparser) -> None:
    """`vapay transactions list ACCOUNT [filters]`."""
    group = commands.add_parser("transactions", help="list the payments into virtual accounts")
    actions = group.add_subparsers(title="actions", dest="action", required=True)
    listing = subparser(
        actions, "list", "transactions.list", "the payments into one account's virtual accounts"
    )
    _add_account(listing)
    listing.add_argument("--status", choices=PAYMENT_STATUSES, help="(default: every status)")
    for flag, dest, what in (
        ("--from", "from_day", "first day processed, YYYY-MM-DD in Jakarta time (default: any)"),
        ("--to", "to_day", "last day, inclusive (default: the --from day; alone: no first day)"),
    ):
        listing.add_argument(
            flag, dest=dest, type=calendar_day, action=_Days, metavar="DATE", help=what
        )
    listing.add_argument(
        "--va-number", type=text(), metavar="N", help="one VA's payments (default: every VA's)"
    )
    listing.add_argument(
        "--merchant-reff-no",
        type=text(),
        metavar="REF",
        help="only references containing REF (default: any)",
    )
    listing.add_argument(
        "--has-settle", choices=YES_NO, help="settled or not yet (default: either)"
    )
    listing.add_argument("--sort-by", choices=SORT_FIELDS, help="(default: the API's, id)")
    listing.add_argument(
        "--sort-order", choices=SORT_ORDERS, help="(default: the API's, desc: newest first)"
    )
    listing.add_argument(
        "--per-page",
        type=positive_int,
        metavar="N",
        help="items per page (default: the API's, 25)",
    )


def add_balance(commands: Subparsers, subparser: Subparser) -> None:
    """`vapay balance [ACCOUNT]`."""
    balance = subparser(commands, "balance", "balance", "the merchant's or a sub-account's balance")
    balance.add_argument(
        "account_id",
        metavar="ACCOUNT",
        nargs="?",
        help="a sub-account's id (default: the merchant's own balance)",
    )
