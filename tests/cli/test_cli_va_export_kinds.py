"""Without --kind, reconcile lists every kind in one walk where the API allows it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from vapay._cli._args import build_parser
from vapay._cli._output import Streams
from vapay._cli._va_export import export_command
from vapay.sandbox import Sandbox


async def reconcile(sandbox: Sandbox, output: Path) -> dict[str, object]:
    args = build_parser().parse_args(
        ["--api-key", sandbox.api_key, "--client-id", sandbox.client_id,
         "--client-secret", sandbox.client_secret, "--base-url", sandbox.url,
         "virtual-accounts", "export", "-o", str(output)]
    )  # fmt: skip
    out = io.StringIO()
    await export_command(args, Streams(stdout=out, stderr=io.StringIO(), force_json=True))
    summary: dict[str, object] = json.loads(out.getvalue())
    return summary


async def test_the_live_api_is_walked_once_without_a_kind_filter(tmp_path: Path) -> None:
    """On the live API no kind is sent, so a kind vapay does not know is not left out."""
    async with Sandbox(accounts=3, virtual_accounts_per_account=6, live=True) as sandbox:
        summary = await reconcile(sandbox, tmp_path / "vas.jsonl")

    listed = [r for r in sandbox.state.requests if r.route == "virtual_accounts.list"]
    assert all("kind" not in r.query for r in listed)
    assert summary["virtual_accounts"] == sum(
        len(v) for v in sandbox.state.virtual_accounts.values()
    )


async def test_the_seed_api_is_walked_kind_by_kind(tmp_path: Path) -> None:
    """The seed API requires kind (422 without it): each known kind is walked in turn."""
    async with Sandbox(accounts=3, virtual_accounts_per_account=6) as sandbox:
        summary = await reconcile(sandbox, tmp_path / "vas.jsonl")

    kinds = {
        r.query.get("kind") for r in sandbox.state.requests if r.route == "virtual_accounts.list"
    }
    assert kinds == {None, "temporary", "permanent"}  # None: the one probe, refused
    assert summary["virtual_accounts"] == 18
