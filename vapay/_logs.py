"""`VAPAY_LOG`: turn on vapay's logging from the environment, as openai's `OPENAI_LOG` does.

vapay logs under the `vapay` logger and adds no handler of its own, as a library
should; `VAPAY_LOG=info` or `VAPAY_LOG=debug` adds one stderr handler (once,
however often this runs) for when you cannot change the program's logging setup.
No record ever holds a credential, a token or a body.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Mapping

LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler VAPAY_LOG installs: a type of its own, so it is installed once."""


def setup_logging(environ: Mapping[str, str] = os.environ) -> None:
    """Add a stderr handler to the `vapay` logger if `VAPAY_LOG` asks for one.

    An unknown value is ignored with a warning naming the allowed ones.
    """
    value = environ.get("VAPAY_LOG", "").strip().lower()
    if not value:
        return
    level = LEVELS.get(value)
    if level is None:
        warnings.warn(
            f"VAPAY_LOG must be one of {', '.join(map(repr, LEVELS))}, got {value!r:.20}: ignored",
            stacklevel=2,
        )
        return
    logger = logging.getLogger("vapay")
    if not any(isinstance(handler, _EnvHandler) for handler in logger.handlers):
        handler = _EnvHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
    logger.setLevel(level)
