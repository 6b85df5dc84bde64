"""The `vapay` command: a thin command line over `vapay.Client`.

    vapay demo                        # try it: no credentials, no network
    vapay accounts list               # a table on a terminal, JSON Lines in a pipe
    vapay reconcile -o vas.csv        # every virtual account, with totals

Run `vapay --help` for every command. The command line needs rich for its tables
and progress bars: `pip install 'vapay[cli]'`. The library does not.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from vapay._cli._args import parse

NEEDS_RICH = "vapay: the command line needs rich: pip install 'vapay[cli]'"


def _exit_code(exit_: SystemExit) -> int:
    code = exit_.code
    if code is None or isinstance(code, int):
        return code or 0
    return 1  # argparse never exits with a message, but sys.exit("...") does


def _has_rich() -> bool:
    try:
        importlib.import_module("rich")
    except ImportError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `vapay` command line.

    Args:
        argv: the arguments after the program's name (default: `sys.argv[1:]`).

    Returns:
        The exit code: 0 on success; 1 for an error (one line on stderr); 2 for
        a bad command line; 130 after Ctrl-C; 141 when the reader of stdout
        went away (`vapay ... | head`); 143 after SIGTERM.
    """
    try:
        args, rest = parse(sys.argv[1:] if argv is None else list(argv))
        if args.command == "sandbox":
            # The server has its own options and needs no rich: hand it the rest.
            from vapay.sandbox._serve import main as serve  # noqa: PLC0415 - aiohttp.web

            return serve(rest)
    except SystemExit as exit_:  # --help, --version, and argparse's errors
        return _exit_code(exit_)
    if not _has_rich():
        print(NEEDS_RICH, file=sys.stderr)
        return 1
    # Imported only now: everything past parsing draws with rich.
    from vapay._cli._run import run  # noqa: PLC0415

    return run(args)


if __name__ == "__main__":  # python -m vapay.cli
    raise SystemExit(main())
