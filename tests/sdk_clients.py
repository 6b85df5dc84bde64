"""Clients wired to a sandbox, shared by the integration and resilience suites."""

from __future__ import annotations

import vapay
from vapay.sandbox import Sandbox

# Retries that do not wait: the faults are the point, not the backoff.
FAST_RETRIES = vapay.RetryPolicy(initial_delay=0.001, max_delay=0.005)


def client_for(sandbox: Sandbox, **options: object) -> vapay.Client:
    """A client of *sandbox* with fast retries; *options* override any setting."""
    settings: dict[str, object] = {
        **sandbox.client_options(),
        "retry_policy": FAST_RETRIES,
        "timeout": 5.0,
    }
    settings.update(options)
    return vapay.Client(**settings)  # type: ignore[arg-type]
