"""GCRA cases as literals, shared by the Python decisions' tests and the Redis script's."""

from __future__ import annotations

import pytest

# (tat, now, interval, burst, max_wait) -> (wait, new tat), or None
RESERVATIONS = [
    pytest.param((0.0, 100.0, 0.1, 1, 5.0), (0.0, 100.1), id="idle-goes-now"),
    pytest.param((100.1, 100.0, 0.1, 1, 5.0), (0.1, 100.2), id="next-slot-one-interval-on"),
    pytest.param((100.5, 100.0, 0.1, 1, 5.0), (0.5, 100.6), id="queued-behind-five"),
    pytest.param((100.5, 100.0, 0.1, 1, 0.4), None, id="past-max-wait-refused"),
    pytest.param((100.5, 100.0, 0.1, 1, 0.5), (0.5, 100.6), id="at-max-wait-granted"),
    pytest.param((100.2, 100.0, 0.1, 3, 5.0), (0.0, 100.3), id="burst-absorbs-two"),
    pytest.param((100.3, 100.0, 0.1, 3, 5.0), (0.1, 100.4), id="burst-spent"),
    pytest.param((50.0, 100.0, 0.1, 3, 0.0), (0.0, 100.1), id="long-idle-is-not-credit"),
]

# (tat, now, interval, burst, seconds) -> new tat
PAUSES = [
    pytest.param((0.0, 100.0, 0.1, 1, 2.0), 102.0, id="idle"),
    pytest.param((105.0, 100.0, 0.1, 1, 2.0), 105.0, id="already-later"),
    pytest.param((0.0, 100.0, 0.1, 3, 2.0), 102.2, id="burst-spent-too"),
]
