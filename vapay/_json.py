"""JSON parsing: orjson when the `speed` extra installed it, else the standard library.

orjson parses a page 2x faster than `json` and makes vapay's decode step about 1.3x
faster; end to end, where the network dominates, the gain is within noise
(benchmarks/README.md). Both raise a ValueError subclass on bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable

try:
    import orjson
except ImportError:  # pragma: no cover - depends on the installed extras
    loads: Callable[[bytes | str], object] = json.loads
else:
    loads = orjson.loads
