"""Issued access tokens and their expiry, on an injectable clock."""

from __future__ import annotations

import secrets
from collections.abc import Callable


def format_expires_in(ttl: float) -> str:
    """`expires_in` as the API sends it: a string, `"3600"` (or `"0.5"` if fractional)."""
    return str(int(ttl)) if float(ttl).is_integer() else repr(float(ttl))


class TokenStore:
    """Bearer tokens the sandbox has issued, each valid for *ttl* seconds."""

    def __init__(self, *, ttl: float, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self._clock = clock
        self._expires_at: dict[str, float] = {}

    def issue(self) -> str:
        """A new opaque token, valid from now for `ttl` seconds."""
        token = secrets.token_urlsafe(32)
        self._expires_at[token] = self._clock() + self.ttl
        return token

    def is_valid(self, token: str) -> bool:
        """Whether *token* was issued here and has not expired yet."""
        expires_at = self._expires_at.get(token)
        if expires_at is None:
            return False
        if self._clock() < expires_at:
            return True
        # Forget it: a long benchmark would otherwise keep every token it ever used.
        del self._expires_at[token]
        return False

    def expire_all(self) -> None:
        """Expire every token issued so far (the server revoking them early)."""
        # A token the store does not know is invalid, so forgetting them is enough.
        self._expires_at.clear()
