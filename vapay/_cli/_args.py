"""The command line's grammar: argparse parsers, with no rich and no I/O."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Callable, Sequence

from vapay._cli._terminal import shown
from vapay._cli._webhooks import add_webhooks
from vapay._client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from vapay._version import __version__
from vapay.reconcile import FIRST_DAY, LAST_DAY

KINDS = ("temporary", "permanent")
FORMATS = ("csv", "jsonl")
SETTABLE_STATUSES = ("active", "inactive")

_DESCRIPTION = """\
Command line for the vapay virtual-account API: accounts, virtual accounts,
payments and balances, payment reconciliation against your ledger, a concurrent
virtual-account export, and a local fake of the API to try it all on.

Credentials come from the flags or from VAPAY_API_KEY, VAPAY_CLIENT_ID,
VAPAY_CLIENT_SECRET and VAPAY_BASE_URL (prefer the variables: flags show up in
the process list). On a terminal, output is a table; piped, or with --json, it
is JSON (one object, or JSON Lines for listings).
"""

_EPILOG = """\
examples:
  vapay demo
  vapay accounts list
  vapay virtual-accounts list 12345 --kind temporary
  vapay reconcile --ledger invoices.csv --from 2026-11-28
  vapay virtual-accounts export -o virtual-accounts.csv
