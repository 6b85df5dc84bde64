"""The README's code runs: every Python block compiles, and the runnable ones run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def block_starting(text: str) -> str:
    (block,) = [b for b in BLOCKS if text in b]
    return block


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block-{i}" for i in range(len(BLOCKS))])
def test_every_python_block_compiles(source: str) -> None:
    """Each Python example is valid Python (top-level await allowed in snippets)."""
    compile(source, "README.md", "exec", flags=0x2000)  # PyCF_ALLOW_TOP_LEVEL_AWAIT


@pytest.fixture(name="sandbox_env")
def _sandbox_env() -> Iterator[dict[str, str]]:
    """A sandbox served by `python -m vapay.sandbox` and the VAPAY_* lines it printed."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vapay.sandbox",
            "--port",
            "0",
            "--accounts",
            "5",
            "--virtual-accounts",
            "6",
            "--seed",
            "3",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        env = dict(os.environ)
        while not {"VAPAY_BASE_URL", "VAPAY_CLIENT_SECRET"} <= env.keys() - os.environ.keys():
            line = server.stdout.readline()
            assert line, "the sandbox exited before printing its URL"
            name, _, value = line.strip().partition("=")
            if name.startswith("VAPAY_"):
                env[name] = value
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


def run(source: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own README's code
        [sys.executable, "-c", source],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_quickstart_runs_against_the_sandbox(sandbox_env: dict[str, str]) -> None:
    """The quickstart creates, reads, deactivates and lists without an error."""
    result = run(block_starting("async for page in pager.pages():"), sandbox_env)

    assert result.returncode == 0, result.stderr
    assert " inactive" in result.stdout.splitlines()[0]


def test_the_reconciliation_recipe_exports_every_virtual_account(
    sandbox_env: dict[str, str],
) -> None:
    """The bulk recipe writes one CSV row per seeded virtual account."""
    result = run(block_starting("list_many("), sandbox_env)

    assert result.returncode == 0, result.stderr
    rows = result.stdout.strip().splitlines()
    assert rows[0].startswith("account_id,id,number")
    assert len(rows) == 1 + 5 * 6


def test_the_aiohttp_recipe_opens_and_closes_one_client(sandbox_env: dict[str, str]) -> None:
    """The aiohttp app's cleanup context opens a working client and closes it on cleanup."""
    drive = """
import asyncio

async def main():
    runner = web.AppRunner(app)
    await runner.setup()
    client = app[CLIENT]
    print(len(await client.accounts.list().collect()))
    await runner.cleanup()
    try:
        await client.accounts.list().collect()
    except RuntimeError as err:
        print("closed:", err)

asyncio.run(main())
"""
    result = run(block_starting("app.cleanup_ctx.append(vapay_client)") + drive, sandbox_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "5",
        "closed: Cannot send a request: the client has been closed.",
    ]
