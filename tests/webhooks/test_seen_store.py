"""MemorySeenStore: each key taken once, for ttl seconds, at most max_keys at a time."""

from __future__ import annotations

import pytest

from vapay.webhooks import MemorySeenStore, SeenStore


class Clock:
    """Monotonic seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(name="clock")
def _clock() -> Clock:
    return Clock()


async def test_a_key_is_taken_once(clock: Clock) -> None:
    """The first claim of a key is True, the next ones False."""
    seen = MemorySeenStore(clock=clock)

    assert [await seen.claim("T1"), await seen.claim("T1"), await seen.claim("T2")] == [
        True,
        False,
        True,
    ]


async def test_a_released_key_is_taken_again(clock: Clock) -> None:
    """After release, the same key can be claimed again."""
    seen = MemorySeenStore(clock=clock)
    await seen.claim("T1")

    await seen.release("T1")

    assert await seen.claim("T1")


async def test_releasing_an_unknown_key_is_harmless(clock: Clock) -> None:
    """Releasing a key never claimed does nothing."""
    seen = MemorySeenStore(clock=clock)

    await seen.release("never")

    assert len(seen) == 0


@pytest.mark.parametrize(
    ("elapsed", "taken_again"),
    [(59.0, False), (60.0, True), (61.0, True)],
    ids=["before-ttl", "at-ttl", "after-ttl"],
)
async def test_a_key_is_remembered_for_ttl_seconds(
    clock: Clock, elapsed: float, taken_again: bool
) -> None:
    """A key is forgotten once ttl seconds have passed."""
    seen = MemorySeenStore(ttl=60, clock=clock)
    await seen.claim("T1")

    clock.now += elapsed

    assert await seen.claim("T1") is taken_again


async def test_expired_keys_free_their_memory(clock: Clock) -> None:
    """Claiming after the ttl drops every expired key."""
    seen = MemorySeenStore(ttl=60, clock=clock)
    for key in ("T1", "T2", "T3"):
        await seen.claim(key)
    clock.now += 61

    await seen.claim("T4")

    assert len(seen) == 1


async def test_past_max_keys_the_oldest_is_forgotten(clock: Clock) -> None:
    """With max_keys=2, a third key pushes out the first."""
    seen = MemorySeenStore(max_keys=2, clock=clock)
    for key in ("T1", "T2", "T3"):
        await seen.claim(key)

    assert (len(seen), await seen.claim("T3"), await seen.claim("T1")) == (2, False, True)


@pytest.mark.parametrize(
    "options",
    [{"max_keys": 0}, {"ttl": 0}, {"ttl": -1}, {"ttl": float("inf")}, {"ttl": float("nan")}],
    ids=["no-keys", "zero-ttl", "negative-ttl", "infinite-ttl", "nan-ttl"],
)
def test_bad_bounds_are_refused(options: dict[str, float]) -> None:
    """A store that could hold nothing, or hold forever, is a ValueError."""
    with pytest.raises(ValueError, match="must be"):
        MemorySeenStore(**options)  # type: ignore[arg-type]


def test_the_memory_store_is_a_seen_store() -> None:
    """MemorySeenStore satisfies the SeenStore protocol (the seam for a shared store)."""
    store: SeenStore = MemorySeenStore()

    assert repr(store) == "<MemorySeenStore keys=0/100000 ttl=86400s>"
