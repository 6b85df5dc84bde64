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

Bodies are read twice over. `normalize` runs on every delivery, signed or
forged, so it reads leniently and at the json module's C speed (about 0.2 s for
a hostile 1 MiB body on one core, where a Python call per value cost 1 s): it
refuses only what it cannot normalize. `load` runs once the signature holds, and reads strictly: at
most `MAX_BODY_BYTES`, UTF-8, one JSON object, no duplicate keys, no NaN or
Infinity, numbers within a double's range and exact (`Decimal`), at most
`MAX_DEPTH` levels, no lone surrogates. What either refuses is a `BodyError`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from decimal import Decimal

from vapay._numbers import MAX_EXPONENT, NumberOutOfRangeError, decimal_from_text

# The gateway's events are a few kilobytes; aiohttp's default request limit
# (client_max_size) is the same 1 MiB, so a handler on it never sees more.
MAX_BODY_BYTES = 1024 * 1024
# Events nest five levels; `load` refuses deeper bodies (counted without recursion).
MAX_DEPTH = 64
USER_AGENT = "SingaPaymentGateway/1.0"
# An integer of more digits is past a double's range (1.8E+308 has 309).
_MAX_INTEGER_DIGITS = MAX_EXPONENT + 1


class BodyError(ValueError):
    """A body the gateway cannot have sent: not JSON, too large, too deep, ..."""


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


def _text(raw_body: bytes) -> str:
    if len(raw_body) > MAX_BODY_BYTES:
        raise BodyError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return raw_body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("the body is not UTF-8 text") from None


def load(raw_body: bytes) -> dict[str, object]:
    """*raw_body* as a JSON object, read strictly (see the module's docstring).

    Numbers with a fraction or an exponent are exact `Decimal`s, as
    `_envelope.loads` reads REST bodies.

    Raises:
        BodyError: what is wrong with the body, in words that quote none of it.
    """
    text = _text(raw_body)
    try:
        tree = json.loads(
            text,
            parse_float=decimal_from_text,
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


def normalize(raw_body: bytes) -> list[bytes]:
    """The normalized forms of *raw_body*, to hash and sign; one or two.

    Keys sorted at every depth, lists in order, compact, non-ASCII and `/`
    literal. The first form keeps every number's JSON text; the second, only
    where it differs, prints fractions as the gateway's PHP does, the shortest
    text that reads back as the same double (`1.50` -> `1.5`, `1E5` ->
    `100000.0`). Integers print as integers in both.

    Raises:
        BodyError: the body cannot be normalized (not UTF-8 or JSON, too large
            or deep, NaN, a lone surrogate). Duplicate keys are not refused
            here (the last one wins, as in PHP): `load` refuses them.
    """
    text = _text(raw_body)
    # Fractions become strings that no body can spell (a new random marker each
    # time, then the number's text); the C encoder does the rest, and only these
    # are replaced, by the text as sent or by the shortest double. The marker's
    # own `__add__` is the hook: no Python call per number.
    marker = f"\x00{secrets.token_hex(8)}:"
    try:
        tree = json.loads(text, parse_float=marker.__add__, parse_constant=_constant)
        encoded = json.dumps(tree, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    except RecursionError:
        raise BodyError("the body is nested too deeply to normalize") from None
    except BodyError:
        raise
    except ValueError as err:  # json.JSONDecodeError, or Python's integer digit limit
        raise BodyError(f"the body is not JSON ({err})") from None
    # Split at the placeholders: text, number, text, number, ..., text.
    parts = re.split(re.escape(json.dumps(marker)[:-1]) + r'([-+.0-9eE]+)"', encoded)
    as_sent = parts[1::2]
    if not as_sent:
        return [_utf8(encoded)]
    shortest = list(map(repr, map(float, as_sent)))
    if shortest == as_sent or not all(map(_same_value, as_sent, shortest)):
        # The second form is for the same values written another way (`1.50`);
        # digits a double cannot hold (`275000.500000000000000001`) were never
        # signed as the double's shortest text, so they get no second form.
        return [_utf8(_joined(parts, as_sent))]
    return [_utf8(_joined(parts, as_sent)), _utf8(_joined(parts, shortest))]


def _same_value(text: str, shortest: str) -> bool:
    return text == shortest or Decimal(text) == Decimal(shortest)


def _joined(parts: list[str], numbers: list[str]) -> str:
    """*parts* (split at placeholders) with the placeholders replaced by *numbers*, in order."""
    parts = parts.copy()
    parts[1::2] = numbers
    return "".join(parts)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # An escaped lone surrogate ("\ud800") decodes to a str no UTF-8 holds.
        raise BodyError("the body holds a lone surrogate (\\ud800-\\udfff)") from None


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
    load(body)  # never sign what verify would refuse to read
    normalized = normalize(body)[0]
    signature = sign(secret, endpoint=endpoint, token=token, body=normalized, timestamp=timestamp)
    return {
        "Content-Type": "application/json",
        "X-PARTNER-ID": api_key,
        "X-Timestamp": str(timestamp),
        "Authorization": f"Bearer {token}",
        "X-Signature": signature,
        "User-Agent": USER_AGENT,
    }
