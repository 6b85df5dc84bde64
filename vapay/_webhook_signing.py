"""The gateway's callback signature (MONEY-IN.md §5): one implementation for verifying and sending.

    StringToSign = "POST:" + endpoint + ":" + token + ":" + sha256_hex(body) + ":" + timestamp
    X-Signature  = lowercase hex HMAC-SHA512(key=secret, message=StringToSign)

*endpoint* is the path and query of the registered callback URL, *token* the
`Authorization` value after `Bearer `, and *body* the normalized JSON of the
delivery (`normalize`): object keys sorted by their UTF-8 bytes at every depth,
lists in order, compact separators, non-ASCII characters and `/` unescaped.

`vapay.webhooks.verify` checks deliveries with these functions, and the sandbox
signs the ones it sends with `signed_headers`, so the two cannot drift apart.
Everything here is pure: bytes and strings in, bytes and strings out.

Bodies are read strictly (`load`), since a body is attacker-controlled until its
signature is checked: at most `MAX_BODY_BYTES`, UTF-8, one JSON object, no
duplicate keys, no NaN or Infinity, numbers within a double's range, at most
`MAX_DEPTH` levels deep, no lone surrogates. Anything else is a `BodyError`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from decimal import Decimal

from vapay._numbers import MAX_EXPONENT, NumberOutOfRangeError, decimal_from_text

# The gateway's events are a few kilobytes; aiohttp's default request limit
# (client_max_size) is the same 1 MiB, so a handler on it never sees more.
MAX_BODY_BYTES = 1024 * 1024
# Events nest five levels; the bound keeps the recursive encoder far from
# Python's recursion limit whatever the body.
MAX_DEPTH = 64
USER_AGENT = "SingaPaymentGateway/1.0"
# An integer of more digits is past a double's range (1.8E+308 has 309).
_MAX_INTEGER_DIGITS = MAX_EXPONENT + 1


class BodyError(ValueError):
    """A body the gateway cannot have sent: not JSON, too large, too deep, ..."""


class JsonFraction:
    """A JSON number with a fraction or an exponent: its text as sent, and its exact value."""

    __slots__ = ("text", "value")

    def __init__(self, text: str) -> None:
        self.text = text
        self.value: Decimal = decimal_from_text(text)

    def __repr__(self) -> str:
        return f"JsonFraction({self.text!r})"


def _fraction(text: str) -> JsonFraction:
    return JsonFraction(text)


def _integer(text: str) -> int:
    # Before int(): a 4,000-digit integer costs quadratic time to convert.
    if len(text.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise NumberOutOfRangeError(f"an integer of {len(text)} characters")
    return int(text)


def _constant(name: str) -> object:
    raise BodyError(f"the body holds {name}, which is not JSON")


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # Python and PHP keep the last of duplicate keys, other parsers the first:
    # the gateway's encoder never writes two, so a body with them is refused
    # rather than read one way here and another way elsewhere.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise BodyError("the body repeats a key in one object")
    return result


def load(raw_body: bytes) -> dict[str, object]:
    """*raw_body* as a JSON object, read strictly (see the module's docstring).

    Integers are `int`; numbers with a fraction or an exponent are `JsonFraction`,
    which keeps the text for `normalize` and the exact `Decimal` for decoding.

    Raises:
        BodyError: what is wrong with the body, in words that quote none of it.
    """
    if len(raw_body) > MAX_BODY_BYTES:
        raise BodyError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("the body is not UTF-8 text") from None
    try:
        tree = json.loads(
            text,
            parse_float=_fraction,
            parse_int=_integer,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except RecursionError:
        raise BodyError(f"the body is nested deeper than {MAX_DEPTH} levels") from None
    except BodyError:
        raise
    except NumberOutOfRangeError as err:
        raise BodyError(f"the body holds a number out of range ({err})") from None
    except ValueError as err:  # json.JSONDecodeError: its message quotes no text
        raise BodyError(f"the body is not JSON ({err})") from None
    if not isinstance(tree, dict):
        raise BodyError(f"the body is JSON but not an object (a {_kind(tree)})")
    _check_depth_and_text(tree)
    return tree


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return "literal" if value is None or isinstance(value, bool) else "number"


def _check_depth_and_text(tree: dict[str, object]) -> None:
    # Iterative: the point is to refuse what would recurse too far.
    stack: list[tuple[object, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_DEPTH:
                raise BodyError(f"the body is nested deeper than {MAX_DEPTH} levels")
            for key, value in node.items():
                _check_text(key)
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            if depth > MAX_DEPTH:
                raise BodyError(f"the body is nested deeper than {MAX_DEPTH} levels")
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, str):
            _check_text(node)


def _check_text(text: str) -> None:
    # An escaped lone surrogate ("\ud800") decodes to a str that no UTF-8 can
    # hold: neither the gateway's signature nor a database could carry it.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BodyError("the body holds a lone surrogate (\\ud800-\\udfff)") from None


def exact(value: object) -> object:
    """A loaded body (or part of it) with every `JsonFraction` as its exact `Decimal`."""
    if isinstance(value, dict):
        return {key: exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [exact(item) for item in value]
    if isinstance(value, JsonFraction):
        return value.value
    return value


def normalize(tree: dict[str, object]) -> list[bytes]:
    """The normalized forms of a loaded body, to hash and sign; one or two.

    The first keeps every number's JSON text; the second, only where it
    differs, prints fractions as the gateway's PHP does, the shortest text that
    reads back as the same double (`1.50` -> `1.5`, `1E5` -> `100000.0`).
    Integers print as integers in both.
    """
    as_sent = _encode(tree, lambda number: number.text)
    reprinted = _encode(tree, lambda number: repr(float(number.value)))
    return [as_sent] if reprinted == as_sent else [as_sent, reprinted]


def _encode(tree: dict[str, object], fraction: Callable[[JsonFraction], str]) -> bytes:
    parts: list[str] = []
    _write(tree, parts, fraction)
    return "".join(parts).encode("utf-8")


# Escapes only '"', '\' and control characters: non-ASCII and '/' stay literal.
_string = json.encoder.encode_basestring
_LITERALS = {True: "true", False: "false", None: "null"}


def _write(value: object, out: list[str], fraction: Callable[[JsonFraction], str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        # UTF-8 byte order is code point order (surrogates are refused by `load`).
        for index, key in enumerate(sorted(value)):
            out.append(f",{_string(key)}:" if index else f"{_string(key)}:")
            _write(value[key], out, fraction)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out, fraction)
        out.append("]")
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is None or isinstance(value, bool):
        out.append(_LITERALS[value])
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, JsonFraction):
        out.append(fraction(value))
    else:  # pragma: no cover - `load` makes nothing else
        raise TypeError(f"not a loaded JSON value: {type(value).__name__}")


def body_hash(body: bytes) -> str:
    """Lowercase hex SHA-256 of *body*."""
    return hashlib.sha256(body).hexdigest()


def string_to_sign(*, endpoint: str, token: str, body: bytes, timestamp: int | str) -> str:
    """`POST:{endpoint}:{token}:{sha256_hex(body)}:{timestamp}`; *body* as hashed."""
    return f"POST:{endpoint}:{token}:{body_hash(body)}:{timestamp}"


def sign(secret: str, *, endpoint: str, token: str, body: bytes, timestamp: int | str) -> str:
    """The lowercase hex HMAC-SHA512 signature of one delivery of *body* with *secret*."""
    message = string_to_sign(endpoint=endpoint, token=token, body=body, timestamp=timestamp)
    # surrogateescape: header values a server decoded that way get their bytes back.
    return hmac.new(
        secret.encode("utf-8"), message.encode("utf-8", "surrogateescape"), hashlib.sha512
    ).hexdigest()


def new_token() -> str:
    """A random per-delivery token, 32 hex digits as the gateway sends."""
    return secrets.token_hex(16)


def signed_headers(
    body: bytes,
    *,
    endpoint: str,
    secret: str,
    api_key: str,
    timestamp: int,
    token: str | None = None,
) -> dict[str, str]:
    """The headers the gateway sends with *body*, signed over its normalized form.

    Args:
        body: the JSON body to deliver, as sent.
        endpoint: the path and query of the callback URL, as registered.
        secret: the client secret of the credential that owns the account.
        api_key: that credential's API key (`X-PARTNER-ID`).
        timestamp: Unix seconds (`X-Timestamp`).
        token: the per-delivery `Bearer` token; a new random one by default.

    Returns:
        `Content-Type`, `X-PARTNER-ID`, `X-Timestamp`, `Authorization`,
        `X-Signature` and `User-Agent`.

    Raises:
        BodyError: *body* is not a JSON object `load` accepts.
    """
    token = new_token() if token is None else token
    normalized = normalize(load(body))[0]
    signature = sign(secret, endpoint=endpoint, token=token, body=normalized, timestamp=timestamp)
    return {
        "Content-Type": "application/json",
        "X-PARTNER-ID": api_key,
        "X-Timestamp": str(timestamp),
        "Authorization": f"Bearer {token}",
        "X-Signature": signature,
        "User-Agent": USER_AGENT,
    }
