"""JSON both ways with exact numbers: no amount ever passes through a binary float.

Reading, a number with a fraction or an exponent becomes a `Decimal` with the
text's exact value; writing, a `Decimal` goes out as its exact digits (the
standard library refuses it, and a float would round it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal

from vapay._numbers import decimal_from_text

# Request bodies are a handful of fields; a deeper one is a bug in the caller's data.
_MAX_DEPTH = 64
_encode_text = json.JSONEncoder(ensure_ascii=True).encode
# One decoder for every body: `json.loads(..., parse_float=...)` builds a new one per call.
_decode = json.JSONDecoder(parse_float=decimal_from_text).decode


def loads(body: bytes | str) -> object:
    """*body* as JSON, where every number with a fraction or exponent is a Decimal.

    A binary float would round an amount past 15 or so digits, and lose the scale
    of "99000.10" sent as a number; the Decimal keeps the text's exact value.

    Raises:
        NumberOutOfRangeError: a number past what a double could hold (see `_numbers`).
        ValueError: *body* is not JSON.
    """
    if isinstance(body, bytes):
        # What json.loads does with bytes: UTF-8, -16 or -32, told by the first bytes.
        text = body.decode(json.detect_encoding(body), "surrogatepass")
    else:
        text = body
        if text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _decode(text)


def dumps(value: object) -> bytes:
    """*value* as compact JSON, a `Decimal` written with its exact digits.

    Accepts what `json.dumps` accepts (str keys only) plus `Decimal`.

    Raises:
        TypeError: a value JSON cannot carry (a set, a datetime, bytes, ...).
        ValueError: NaN or an infinity, or nesting past 64 levels.
    """
    parts: list[str] = []
    _write(value, parts, 0)
    return "".join(parts).encode()


def _write(value: object, parts: list[str], depth: int) -> None:  # noqa: C901, PLR0912
    if depth > _MAX_DEPTH:
        raise ValueError(f"a JSON body nested more than {_MAX_DEPTH} levels deep")
    if value is None:
        parts.append("null")
    elif value is True or value is False:
        parts.append("true" if value else "false")
    elif isinstance(value, str):
        parts.append(_encode_text(value))
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"JSON has no number {value}")
        parts.append(str(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"JSON has no number {value}")
        parts.append(float.__repr__(value))
    elif isinstance(value, Mapping):
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, got {type(key).__name__}")
            parts.append(("," if index else "") + _encode_text(key) + ":")
            _write(item, parts, depth + 1)
        parts.append("}")
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write(item, parts, depth + 1)
        parts.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
