"""`vapay sandbox`: the sandbox server's own command line, behind `vapay`."""

from __future__ import annotations

import os
import signal
import threading

from conftest import Run


def test_serves_until_interrupted(run: Run) -> None:
    """It prints the settings to export, serves, and exits 0 on Ctrl-C."""
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        result = run("sandbox", "--port", "0", "--accounts", "2", "--virtual-accounts", "3")
    finally:
        timer.cancel()

    assert result.code == 0
    assert result.out.startswith("VAPAY_BASE_URL=http://127.0.0.1:")
    assert "VAPAY_CLIENT_SECRET=" in result.out
    assert "2 accounts, 6 virtual accounts" in result.err


def test_passes_help_through(run: Run) -> None:
    """`vapay sandbox --help` shows the server's options and exits 0."""
    result = run("sandbox", "--help")

    assert result.code == 0
    assert "--virtual-accounts" in result.out


def test_bad_option_is_a_usage_error(run: Run) -> None:
    """An option the server does not know exits 2."""
    assert run("sandbox", "--nonsense").code == 2
