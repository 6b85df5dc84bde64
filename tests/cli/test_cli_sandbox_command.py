"""`vapay sandbox`: the sandbox server's own command line, behind `vapay`."""

from __future__ import annotations

import os
import signal
import threading

import pytest

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


LONG = "9" * 400


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--port", "99999", "must be <= 65535, got 99999"),
        ("--port", "-1", "must be >= 0, got -1"),
        ("--port", LONG, f"must be <= 65535, got {LONG[:40]}..."),
        ("--port", "http", "not an integer: 'http'"),
        ("--accounts", "-1", "must be >= 0, got -1"),
        ("--virtual-accounts", "-1", "must be >= 0, got -1"),
        ("--seed", "x", "not an integer: 'x'"),
        ("--latency", "nan", "must be a finite number, got nan"),
        ("--latency", "-1", "must be >= 0, got -1"),
        ("--token-ttl", "0", "must be > 0, got 0"),
        ("--token-ttl", "inf", "must be a finite number, got inf"),
    ],
    ids=[
        "port-too-large",
        "port-negative",
        "port-400-digits",
        "port-not-a-number",
        "accounts-negative",
        "virtual-accounts-negative",
        "seed-not-a-number",
        "latency-nan",
        "latency-negative",
        "token-ttl-zero",
        "token-ttl-inf",
    ],
)
def test_bad_number_is_a_usage_error(run: Run, option: str, value: str, message: str) -> None:
    """A number its option cannot take exits 2 with argparse's line naming the option."""
    result = run("sandbox", option, value)

    assert (result.code, result.out) == (2, "")
    assert f"argument {option}: {message}" in result.err
    assert "Traceback" not in result.err
