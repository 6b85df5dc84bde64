"""Verify and decode the gateway's callbacks: pure functions over bytes and headers.

    event = vapay.webhooks.verify(
        raw_body, request.headers, endpoint="/hooks/va?source=prod", secrets=[client_secret]
    )

No client, no network, no event loop: call it from any framework's handler with
the body's bytes exactly as received and the request's headers (a dict,
aiohttp's, Starlette's: names are matched in any case). The checks run in this
order, and each refusal is a `vapay.WebhookVerificationError` whose `.reason`
names the check:

1. `missing_header`: `X-Signature`, `X-Timestamp` or `Authorization: Bearer ...`
   is absent or empty (and `X-PARTNER-ID`, when *secrets* is keyed by it). The
   dashboard's "Test" button sends an unsigned body: it ends here; `parse` reads it.
2. `bad_timestamp`: `X-Timestamp` is not a whole number of Unix seconds.
3. `bad_signature`: no candidate secret signed the normalized body, nor the raw
   body (compared in constant time).
4. `expired`: signed, but more than *tolerance* seconds from *now*, either way.
5. `bad_body`: the signed body is not a JSON object (not UTF-8 or JSON, larger
   than `MAX_BODY_BYTES`, deeper than 64 levels, a repeated key, a lone
   surrogate, a number past a double's range), or a known event's fields are not
   their documented types.

Messages say the same in words and never hold a secret, a token or a signature.
"""

from __future__ import annotations

import hmac
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeAlias

import attrs

from vapay import _webhook_signing as _signing
from vapay._convert import DecodeError
from vapay._errors import WebhookVerificationError
from vapay._events import Event, event_from
from vapay._seen import MemorySeenStore, SeenStore
from vapay._webhook_signing import MAX_BODY_BYTES, BodyError

__all__ = [
    "DEFAULT_TOLERANCE",
    "MAX_BODY_BYTES",
    "Event",
    "MemorySeenStore",
    "Secrets",
    "SeenStore",
    "parse",
    "verify",
]

DEFAULT_TOLERANCE = 300
"""Seconds an `X-Timestamp` may be from now, either way (the gateway's documented window)."""

Secrets: TypeAlias = Sequence[str] | Mapping[str, Sequence[str]]
"""Candidate secrets: a sequence, or a mapping from `X-PARTNER-ID` to that credential's."""

# Digits only (no sign, no spaces, no other scripts' digits); 15 is ample for seconds.
_TIMESTAMP = re.compile(r"[0-9]{1,15}")


@attrs.frozen
class _Delivery:
    signature: str = attrs.field(repr=False)
    timestamp: str
    token: str = attrs.field(repr=False)
    partner_id: str | None = attrs.field(repr=False)


