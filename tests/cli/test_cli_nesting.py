"""Deeply nested JSON from the API prints as JSON, never as a traceback.

The SDK keeps `invite_members` as the raw JSON value it is; a server nesting it
900 deep (issue #13, item 14) used to crash the CLI's conversion to JSON with a
RecursionError.
"""

from __future__ import annotations

import pytest

from conftest import Run, ServeData

DEPTH = 900


def nested(depth: int) -> object:
    """`[[...["member"]...]]`, *depth* lists deep."""
    value: object = "member"
    for _ in range(depth):
        value = [value]
    return value


def printed(depth: int) -> str:
    """How `nested(depth)` prints, as the CLI writes JSON."""
    return "[" * depth + '"member"' + "]" * depth


@pytest.mark.parametrize("command", ["get", "list"])
def test_deeply_nested_members_print_as_json(run: Run, serve_data: ServeData, command: str) -> None:
    """`accounts get` and `accounts list` print members nested 900 deep as they came."""
    account = serve_data(account={"invite_members": nested(DEPTH)}, live=True).state.accounts[0]

    result = run("accounts", *(["get", account.id] if command == "get" else ["list"]))

    assert (result.code, result.err) == (0, "")
    assert f'"invite_members":{printed(DEPTH)}' in result.out
