"""A client and event loops: reused across asyncio.run(), refused from a second live loop."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

import pytest

import vapay
from vapay.sandbox import Sandbox

# A sandbox on a loop of its own (a thread), so that the program's client can use
# one asyncio.run() after another. Run with every warning an error, so that an
# unclosed session's ResourceWarning shows on stderr.
PROGRAM = """
import asyncio, threading
import vapay
from vapay.sandbox import Sandbox

ready, box = threading.Event(), {}

async def serve():
    async with Sandbox(accounts=2) as sandbox:
        box.update(sandbox=sandbox, loop=asyncio.get_running_loop(), stop=asyncio.Event())
        ready.set()
        await box["stop"].wait()

server = threading.Thread(target=asyncio.run, args=(serve(),))
server.start()
ready.wait()
sandbox = box["sandbox"]
first, second = (a.id for a in sandbox.state.accounts)
"""


def run_program(body: str) -> subprocess.CompletedProcess[str]:
    """PROGRAM then *body*, then the sandbox stopped; run with -W error."""
    stop = '\nbox["loop"].call_soon_threadsafe(box["stop"].set)\nserver.join()\n'
    return subprocess.run(  # noqa: S603 - our own program
        [sys.executable, "-W", "error", "-c", PROGRAM + textwrap.dedent(body) + stop],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_client_works_across_two_asyncio_runs_without_warnings() -> None:
    """Each asyncio.run() gets its own session; none is left unclosed, nothing is printed."""
    result = run_program(
        """
        client = vapay.Client(**sandbox.client_options())
        print(asyncio.run(client.accounts.get(first)).id == first)
        print(asyncio.run(client.accounts.get(second)).id == second)
        asyncio.run(client.close())
        print(client)
        """
    )

    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:2] == ["True", "True"]
    assert lines[2].endswith(" closed>")


def test_a_client_left_open_at_the_end_of_asyncio_run_warns_nothing() -> None:
    """A client never closed has its session closed as asyncio.run() shuts its loop."""
    result = run_program(
        """
        async def main():
            client = vapay.Client(**sandbox.client_options())
            return (await client.accounts.get(first)).id

        print(asyncio.run(main()) == first)
        """
    )

    assert (result.stdout, result.stderr) == ("True\n", "")


async def test_a_client_used_from_a_second_running_loop_says_to_make_one_per_loop(
    sandbox: Sandbox,
) -> None:
    """While its loop runs, a client refuses a call from another loop, before any I/O."""
    errors: list[BaseException] = []

    def from_another_loop(client: vapay.Client) -> None:
        try:
            asyncio.run(client.accounts.get(sandbox.state.accounts[0].id))
        except RuntimeError as err:
            errors.append(err)

    async with vapay.Client(**sandbox.client_options()) as client:
        await client.accounts.get(sandbox.state.accounts[0].id)
        requests = len(sandbox.state.requests)
        thread = threading.Thread(target=from_another_loop, args=(client,))
        thread.start()
        await asyncio.to_thread(thread.join)

    (error,) = errors
    assert "opened its connections in another event loop, which is still running" in str(error)
    assert "Create one client per event loop" in str(error)
    assert len(sandbox.state.requests) == requests


async def test_a_closed_client_stays_closed(sandbox: Sandbox) -> None:
    """Closing is final, whatever loop comes next."""
    client = vapay.Client(**sandbox.client_options())
    await client.accounts.get(sandbox.state.accounts[0].id)
    await client.close()

    with pytest.raises(RuntimeError, match="the client has been closed"):
        await client.accounts.get(sandbox.state.accounts[0].id)


def test_a_client_with_a_rate_limit_works_across_two_asyncio_runs() -> None:
    """The in-process budget's turns are per loop: a second asyncio.run() works. (Review.)"""
    result = run_program(
        """
        client = vapay.Client(**sandbox.client_options(), rate_limit=vapay.RateLimit(per_second=50))

        async def burst():
            await asyncio.gather(*[client.accounts.get(first) for _ in range(5)])
            return "ok"

        for _ in range(2):
            try:
                print(asyncio.run(burst()))
            except Exception as err:
                print(type(err).__name__, err)
        asyncio.run(client.close())
        """
    )

    assert result.stdout.splitlines() == ["ok", "ok"], result.stdout + result.stderr


def test_a_token_request_left_by_a_closed_loop_does_not_break_the_client() -> None:
    """A token request pending when its loop closed is dropped; the next loop asks again."""
    result = run_program(
        """
        client = vapay.Client(**sandbox.client_options())
        box["loop"].call_soon_threadsafe(sandbox.delay_next, 0.5, 1, "token")
        import time; time.sleep(0.1)
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(asyncio.wait_for(client.accounts.get(first), 0.1))
        except asyncio.TimeoutError:
            pass
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        try:
            print(asyncio.run(client.accounts.get(first)).id == first)
        except Exception as err:
            print(type(err).__name__, err)
        asyncio.run(client.close())
        """
    )

    assert result.stdout.splitlines()[:1] == ["True"], result.stdout + result.stderr