def verify(
    raw_body: bytes,
    headers: Mapping[str, str],
    *,
    endpoint: str,
    secrets: Secrets,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Event:
    """Check that the gateway signed this delivery recently, and decode its event.

    Args:
        raw_body: the request body, the bytes exactly as received (not re-encoded JSON).
        headers: the request headers; names in any case.
        endpoint: the path and query of the callback URL as registered with the
            gateway (`/hooks/va?source=prod`), which the signature covers.
        secrets: the candidate secrets, each tried in turn: the client secret of
            every credential whose accounts may be paid into (the gateway signs
            with the account owner's, not always the caller's), and any "HMAC
            validation key". Or a mapping from `X-PARTNER-ID` to that
            credential's candidates. One string is one candidate.
        tolerance: seconds the `X-Timestamp` may be from *now*, either way.
        now: Unix seconds to check the window against (default: the clock).

    Returns:
        The event: `VATransactionEvent`, `SettlementEvent`, `ExpirationEvent`,
        or `UnknownEvent` for any other.

    Raises:
        WebhookVerificationError: the delivery is refused; `.reason` says which
            check failed (see the module's docstring for the order).
        ValueError: *secrets* holds no candidate, or an empty one; *tolerance*
            is negative or not finite.
        TypeError: *raw_body* is not bytes (decoded text may differ from what
            was signed).
    """
    body = _as_bytes(raw_body)
    if not (tolerance >= 0 and math.isfinite(tolerance)):
        raise ValueError(f"tolerance must be a non-negative number of seconds, got {tolerance}")
    delivery = _read_headers(headers, partner_id_needed=isinstance(secrets, Mapping))
    candidates = _candidates(secrets, delivery.partner_id)
    if not candidates:
        raise WebhookVerificationError(
            "the signature does not match: no secret is configured for this X-PARTNER-ID",
            reason="bad_signature",
        )
    try:
        normalized = _signing.normalize(body)
    except BodyError:
        normalized = []  # no normalized form: only the raw bytes can be signed
    # The raw bytes are the documented fallback: some senders sign them as sent.
    signed = [*dict.fromkeys([*normalized, body])]
    if not _signed_by_any(delivery, endpoint, signed, candidates):
        raise WebhookVerificationError(
            "the signature does not match: no candidate secret signed this body for this "
            "endpoint, token and timestamp",
            reason="bad_signature",
        )
    _check_window(int(delivery.timestamp), tolerance, time.time() if now is None else now)
    return parse(body)


def parse(raw_body: bytes) -> Event:
    """Decode a callback body into its event, with no check that the gateway sent it.

    For tests, tools, and the dashboard's unsigned "Test" body (an
    `UnknownEvent` whose `event` is None): never act on what an unverified
    request says.

    Args:
        raw_body: the request body as received.

    Returns:
        The event, as `verify` returns it.

    Raises:
        WebhookVerificationError: with reason `"bad_body"`, as `verify` would.
    """
    try:
        body = _signing.load(_as_bytes(raw_body))
    except BodyError as err:
        raise WebhookVerificationError(str(err), reason="bad_body") from None
    try:
        return event_from(body)
    except DecodeError as err:
        raise WebhookVerificationError(str(err), reason="bad_body") from None


def _as_bytes(raw_body: bytes) -> bytes:
    if isinstance(raw_body, (bytes, bytearray, memoryview)):
        return bytes(raw_body)
    raise TypeError(
        f"raw_body must be the request body's bytes as received, not {type(raw_body).__name__}"
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # A plain dict matches names exactly; aiohttp's and Starlette's ignore case.
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _read_headers(headers: Mapping[str, str], *, partner_id_needed: bool) -> _Delivery:
    signature = _header(headers, "X-Signature")
    timestamp = _header(headers, "X-Timestamp")
    authorization = _header(headers, "Authorization")
    partner_id = _header(headers, "X-PARTNER-ID")
    wanted = {"X-Signature": signature, "X-Timestamp": timestamp, "Authorization": authorization}
    if partner_id_needed:
        wanted["X-PARTNER-ID"] = partner_id
    missing = [name for name, value in wanted.items() if value is None]
    if signature is None or timestamp is None or authorization is None or missing:
        hint = " (an unsigned body, like the dashboard's test: see parse())"
        unsigned = signature is None and timestamp is None and authorization is None
        plural = "s" if len(missing) > 1 else ""
        raise WebhookVerificationError(
            f"the delivery has no {', '.join(missing)} header{plural}{hint if unsigned else ''}",
            reason="missing_header",
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise WebhookVerificationError(
            "the delivery's Authorization header holds no Bearer token", reason="missing_header"
        )
    if not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookVerificationError(
            "X-Timestamp is not a whole number of Unix seconds", reason="bad_timestamp"
        )
    return _Delivery(signature, timestamp, token.strip(), partner_id)


def _candidates(secrets: Secrets, partner_id: str | None) -> list[str]:
    # Checked at run time too: os.environ.get() gives None or "" for a missing variable.
    found: object
    if isinstance(secrets, str) or secrets is None:
        found = [secrets]
    elif isinstance(secrets, Mapping):
        found = secrets.get(partner_id, ()) if partner_id is not None else ()
        found = [found] if isinstance(found, str) or found is None else found
    else:
        found = secrets
    if not isinstance(found, Iterable):
        raise ValueError(
            f"secrets must be strings, or a mapping to strings, not {type(found).__name__}"
        )
    checked: list[object] = list(found)
    if not all(isinstance(secret, str) and secret for secret in checked):
        # An empty key would let anyone sign: it is a missing variable, not a secret.
        raise ValueError("every candidate secret must be a non-empty string")
    if not checked and not isinstance(secrets, Mapping):
        raise ValueError("secrets holds no candidate secret")
    return [str(secret) for secret in checked]


def _signed_by_any(
    delivery: _Delivery, endpoint: str, bodies: list[bytes], candidates: list[str]
) -> bool:
    received = delivery.signature.lower().encode("utf-8", "surrogateescape")
    for body in bodies:
        for secret in candidates:
            expected = _signing.sign(
                secret,
                endpoint=endpoint,
                token=delivery.token,
                body=body,
                timestamp=delivery.timestamp,
            )
            if hmac.compare_digest(expected.encode("ascii"), received):
                return True
    return False


def _check_window(timestamp: int, tolerance: float, now: float) -> None:
    age = now - timestamp
    if abs(age) <= tolerance:
        return
    when = f"{age:.0f} s before now" if age > 0 else f"{-age:.0f} s after now"
    raise WebhookVerificationError(
        f"X-Timestamp is {when}, outside the {tolerance:g} s window"
        + (" (is this machine's clock right?)" if age < 0 else ""),
        reason="expired",
    )
