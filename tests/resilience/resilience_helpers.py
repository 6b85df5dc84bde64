"""Helpers shared by the resilience suite: clients wired to a sandbox, and run sizes.

Sizes: `VAPAY_SOAK_SCALE` multiplies the soak's data (1 in CI: about 3,000 virtual
accounts; 10: about 30,000), `VAPAY_FUZZ_EXAMPLES` sets the examples per fuzz test
(200 in CI; 20000 for a long local run).
"""

from __future__ import annotations

import os

from sdk_clients import client_for

__all__ = ["client_for", "env_number"]


def env_number(name: str, default: float) -> float:
    """A positive number from the environment variable *name*, else *default*."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = float(raw)
    if not value > 0:
        raise ValueError(f"{name} must be a positive number, got {raw!r}")
    return value