"""


def _number(
    convert: Callable[[str], float],
    *,
    minimum: float,
    inclusive: bool,
    maximum: float = math.inf,
    why: str = "",
    kind: str = "a number",
) -> Callable[[str], float]:

    def parse(text: str) -> float:
        echo = shown(text)
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {kind}: {echo!r}") from None
        # Not math.isfinite(): it converts an int to a float, which fails past 1e308.
        if value != value or abs(value) == math.inf:  # noqa: PLR0124 - NaN is unequal to itself
            raise argparse.ArgumentTypeError(f"must be a finite number, got {echo}")
        if value < minimum or (not inclusive and value == minimum):
            bound = f">= {minimum:g}" if inclusive else f"> {minimum:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {echo}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be <= {maximum:g}{why}, got {echo}")
        return value

    return parse


def int_between(
    minimum: float, maximum: float = math.inf, *, why: str = ""
) -> Callable[[str], int]:
    """A parser of integers from *minimum* to *maximum*, for argparse.

    *why* follows the maximum in the error: `must be <= 25{why}, got 26`.
    """
    check = _number(
        int, minimum=minimum, inclusive=True, maximum=maximum, why=why, kind="an integer"
    )
    return lambda text: int(check(text))


def positive_int(text: str) -> int:
    """An integer >= 1, for argparse."""
    return int(_number(int, minimum=1, inclusive=True, kind="an integer")(text))


def non_negative_int(text: str) -> int:
    """An integer >= 0, for argparse."""
    return int(_number(int, minimum=0, inclusive=True, kind="an integer")(text))


def positive_float(text: str) -> float:
    """A number > 0, for argparse."""
    return _number(float, minimum=0, inclusive=False)(text)


def non_negative_float(text: str) -> float:
    """A number >= 0, for argparse."""
    return _number(float, minimum=0, inclusive=True)(text)


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes, before or after the command's name.

    Subcommands get them with `SUPPRESS` defaults, so that a flag given before the
    command is not reset by the subcommand's own default.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("connection and output")
    for flag, variable in (
        ("--api-key", "VAPAY_API_KEY"),
        ("--client-id", "VAPAY_CLIENT_ID"),
        ("--client-secret", "VAPAY_CLIENT_SECRET"),
        ("--base-url", "VAPAY_BASE_URL"),
    ):
        group.add_argument(flag, default=default(None), help=f"(default: ${variable})")
    group.add_argument(
        "--timeout",
        type=positive_float,
        default=default(DEFAULT_TIMEOUT),
        metavar="SECONDS",
        help=f"per attempt (default: {DEFAULT_TIMEOUT:g})",
    )
    group.add_argument(
        "--max-retries",
        type=non_negative_int,
        default=default(DEFAULT_MAX_RETRIES),
        metavar="N",
        help=f"retries of a failed request where that is safe (default: {DEFAULT_MAX_RETRIES})",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="JSON output even on a terminal (default: a table on a terminal, JSON in a pipe)",
    )


def _subparser(
    parent: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    command: str,
    help_text: str,
) -> argparse.ArgumentParser:
    parser = parent.add_parser(name, help=help_text, description=help_text)
    _add_global_options(parser, suppress=True)
    parser.set_defaults(command=command)
    return parser


# The API's documented largest pages; it answers 422 to a bigger `per_page`.
MAX_ACCOUNTS_PER_PAGE = 100
MAX_VIRTUAL_ACCOUNTS_PER_PAGE = 25
# Payments: no maximum is documented; 100 is the largest page the API's examples use.
MAX_PAYMENTS_PER_PAGE = 100


def _add_per_page(parser: argparse.ArgumentParser, *, maximum: int, of: str) -> None:
    why = f" (the API's maximum for {of})"
    parser.add_argument(
        "--per-page",
        type=int_between(1, maximum, why=why),
        metavar="N",
        help=f"items per page, 1..{maximum} (default: the API's, 25)",
    )


def _add_accounts(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    accounts = commands.add_parser("accounts", help="list, show, create, (de)activate accounts")
    actions = accounts.add_subparsers(title="actions", dest="action", required=True)
    listing = _subparser(actions, "list", "accounts.list", "every account")
    _add_per_page(listing, maximum=MAX_ACCOUNTS_PER_PAGE, of="accounts")
    get = _subparser(actions, "get", "accounts.get", "one account")
    get.add_argument("account_id", metavar="ACCOUNT_ID")
    create = _subparser(actions, "create", "accounts.create", "open an account")
    create.add_argument("--name", required=True, help="the account holder's name (required)")
    create.add_argument("--email", help="(default: none sent)")
    create.add_argument("--phone", help="(default: none sent)")
    update = _subparser(
        actions, "update-status", "accounts.update_status", "activate or deactivate an account"
    )
    update.add_argument("account_id", metavar="ACCOUNT_ID")
    update.add_argument("status", choices=SETTABLE_STATUSES, help="active or inactive")


def _add_virtual_accounts(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    from vapay._cli._money_in_args import add_virtual_account_actions  # noqa: PLC0415 - it imports this module

    group = commands.add_parser(
        "virtual-accounts", help="open, show, change, delete, list or export virtual accounts"
    )
    actions = group.add_subparsers(title="actions", dest="action", required=True)
    listing = _subparser(
        actions, "list", "virtual_accounts.list", "the virtual accounts of one account"
    )
    listing.add_argument("account_id", metavar="ACCOUNT_ID")
    listing.add_argument(
        "--kind",
        choices=KINDS,
        help="required by the seed API, optional on the live one (default: none sent)",
    )
    _add_per_page(listing, maximum=MAX_VIRTUAL_ACCOUNTS_PER_PAGE, of="virtual accounts")
    add_virtual_account_actions(actions, listing, _subparser)
    _add_va_export(actions)


def _add_export_options(parser: argparse.ArgumentParser, *, default_format: str) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help=f"default: from the file's extension (.csv or .jsonl), else {default_format}",
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=16,
        metavar="N",
        help="page requests in flight at once (default: 16)",
    )
    # One size for both listings: the smaller maximum.
    _add_per_page(parser, maximum=MAX_VIRTUAL_ACCOUNTS_PER_PAGE, of="virtual accounts")


def _add_va_export(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = _subparser(
        actions,
        "export",
        "virtual_accounts.export",
        "export every virtual account of every account, then total them",
    )
    export.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PATH",
        help="file to write (replaced only once complete), or - for stdout",
    )
    export.add_argument("--kind", choices=KINDS, help="one kind only (default: both)")
    export.add_argument(
        "--dedupe",
        action="store_true",
        help="export a virtual account once even if a listing that changes while it is "
        "walked shows it twice, by id (default: off)",
    )
    _add_export_options(export, default_format="jsonl")


def calendar_day(text: str) -> dt.date:
    """A calendar day, `YYYY-MM-DD`, that Unix milliseconds can express, for argparse."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {shown(text)!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"must be from {FIRST_DAY} to {LAST_DAY}, got {day}")
    return day


RECONCILE_MOVED = (
    "vapay reconcile now matches payments against your ledger: "
    "vapay reconcile --ledger FILE --from DATE [--to DATE]; "
    "the virtual-account export it used to write is now: vapay virtual-accounts export -o PATH"
)


