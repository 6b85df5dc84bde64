"""The server's lifecycle, its loopback-only binding, and `python -m vapay.sandbox`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from vapay.sandbox import Sandbox
from vapay.sandbox._serve import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "host",
    [
        "0.0.0.0",  # noqa: S104  (refusing it is the point)
        "::",
        "192.168.1.10",
        "10.0.0.1",
        "example.com",
        "",
        "127.0.0.1.nip.io",
    ],
)
def test_a_non_loopback_host_is_refused(host: str) -> None:
    """Anything but a loopback address raises ValueError before binding."""
    with pytest.raises(ValueError, match="loopback"):
        Sandbox(host=host)


@pytest.mark.parametrize(
    ("host", "url_host"),
    [("127.0.0.1", "127.0.0.1"), ("127.0.0.2", "127.0.0.2"), ("localhost", "127.0.0.1")],
)
async def test_a_loopback_host_serves(host: str, url_host: str) -> None:
    """Loopback addresses (and localhost, as 127.0.0.1) serve on the reported URL."""
    async with Sandbox(host=host) as sb, aiohttp.ClientSession() as session:
        url = sb.url
        async with session.get(url + "/api/v1.0/accounts") as resp:
            status = resp.status

    assert url.startswith(f"http://{url_host}:")
    assert status == 401


async def test_the_url_has_the_bound_port_and_no_trailing_slash() -> None:
    """url is http://127.0.0.1:PORT with the port actually bound."""
    async with Sandbox() as sb:
        host, _, port = sb.url.removeprefix("http://").partition(":")

    assert host == "127.0.0.1"
    assert port.isdigit()
    assert int(port) > 0


@pytest.mark.parametrize("sandbox_options", [{"host": "::1"}])
async def test_ipv6_loopback_urls_use_brackets(sandbox: Sandbox) -> None:
    """An IPv6 loopback host appears bracketed in the URL."""
    assert sandbox.url.startswith("http://[::1]:")


def test_url_before_start_is_an_error() -> None:
    """There is no URL until the sandbox is started."""
    with pytest.raises(RuntimeError, match="not started"):
        _ = Sandbox().url


async def test_start_twice_is_an_error() -> None:
    """A running sandbox cannot be started again."""
    async with Sandbox() as sb:
        with pytest.raises(RuntimeError, match="already started"):
            await sb.start()


async def test_close_stops_serving_and_is_idempotent() -> None:
    """After close() the port refuses connections; a second close() is a no-op."""
    sb = Sandbox()
    await sb.start()
    url = sb.url
    await sb.close()
    await sb.close()

    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(url + "/api/v1.0/accounts")


async def test_a_busy_port_is_an_os_error() -> None:
    """Binding a port in use raises OSError and leaves nothing running."""
    async with Sandbox() as first:
        port = int(first.url.rsplit(":", 1)[1])
        second = Sandbox(port=port)
        with pytest.raises(OSError):  # noqa: PT011  (the platform picks the message)
            await second.start()


async def test_close_does_not_wait_long_for_a_delayed_request() -> None:
    """close() with a request stuck in a 30 s delay fault returns within a second."""
    sb = Sandbox()
    await sb.start()
    sb.delay_next(30, route="token")
    async with aiohttp.ClientSession() as session:
        pending = asyncio.ensure_future(session.post(sb.url + "/api/v1.1/access-token/b2b"))
        await asyncio.sleep(0.1)
        await asyncio.wait_for(sb.close(), timeout=1)
        with pytest.raises(aiohttp.ClientError):
            await pending


@pytest.mark.parametrize(
    "kwargs",
    [{"accounts": -1}, {"virtual_accounts_per_account": -1}, {"token_ttl": 0}, {"latency": -1}],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    """Negative counts, a non-positive ttl or negative latency raise ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011  (each case has its own message)
        Sandbox(**kwargs)  # type: ignore[arg-type]


def test_the_repr_shows_no_secret() -> None:
    """Neither the sandbox nor its state's repr shows the secret or api key."""
    sb = Sandbox(api_key="key-123", client_secret="secret-456")

    text = repr(sb) + repr(sb.state)

    assert "key-123" not in text
    assert "secret-456" not in text


def test_the_cli_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    """`--host 0.0.0.0` exits with status 2 and says why."""
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2  # noqa: S104
    assert "loopback" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--webhook-url", "http://example.com/hooks"], "loopback"),
        (
            ["--webhook-url", "http://127.0.0.1:9/h", "--webhook-secret-env", "VAPAY_T_UNSET"],
            "not set",
        ),
        (
            ["--webhook-url", "http://127.0.0.1:9/h", "--webhook-secret-env", "VAPAY_T_EMPTY"],
            "empty",
        ),
        (["--webhook-secret-env", "VAPAY_T_EMPTY"], "needs --webhook-url"),
        (["--webhook-url", "http://127.0.0.1:9/hooks\n"], "control characters"),
    ],
    ids=["not-loopback", "variable-unset", "variable-empty", "no-url", "line-break"],
)
def test_the_cli_refuses_bad_webhook_settings(
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bad webhook URL or a secret variable that is unset or empty exits 2 and says why."""
    monkeypatch.delenv("VAPAY_T_UNSET", raising=False)
    monkeypatch.setenv("VAPAY_T_EMPTY", "")

    assert main(["--port", "0", *args]) == 2
    assert message in capsys.readouterr().err


def test_python_m_vapay_sandbox_prints_the_settings_and_serves() -> None:
    """The command prints VAPAY_* lines, serves there, and stops on SIGTERM."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["--port", "0", "--accounts", "2", "--virtual-accounts", "3", "--live"]
    with subprocess.Popen(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "vapay.sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as proc:
        # If the lines never come, the kill ends readline() instead of hanging.
        watchdog = threading.Timer(20, proc.kill)
        watchdog.start()
        try:
            assert proc.stdout is not None
            lines = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(4))
            with pytest.raises(urllib.error.HTTPError) as served:
                urllib.request.urlopen(lines["VAPAY_BASE_URL"] + "/api/v1.0/accounts")  # noqa: S310
            proc.terminate()
            returncode = proc.wait(timeout=10)
        finally:
            watchdog.cancel()
            proc.kill()

    assert lines["VAPAY_BASE_URL"].startswith("http://127.0.0.1:")
    assert lines["VAPAY_API_KEY"] == "vapay-sandbox-api-key"
    assert set(lines) == {
        "VAPAY_BASE_URL",
        "VAPAY_API_KEY",
        "VAPAY_CLIENT_ID",
        "VAPAY_CLIENT_SECRET",
    }
    assert served.value.code == 401
    served.value.close()
    assert returncode == 0
