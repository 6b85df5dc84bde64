"""What a bearer token is, and when it is fresh enough to send."""

from __future__ import annotations

import attrs

# Peers refresh 60 s before expiry; a short-lived token gets at most half its life.
DEFAULT_REFRESH_MARGIN = 60.0


@attrs.frozen(kw_only=True)
class Token:
    """A bearer token.

    Attributes:
        access_token: the secret itself (never shown in `repr`).
        token_type: "Bearer".
        expires_in: its lifetime in seconds when issued, or None when unknown
            (then it is used until the API answers 401).
        issued_at: `time.monotonic()` when it was received.
    """

    access_token: str = attrs.field(repr=False)
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: float | None = None
    issued_at: float = 0.0


def refresh_margin(expires_in: float, preferred: float = DEFAULT_REFRESH_MARGIN) -> float:
    """How long before expiry to refresh: *preferred*, but never over half the life."""
    return min(preferred, expires_in / 2)


def is_fresh(token: Token, *, now: float, margin: float = DEFAULT_REFRESH_MARGIN) -> bool:
    """Whether *token* may still be used at monotonic time *now*."""
    if token.expires_in is None:
        return True
    return now < token.issued_at + token.expires_in - refresh_margin(token.expires_in, margin)
