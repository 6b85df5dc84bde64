"""Helpers shared by the resilience suite: clients wired to a sandbox, and run sizes.

Sizes: `VAPAY_SOAK_SCALE` multiplies the soak's data (1 in CI: about 3,000 virtual
accounts; 10: about 30,000), `VAPAY_FUZZ_EXAMPLES` sets the examples per fuzz test
(200 in CI; 20000 for a long local run).
"""

from __future__ import annotations

import os

import vapay
from vapay.sandbox import Sandbox

# Retries that do not wait: the faults are the point, not the backoff.
FAST_RETRIES = vapay.RetryPolicy(initial_delay=0.001, max_delay=0.005)


def env_number(name: str, default: float) -> float:
    """A positive number from the environment variable *name*, else *default*."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = float(raw)
    if not value > 0:
        raise ValueError(f"{name} must be a positive number, got {raw!r}")
    return value


def client_for(sandbox: Sandbox, **options: object) -> vapay.Client:
    """A client of *sandbox* with fast retries; *options* override any setting."""
    settings: dict[str, object] = {
        "api_key": sandbox.api_key,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "base_url": sandbox.url,
        "retry_policy": FAST_RETRIES,
        "timeout": 5.0,
    }
    settings.update(options)
    return vapay.Client(**settings)  # type: ignore[arg-type]
