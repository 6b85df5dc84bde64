"""Every worked vector of webhook-vectors.json (copied from the API notes) passes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from webhook_helpers import VECTORS

import vapay
from vapay import _webhook_signing as signing

DELIVERIES: list[dict[str, Any]] = VECTORS["vectors"]
CASES: list[dict[str, Any]] = VECTORS["canonicalization"]["cases"]
VALID = [v for v in DELIVERIES if v["expected"] == "valid"]
INVALID = [v for v in DELIVERIES if v["expected"] == "invalid"]

# The file says "invalid"; which check must refuse each one follows from its description.
EXPECTED_REASONS = {
    "tampered-amount": "bad_signature",
    "wrong-endpoint": "bad_signature",
    "wrong-secret": "bad_signature",
    "stale-timestamp": "expired",
    "future-timestamp": "expired",
}


def run(vector: dict[str, Any]) -> vapay.webhooks.Event:
    options = vector["verify_with"]
    return vapay.webhooks.verify(
        vector["raw_body"].encode(),
        vector["headers"],
        endpoint=options["endpoint"],
        secrets=options["secrets"],
        tolerance=options["tolerance_seconds"],
        now=options["now"],
    )


def test_every_invalid_vector_has_an_expected_reason() -> None:
    """The reason table covers exactly the file's invalid vectors."""
    assert {v["name"] for v in INVALID} == EXPECTED_REASONS.keys()


@pytest.mark.parametrize("vector", VALID, ids=[v["name"] for v in VALID])
def test_a_valid_vector_verifies_to_its_payment(vector: dict[str, Any]) -> None:
    """A valid delivery verifies to the payment its body describes."""
    body = json.loads(vector["raw_body"])

    event = run(vector)

    assert isinstance(event, vapay.VATransactionEvent)
    assert event.transaction_id == body["data"]["transaction"]["transaction_id"]
    assert event.merchant_reff_no == body["data"]["transaction"]["reff_no"]
    assert str(event.amount.value) == str(body["data"]["transaction"]["amount"]["value"])


@pytest.mark.parametrize("vector", INVALID, ids=[v["name"] for v in INVALID])
def test_an_invalid_vector_is_refused_for_its_reason(vector: dict[str, Any]) -> None:
    """An invalid delivery is refused by the check its description names."""
    with pytest.raises(vapay.WebhookVerificationError) as caught:
        run(vector)

    assert caught.value.reason == EXPECTED_REASONS[vector["name"]]


@pytest.mark.parametrize("vector", DELIVERIES, ids=[v["name"] for v in DELIVERIES])
def test_a_vector_body_normalizes_to_its_normalized_json(vector: dict[str, Any]) -> None:
    """The first normalized form of each raw body is the vector's bytes, and its hash."""
    normalized = signing.normalize(vector["raw_body"].encode())[0]

    assert normalized == vector["normalized_json"].encode()
    assert signing.body_hash(normalized) == vector["hashed_body"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_canonicalization_case_gives_its_bytes_and_signature(case: dict[str, Any]) -> None:
    """Each normalization case gives the expected bytes, hash and signature."""
    inputs = VECTORS["canonicalization"]
    body = json.dumps(case["payload"], ensure_ascii=False, indent=2).encode()

    (normalized,) = signing.normalize(body)
    signature = signing.sign(
        inputs["secret"],
        endpoint=inputs["endpoint"],
        token=inputs["token"],
        body=normalized,
        timestamp=inputs["timestamp"],
    )

    assert normalized == case["normalized_json"].encode()
    assert signing.body_hash(normalized) == case["hashed_body"]
    assert signature == case["expected_signature"]


def test_signed_headers_reproduce_a_vectors_signature() -> None:
    """The sandbox's signing helper gives the headers of the documented delivery."""
    vector = DELIVERIES[0]

    headers = signing.signed_headers(
        vector["raw_body"].encode(),
        endpoint=VECTORS["endpoint"],
        secret=VECTORS["secret"],
        api_key=vector["headers"]["X-PARTNER-ID"],
        timestamp=VECTORS["timestamp"],
        token=VECTORS["token"],
    )

    assert headers == vector["headers"]
