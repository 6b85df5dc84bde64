"""The README's fleet recipe runs: worker processes, one Redis, one sandbox (#16)."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from redis_server import RedisServer

from vapay.sandbox import Sandbox

README = Path(__file__).parent.parent.parent / "README.md"


def recipe() -> str:
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
        if "def run_shard" in b
    ]
    return block


async def test_the_fleet_recipe_lists_every_shard_with_one_token_request(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """4 spawned workers list every virtual account once, under the budget, on 1 token."""
    script = tmp_path / "fleet_recipe.py"
    script.write_text(recipe())
    async with Sandbox(accounts=8, virtual_accounts_per_account=6, seed=5) as sandbox:
        env = {
            **os.environ,
            "REDIS_URL": redis_server.url,
            **{f"VAPAY_{k.upper()}": v for k, v in sandbox.client_options().items()},
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)

    lines = out.decode().splitlines()
    assert process.returncode == 0, err.decode()
    assert lines[0].startswith("4 workers: 48 virtual accounts of 8 accounts in ")
    summary = re.fullmatch(r"(\d+) list requests, ([\d.]+)/s \(budget 40/s\)", lines[1])
    assert summary is not None, lines[1]
    requests, rate = summary.groups()
    assert int(requests) == sandbox.state.count("virtual_accounts.list") == 8 * 2
    assert float(rate) <= 40
    assert lines[2] == "token requests: 1"
    assert sandbox.state.token_requests == 1
