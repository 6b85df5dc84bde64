"""The command line: serve a sandbox on loopback until Ctrl-C or SIGTERM.

With `--webhook-url`, payments made through `/_sandbox/` are delivered there as
signed callbacks. The secret comes from an environment variable
(`--webhook-secret-env NAME`), never from the command line, where other users
of the machine could read it in the process list.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import sys
from collections.abc import Sequence

# The command line's number parsers: refused here, a bad number is a usage error
# (exit 2) rather than a traceback from deep inside the server.
from vapay._cli._args import int_between, non_negative_float, non_negative_int, positive_float
from vapay.sandbox._sandbox import Sandbox

_MAX_PORT = 65_535


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vapay.sandbox",
        description="Serve vapay's fake API on loopback and print the settings "
        "to export (VAPAY_BASE_URL and the credentials).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int_between(0, _MAX_PORT),
        default=8080,
        help="0 picks a free port (default: %(default)s)",
    )
    parser.add_argument(
        "--accounts",
        type=non_negative_int,
        default=10,
        help="accounts to seed (default: %(default)s)",
    )
    parser.add_argument(
        "--virtual-accounts",
        type=non_negative_int,
        default=30,
        help="virtual accounts per account (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int_between(-math.inf), default=0, help="seed of the data (default: 0)"
    )
    parser.add_argument(
        "--latency",
        type=non_negative_float,
        default=0.0,
        help="seconds added to each answer (default: 0)",
    )
    parser.add_argument(
        "--token-ttl",
        type=positive_float,
        default=3600.0,
        help="token lifetime in seconds (default: 3600)",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="serve the live API's newer shapes (default: the seeds')",
    )
    parser.add_argument(
        "--status-route",
        choices=("seed", "live", "both"),
        default="both",
        help="which account status route to serve (live: update-status answers 404) "
        "(default: both)",
    )
    hooks = parser.add_argument_group("webhooks (the gateway's signed callbacks)")
    hooks.add_argument(
        "--webhook-url",
        metavar="URL",
        help="deliver payment and settlement callbacks here, a loopback http(s) URL "
        "(default: none, no callbacks)",
    )
    hooks.add_argument(
        "--webhook-secret-env",
        metavar="NAME",
        help="an environment variable holding the secret to sign with "
        "(default: the client secret); never the secret itself",
    )
    hooks.add_argument(
        "--webhook-retry-interval",
        type=non_negative_float,
        default=60.0,
        metavar="SECONDS",
        help="between a failed delivery and its retry (default: 60, the gateway's)",
    )
    hooks.add_argument(
        "--webhook-timeout",
        type=positive_float,
        default=10.0,
        metavar="SECONDS",
        help="a delivery not answered within this counts as a timeout (default: 10)",
    )
    return parser


def _webhook_secret(args: argparse.Namespace) -> str | None:
    """The secret named by --webhook-secret-env, read from the environment.

    Raises:
        ValueError: The option is given without --webhook-url, or the variable
            is unset or empty.
    """
    name = args.webhook_secret_env
    if name is None:
        return None
    if args.webhook_url is None:
        raise ValueError("--webhook-secret-env needs --webhook-url")
    value = os.environ.get(name)
    if not value:
        state = "not set" if value is None else "empty"
        raise ValueError(f"the environment variable {name} is {state} (--webhook-secret-env)")
    return value


async def _serve(sandbox: Sandbox) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Windows event loops have no signal handlers; Ctrl-C still interrupts there.
    if sys.platform != "win32":
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    async with sandbox:
        print(f"VAPAY_BASE_URL={sandbox.url}")
        print(f"VAPAY_API_KEY={sandbox.api_key}")
        print(f"VAPAY_CLIENT_ID={sandbox.client_id}")
        print(f"VAPAY_CLIENT_SECRET={sandbox.client_secret}", flush=True)
        state = sandbox.state
        count = sum(len(vas) for vas in state.virtual_accounts.values())
        print(
            f"vapay sandbox: {len(state.accounts)} accounts, {count} virtual "
            f"accounts; Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        if sandbox.webhook_url is not None:
            print(f"vapay sandbox: webhooks to {sandbox.webhook_url}", file=sys.stderr, flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a sandbox until interrupted.

    Args:
        argv: Command-line arguments (default: `sys.argv[1:]`).

    Returns:
        The exit status: 0 after Ctrl-C or SIGTERM, 2 for a bad setting (a
        non-loopback host or webhook URL, a missing secret variable), 1 if the
        port cannot be bound.
    """
    args = _parser().parse_args(argv)
    try:
        sandbox = Sandbox(
            host=args.host,
            port=args.port,
            accounts=args.accounts,
            virtual_accounts_per_account=args.virtual_accounts,
            seed=args.seed,
            latency=args.latency,
            token_ttl=args.token_ttl,
            live=args.live,
            status_route=args.status_route,
            # Nobody reads the log of a long-running server: keep memory flat.
            record_requests=False,
            webhook_url=args.webhook_url,
            webhook_secret=_webhook_secret(args),
            webhook_retry_interval=args.webhook_retry_interval,
            webhook_timeout=args.webhook_timeout,
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(sandbox))
    except KeyboardInterrupt:
        pass
    except OSError as err:
        print(f"error: cannot serve on {args.host}:{args.port}: {err}", file=sys.stderr)
        return 1
    return 0