def _add_reconcile(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reconcile = _subparser(
        commands,
        "reconcile",
        "reconcile",
        "match every payment of a date window against your ledger's invoices",
    )
    reconcile.add_argument(
        "--ledger",
        metavar="FILE",
        help="your invoices: CSV with a header row (merchant_reff_no, amount; optional "
        "currency, account_id) or JSON Lines (.jsonl) with the same keys (required; no default)",
    )
    reconcile.add_argument(
        "--from",
        dest="first_day",
        type=calendar_day,
        metavar="DATE",
        help="first day of payments, YYYY-MM-DD in Jakarta time (the gateway's day) "
        "(required; no default)",
    )
    reconcile.add_argument(
        "--to",
        dest="last_day",
        type=calendar_day,
        metavar="DATE",
        help="last day, inclusive (default: the --from day)",
    )
    reconcile.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write every discrepancy row there (.csv or .jsonl; replaced only once complete) "
        "(default: none written)",
    )
    reconcile.add_argument(
        "--format", choices=FORMATS, help="of -o (default: from the extension, else jsonl)"
    )
    reconcile.add_argument(
        "--concurrency",
        type=positive_int,
        default=16,
        metavar="N",
        help="page requests in flight at once, across all accounts (default: 16)",
    )
    _add_per_page(reconcile, maximum=MAX_PAYMENTS_PER_PAGE, of="payment listings")


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = _subparser(
        commands,
        "demo",
        "demo",
        "a day of payments on an embedded sandbox, reconciled against a generated ledger "
        "with planted discrepancies, then checked: no credentials, no network",
    )
    demo.add_argument(
        "--accounts", type=non_negative_int, default=50, metavar="N", help="(default: 50)"
    )
    demo.add_argument(
        "--invoices",
        type=non_negative_int,
        default=20,
        metavar="N",
        help="invoices (virtual accounts opened today) per account (default: 20)",
    )
    demo.add_argument("--seed", type=int_between(-math.inf), default=0, help="(default: 0)")
    demo.add_argument(
        "--latency",
        type=non_negative_float,
        default=0.0,
        metavar="SECONDS",
        help="added to every sandbox response (default: 0)",
    )
    demo.add_argument(
        "--live",
        action="store_true",
        help="serve the live API's newer shapes (default: the seeds')",
    )
    demo.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the discrepancy rows there, as reconcile -o does (default: none)",
    )
    demo.add_argument(
        "--format", choices=FORMATS, help="of -o (default: from the extension, else jsonl)"
    )
    demo.add_argument(
        "--ledger-out",
        metavar="PATH",
        help="keep the generated ledger CSV there (default: a temporary file, removed)",
    )
    demo.add_argument(
        "--concurrency",
        type=positive_int,
        default=16,
        metavar="N",
        help="requests in flight at once (default: 16)",
    )
    _add_per_page(demo, maximum=MAX_VIRTUAL_ACCOUNTS_PER_PAGE, of="payment listings")


def build_parser() -> argparse.ArgumentParser:
    """The `vapay` command's parser.

    `sandbox` takes no arguments of its own: `vapay.cli.main` hands whatever
    follows it to the sandbox server's parser.
    """
    from vapay._cli._money_in_args import add_balance, add_transactions  # noqa: PLC0415 - it imports this module

    parser = argparse.ArgumentParser(
        prog="vapay",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vapay {__version__}")
    _add_global_options(parser, suppress=False)
    commands = parser.add_subparsers(title="commands", dest="command", required=True)
    _add_accounts(commands)
    _add_virtual_accounts(commands)
    add_transactions(commands, _subparser)
    add_balance(commands, _subparser)
    _add_reconcile(commands)
    _add_demo(commands)
    add_webhooks(commands)
    sandbox = commands.add_parser(
        "sandbox",
        help="serve the fake API on loopback (options: vapay sandbox --help)",
        add_help=False,
    )
    sandbox.set_defaults(command="sandbox")
    return parser


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The parsed arguments, and the arguments that follow `sandbox`.

    Raises:
        SystemExit: argparse's exit, 2 for a bad command line (after printing
            the usage), 0 after --help or --version.
    """
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "sandbox":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "reconcile":
        _check_reconcile(parser, args)
    return args, rest


def _check_reconcile(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.ledger is None:
        parser.error(RECONCILE_MOVED)
    if args.first_day is None:
        parser.error("reconcile needs --from DATE (and --to DATE for more than one day)")
    if args.last_day is not None and args.last_day < args.first_day:
        parser.error(f"--to {args.last_day} is before --from {args.first_day}")
