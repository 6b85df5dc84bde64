"""A Redis client made under an earlier event loop never fails an API call."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from redis_server import RedisServer

INTEGRATION = Path(__file__).parent.parent / "integration"


def test_a_redis_client_from_an_earlier_loop_falls_back_and_calls_succeed(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DESIGN's module-level Redis client and one asyncio.run() per job: calls go on. (Review.)"""
    monkeypatch.setenv("REVIEW_REDIS_URL", redis_server.url)
    program = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(INTEGRATION)!r})
        from test_event_loops import run_program
        result = run_program('''
        import os
        import redis.asyncio as redis
        r = redis.Redis.from_url(os.environ["REVIEW_REDIS_URL"])
        client = vapay.Client(
            **sandbox.client_options(), rate_limit=vapay.RedisRateLimit(r, per_second=100)
        )
        for _ in range(3):
            try:
                print(asyncio.run(client.accounts.get(first)).id == first)
            except Exception as err:
                print(type(err).__name__, err)
        ''')
        print(result.stdout, end="")
        """
    )

    result = subprocess.run(  # noqa: S603 - our own program
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=90, check=False
    )

    assert result.stdout.splitlines() == ["True", "True", "True"], result.stdout + result.stderr
