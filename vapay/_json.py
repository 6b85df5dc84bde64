"""JSON parsing: orjson when the `speed` extra installed it, else the standard library.

orjson parses the API's pages about a sixth faster end to end (see benchmarks/).
Both raise a ValueError subclass on bad input, so callers need not know which.
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
