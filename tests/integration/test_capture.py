"""`vapay.capture_responses()`: the HTTP answers behind typed results, per task."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator

import pytest

import vapay
from vapay._capture import active
from vapay.sandbox import Sandbox


async def test_a_call_records_its_answer_beside_the_typed_result(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """One call, one record: method, path, status, headers, attempts and elapsed."""
    account_id = sandbox.state.accounts[0].id

    with vapay.capture_responses() as seen:
        account = await client.accounts.get(account_id)

    assert account.id == account_id
    (info,) = seen
    assert (info.method, info.path, info.status, info.attempts) == (
        "GET",
        f"/api/v1.0/accounts/{account_id}",
        200,
        1,
    )
    assert info.headers["content-type"].startswith("application/json")
    assert 0 < info.elapsed < 5


async def test_attempts_and_elapsed_cover_the_retries(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """A call retried twice records 3 attempts and the time of the whole call, waits included."""
    sandbox.fail_next(503, times=2, route="accounts.get", retry_after="0.1")

    with vapay.capture_responses() as seen:
        await client.accounts.get(sandbox.state.accounts[0].id)

    assert [(i.status, i.attempts) for i in seen] == [(200, 3)]
    assert seen[0].elapsed >= 0.2  # both waits of Retry-After: 0.1


async def test_a_listing_records_each_page_with_its_query(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Each page is a call of its own, its page number in `params`."""
    with vapay.capture_responses() as seen:
        await client.accounts.list(per_page=2, concurrency=3).collect()

    assert sorted(i.params["page"] for i in seen) == ["1", "2", "3"]
    assert {i.params["per_page"] for i in seen} == {"2"}


async def test_an_error_answer_is_recorded_too(client: vapay.Client) -> None:
    """A 404 raises as usual, and its answer is in the capture."""
    with vapay.capture_responses() as seen, pytest.raises(vapay.NotFoundError):
        await client.accounts.get("nope")

    assert [i.status for i in seen] == [404]


async def test_only_the_tasks_of_the_block_are_recorded(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Two tasks sharing one client each capture their own calls only."""
    first, second = sandbox.state.accounts[0].id, sandbox.state.accounts[1].id

    async def fetch(account_id: str) -> list[vapay.ResponseInfo]:
        # Both blocks are open at once: each task enters its own before its first await.
        with vapay.capture_responses() as seen:
            for _ in range(3):
                await client.accounts.get(account_id)
        return seen

    mine, theirs = await asyncio.gather(fetch(first), fetch(second))

    assert {i.path for i in mine} == {f"/api/v1.0/accounts/{first}"}
    assert {i.path for i in theirs} == {f"/api/v1.0/accounts/{second}"}
    assert len(mine) == len(theirs) == 3


async def test_calls_outside_the_block_are_not_recorded(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Before and after the block nothing is recorded; the list stays readable."""
    account_id = sandbox.state.accounts[0].id
    await client.accounts.get(account_id)

    with vapay.capture_responses() as seen:
        await client.accounts.get(account_id)
    await client.accounts.get(account_id)

    assert len(seen) == 1


async def test_blocks_nest(sandbox: Sandbox, client: vapay.Client) -> None:
    """An inner block's calls are in the outer block's list as well."""
    account_id = sandbox.state.accounts[0].id

    with vapay.capture_responses() as outer:
        await client.accounts.get(account_id)
        with vapay.capture_responses() as inner:
            await client.accounts.get(account_id)

    assert (len(outer), len(inner)) == (2, 1)
    assert outer[1] is inner[0]


async def test_a_with_options_view_is_captured_like_its_client(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """Per-call settings and capture combine: the view's calls are recorded."""
    view = client.with_options(timeout=5, headers={"X-Trace": "t-1"})

    with vapay.capture_responses() as seen:
        await view.accounts.get(sandbox.state.accounts[0].id)

    assert [i.status for i in seen] == [200]
    assert sandbox.state.requests[-1].headers["X-Trace"] == "t-1"


def test_the_record_repr_shows_no_headers() -> None:
    """repr() of a record stays short: headers are left out."""
    info = vapay.ResponseInfo(
        method="GET",
        path="/p",
        params={},
        status=200,
        headers={"Set-Cookie": "x"},
        attempts=1,
        elapsed=0.1,
    )

    assert "Set-Cookie" not in repr(info)


async def test_an_abandoned_generator_leaves_no_capture_recording(
    sandbox: Sandbox, client: vapay.Client
) -> None:
    """A block in an async generator dropped mid-way stops recording once finalized. (Review.)"""
    account_id = sandbox.state.accounts[0].id
    finalized = asyncio.Event()

    async def walk() -> AsyncIterator[object]:
        try:
            with vapay.capture_responses():
                yield await client.accounts.get(account_id)
        finally:
            finalized.set()

    walk_ = walk()
    await anext(walk_)
    del walk_
    gc.collect()
    await asyncio.wait_for(finalized.wait(), 1)

    assert active() == ()
