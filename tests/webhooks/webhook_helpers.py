"""The webhook tests' shared values: a signed delivery, and JSON written with exact numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import vapay
from vapay import _webhook_signing as signing
from vapay.webhooks import Event

VECTORS = json.loads(
    (Path(__file__).parent.parent / "data" / "webhook-vectors.json").read_text(encoding="utf-8")
)

SECRET = "whsec-distinctive-secret-7f3a"
OTHER_SECRET = "another-credential-secret-19c4"
API_KEY = "partner-api-key-5d21"
TOKEN = "per-delivery-token-0b8e"
ENDPOINT = "/hooks/va?source=test"
NOW = 1766730945

# The documented va-transaction event (MONEY-IN.md §5).
PAYMENT: dict[str, Any] = json.loads(VECTORS["vectors"][0]["raw_body"])
PAYMENT_BODY = json.dumps(PAYMENT).encode()


def headers_for(
    body: bytes,
    *,
    secret: str = SECRET,
    endpoint: str = ENDPOINT,
    token: str = TOKEN,
    timestamp: int = NOW,
) -> dict[str, str]:
    """The gateway's headers for *body*, signed over its normalized form."""
    return signing.signed_headers(
        body, endpoint=endpoint, secret=secret, api_key=API_KEY, timestamp=timestamp, token=token
    )


def raw_signed_headers(
    body: bytes, *, secret: str = SECRET, timestamp: int = NOW
) -> dict[str, str]:
    """Headers signed over *body*'s raw bytes: the fallback, and the only way to sign a bad body."""
    signature = signing.sign(secret, endpoint=ENDPOINT, token=TOKEN, body=body, timestamp=timestamp)
    return {
        "X-PARTNER-ID": API_KEY,
        "X-Timestamp": str(timestamp),
        "Authorization": f"Bearer {TOKEN}",
        "X-Signature": signature,
    }


def verify(body: bytes, headers: Any, **options: Any) -> Event:
    """`vapay.webhooks.verify` with the test endpoint, secret and clock unless overridden."""
    options = {"endpoint": ENDPOINT, "secrets": [SECRET], "now": NOW, **options}
    return vapay.webhooks.verify(body, headers, **options)


def dump(value: object, *, indent: int | None = None, ensure_ascii: bool = False) -> bytes:
    """*value* as JSON text, with each Decimal written as the number it spells."""
    placeholders: dict[str, str] = {}

    def swap(item: object) -> object:
        if isinstance(item, Decimal):
            marker = f"\x00decimal{len(placeholders)}\x00"
            placeholders[json.dumps(marker)] = str(item)
            return marker
        if isinstance(item, dict):
            return {key: swap(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [swap(inner) for inner in item]
        return item

    text = json.dumps(swap(value), indent=indent, ensure_ascii=ensure_ascii)
    for marker, number in placeholders.items():
        text = text.replace(marker, number)
    return text.encode()
