"""Token stores: where the default token provider keeps its token, for one process or many.

A store is a small key-value store with a TTL, a compare-and-delete and a lock, over
text values it does not interpret. The provider decides what goes in (the token and
its expiry, `encode_token`), under which key (`token_key`: the base URL and a hash
of the client id, never a secret), and how to wait for the lock. `MemoryTokenStore`
is the default; `vapay.RedisTokenStore` shares one token between processes.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import attrs
from yarl import URL


@runtime_checkable
class TokenStore(Protocol):
    """Where the default provider keeps its access token (`Client(token_store=...)`).

    Every method may be called from many tasks at once. A store that cannot reach
    its backend should degrade rather than raise: `get` returns None, `set` and
    `delete_if` do nothing, `lock` grants the lock (each process then fetches its
    own token, which is what a process without a store does).

    Attributes:
        lock_wait: seconds a process waits for another's token request before it
            asks on its own; None for the provider's default (longer than a token
            request may take, and than a dead holder's lock lives).
    """

    lock_wait: float | None

    async def get(self, key: str) -> str | None:
        """The value under *key*, or None."""
        ...

    async def set(self, key: str, value: str, *, ttl: float) -> None:
        """Store *value* under *key* for *ttl* seconds."""
        ...

    async def delete_if(self, key: str, value: str) -> bool:
        """Delete *key* only if it still holds *value*; whether it did."""
        ...

    async def lock(self, key: str, *, ttl: float) -> str | None:
        """Take the lock named after *key* for at most *ttl* seconds, without waiting.

        Returns an owner token to pass to `unlock`, or None when someone holds it.
        """
        ...

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lock of *key* if *owner* still holds it."""
        ...


class MemoryTokenStore:
    """A token store in this process's memory: the default.

    Clients of one process that share an instance share one token. Use
    `vapay.RedisTokenStore` to share it between processes.
    """

    lock_wait: float | None = None

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, tuple[str, float]] = {}

    async def get(self, key: str) -> str | None:
        """The value under *key*, or None once its TTL has passed."""
        return _live(self._values, key, self._clock())

    async def set(self, key: str, value: str, *, ttl: float) -> None:
        """Store *value* under *key* for *ttl* seconds."""
        self._values[key] = (value, self._clock() + ttl)

    async def delete_if(self, key: str, value: str) -> bool:
        """Delete *key* only if it holds *value*."""
        if _live(self._values, key, self._clock()) != value:
            return False
        del self._values[key]
        return True

    async def lock(self, key: str, *, ttl: float) -> str | None:
        """The lock of *key* for *ttl* seconds, or None when it is held."""
        now = self._clock()
        if _live(self._locks, key, now) is not None:
            return None
        owner = secrets.token_hex(8)
        self._locks[key] = (owner, now + ttl)
        return owner

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lock of *key* if *owner* holds it."""
        if _live(self._locks, key, self._clock()) == owner:
            del self._locks[key]

    def __repr__(self) -> str:
        return f"<MemoryTokenStore keys={len(self._values)}>"


def _live(entries: dict[str, tuple[str, float]], key: str, now: float) -> str | None:
    entry = entries.get(key)
    if entry is None:
        return None
    if now < entry[1]:
        return entry[0]
    del entries[key]
    return None


def token_key(base_url: URL, client_id: str, version: str) -> str:
    """The store key of a client's token: its API and a hash of its client id.

    The client id is hashed so that keys listed in a shared store name no
    credential; the secret never takes part.
    """
    digest = hashlib.sha256(client_id.encode()).hexdigest()[:24]
    return f"token:{base_url}:{version}:{digest}"


@attrs.frozen(kw_only=True)
class StoredToken:
    """A token as stored: wall-clock times, so that any process can read it.

    Attributes:
        access_token: the token.
        expires_in: its lifetime in seconds, or None when unknown.
        issued_at: Unix time when it was issued.
    """

    access_token: str = attrs.field(repr=False)
    expires_in: float | None
    issued_at: float


def encode_token(token: StoredToken) -> str:
    """The value a store holds: the token and its expiry, nothing else."""
    return json.dumps(
        {
            "access_token": token.access_token,
            "expires_in": token.expires_in,
            "issued_at": token.issued_at,
        },
        separators=(",", ":"),
    )


def decode_token(value: str) -> StoredToken | None:
    """The token in a store's *value*; None for anything else (then it is refetched)."""
    try:
        data = json.loads(value)
        access_token = data["access_token"]
        expires_in = None if data["expires_in"] is None else float(data["expires_in"])
        issued_at = float(data["issued_at"])
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(access_token, str) or not math.isfinite(issued_at):
        return None
    return StoredToken(access_token=access_token, expires_in=expires_in, issued_at=issued_at)
