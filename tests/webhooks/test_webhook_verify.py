"""verify(): the headers it reads, the secrets it tries, its window, its order, its messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from starlette.datastructures import Headers
from webhook_helpers import (
    API_KEY,
    ENDPOINT,
    NOW,
    OTHER_SECRET,
    PAYMENT_BODY,
    SECRET,
    TOKEN,
    headers_for,
    raw_signed_headers,
    verify,
)

import vapay
from vapay import _webhook_signing as signing

SIGNED = headers_for(PAYMENT_BODY)


def refusal(body: bytes, headers: Mapping[str, str], **options: Any) -> str:
    """The reason verify() refuses the delivery for."""
    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(body, headers, **options)
    return caught.value.reason


def without(name: str) -> dict[str, str]:
    return {key: value for key, value in SIGNED.items() if key != name}


# --- headers ---------------------------------------------------------------------


def cased(change: Callable[[str], str]) -> dict[str, str]:
    return {change(name): value for name, value in SIGNED.items()}


@pytest.mark.parametrize(
    "headers",
    [
        cased(str.lower),
        cased(str.upper),
        cased(lambda name: name.swapcase()),
        CIMultiDictProxy(CIMultiDict(SIGNED)),
        CIMultiDictProxy(CIMultiDict(cased(str.lower))),
        Headers(headers=SIGNED),
    ],
    ids=["dict-lower", "dict-upper", "dict-swapcase", "aiohttp", "aiohttp-lower", "starlette"],
)
def test_header_names_match_in_any_case_and_mapping(headers: Mapping[str, str]) -> None:
    """Plain dicts, aiohttp's and Starlette's headers verify, whatever the names' case."""
    event = verify(PAYMENT_BODY, headers)

    assert isinstance(event, vapay.VATransactionEvent)


@pytest.mark.parametrize(
    "headers",
    [
        without("X-Signature"),
        without("X-Timestamp"),
        without("Authorization"),
        {**SIGNED, "X-Signature": ""},
        {**SIGNED, "X-Timestamp": "   "},
        {**SIGNED, "Authorization": "Basic dXNlcjpwYXNz"},
        {**SIGNED, "Authorization": "Bearer"},
        {**SIGNED, "Authorization": "Bearer   "},
        {},
    ],
    ids=[
        "no-signature",
        "no-timestamp",
        "no-authorization",
        "empty-signature",
        "blank-timestamp",
        "basic-auth",
        "bearer-without-token",
        "bearer-blank-token",
        "no-headers",
    ],
)
def test_a_missing_header_is_refused(headers: dict[str, str]) -> None:
    """A signature header absent, empty or not of the expected kind is missing_header."""
    assert refusal(PAYMENT_BODY, headers) == "missing_header"


def test_the_partner_id_is_not_needed_with_a_list_of_secrets() -> None:
    """With plain candidates, a delivery without X-PARTNER-ID still verifies."""
    event = verify(PAYMENT_BODY, without("X-PARTNER-ID"))

    assert isinstance(event, vapay.VATransactionEvent)


def test_the_bearer_scheme_matches_in_any_case() -> None:
    """`bearer TOKEN` is the same as `Bearer TOKEN` (RFC 7235 schemes ignore case)."""
    event = verify(PAYMENT_BODY, {**SIGNED, "Authorization": f"bearer {TOKEN}"})

    assert isinstance(event, vapay.VATransactionEvent)


def test_an_uppercase_signature_verifies() -> None:
    """Hex digits in upper case are the same signature."""
    event = verify(PAYMENT_BODY, {**SIGNED, "X-Signature": SIGNED["X-Signature"].upper()})

    assert isinstance(event, vapay.VATransactionEvent)


def test_the_unsigned_dashboard_test_is_missing_headers() -> None:
    """The dashboard's Test body, unsigned, is refused as missing_header, and says so."""
    body = b'{"status":200,"success":true,"data":"VA Payment Notification testing"}'

    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(body, {"Content-Type": "application/json"})

    assert caught.value.reason == "missing_header"
    assert "unsigned" in str(caught.value)


@pytest.mark.parametrize(
    "timestamp",
    ["1766730945.0", "-1766730945", "+1766730945", "1.766e9", "0x69", "١٧٦٦", "abc", "9" * 16],
    ids=["fraction", "negative", "plus", "exponent", "hex", "arabic-digits", "text", "16-digits"],
)
def test_a_timestamp_that_is_not_whole_seconds_is_bad_timestamp(timestamp: str) -> None:
    """X-Timestamp must be plain ASCII digits."""
    assert refusal(PAYMENT_BODY, {**SIGNED, "X-Timestamp": timestamp}) == "bad_timestamp"


# --- secrets -------------------------------------------------------------------------


def test_every_candidate_secret_is_tried() -> None:
    """A delivery signed with the last of several candidates verifies."""
    event = verify(PAYMENT_BODY, SIGNED, secrets=[OTHER_SECRET, "third-secret", SECRET])

    assert isinstance(event, vapay.VATransactionEvent)


def test_one_string_is_one_candidate() -> None:
    """secrets="..." is one secret, not a sequence of one-letter secrets."""
    event = verify(PAYMENT_BODY, SIGNED, secrets=SECRET)

    assert isinstance(event, vapay.VATransactionEvent)


def test_a_mapping_picks_the_candidates_of_the_partner_id() -> None:
    """secrets keyed by X-PARTNER-ID try that credential's candidates."""
    secrets = {"someone-else": [OTHER_SECRET], API_KEY: [OTHER_SECRET, SECRET]}

    event = verify(PAYMENT_BODY, SIGNED, secrets=secrets)

    assert isinstance(event, vapay.VATransactionEvent)


def test_a_mapping_value_may_be_one_string() -> None:
    """A credential's candidates may be one string."""
    event = verify(PAYMENT_BODY, SIGNED, secrets={API_KEY: SECRET})

    assert isinstance(event, vapay.VATransactionEvent)


def test_a_mapping_does_not_use_another_partners_secret() -> None:
    """The right secret under another partner id does not verify."""
    assert refusal(PAYMENT_BODY, SIGNED, secrets={"someone-else": [SECRET]}) == "bad_signature"


def test_a_mapping_needs_the_partner_id_header() -> None:
    """With keyed secrets, a delivery without X-PARTNER-ID is missing_header."""
    assert refusal(PAYMENT_BODY, without("X-PARTNER-ID"), secrets={API_KEY: [SECRET]}) == (
        "missing_header"
    )


@pytest.mark.parametrize(
    "secrets",
    [[], [""], [SECRET, ""], [None]],
    ids=["none", "empty", "one-empty", "not-a-string"],
)
def test_a_missing_or_empty_secret_is_a_programming_error(secrets: Any) -> None:
    """No candidate, or an empty one (which anyone could sign with), is a ValueError."""
    with pytest.raises(ValueError, match="secret"):
        verify(PAYMENT_BODY, SIGNED, secrets=secrets)


def test_a_body_given_as_text_is_a_type_error() -> None:
    """The body must be the bytes as received, not decoded text."""
    with pytest.raises(TypeError, match="bytes"):
        verify(PAYMENT_BODY.decode(), SIGNED)


def test_a_bytearray_body_verifies() -> None:
    """A bytearray (a body read in chunks) is read as its bytes."""
    event = verify(bytearray(PAYMENT_BODY), SIGNED)

    assert isinstance(event, vapay.VATransactionEvent)


def test_the_raw_bytes_signature_is_the_fallback() -> None:
    """A signature over the raw body bytes (not normalized) verifies."""
    event = verify(PAYMENT_BODY, raw_signed_headers(PAYMENT_BODY))

    assert isinstance(event, vapay.VATransactionEvent)


# --- the window --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "tolerance"),
    [(NOW + 300, 300), (NOW - 300, 300), (NOW, 0), (NOW + 3600, 3600)],
    ids=["exactly-tolerance-old", "exactly-tolerance-ahead", "zero-tolerance", "wider-tolerance"],
)
def test_a_timestamp_within_the_window_is_accepted(now: float, tolerance: float) -> None:
    """A timestamp up to tolerance seconds from now, before or after, verifies."""
    event = verify(PAYMENT_BODY, SIGNED, now=now, tolerance=tolerance)

    assert isinstance(event, vapay.VATransactionEvent)


@pytest.mark.parametrize(
    ("now", "tolerance"),
    [(NOW + 301, 300), (NOW - 301, 300), (NOW + 300.5, 300), (NOW + 1, 0)],
    ids=["one-second-too-old", "one-second-too-far-ahead", "half-a-second-too-old", "zero"],
)
def test_a_timestamp_outside_the_window_is_expired(now: float, tolerance: float) -> None:
    """A timestamp further than tolerance from now, either way, is expired."""
    assert refusal(PAYMENT_BODY, SIGNED, now=now, tolerance=tolerance) == "expired"


def test_the_clock_is_used_without_now() -> None:
    """Without now=, a delivery signed long ago is expired."""
    assert refusal(PAYMENT_BODY, SIGNED, now=None) == "expired"


@pytest.mark.parametrize(
    "tolerance", [-1, float("nan"), float("inf")], ids=["negative", "nan", "inf"]
)
def test_a_tolerance_that_is_no_window_is_a_value_error(tolerance: float) -> None:
    """A negative or non-finite tolerance is a programming error."""
    with pytest.raises(ValueError, match="tolerance"):
        verify(PAYMENT_BODY, SIGNED, tolerance=tolerance)


# --- the order of the checks -----------------------------------------------------------

FORGED = {**SIGNED, "X-Signature": "0" * 128}


@pytest.mark.parametrize(
    ("body", "headers", "now", "reason"),
    [
        (PAYMENT_BODY, {**without("X-Signature"), "X-Timestamp": "soon"}, NOW, "missing_header"),
        (PAYMENT_BODY, {**FORGED, "X-Timestamp": "soon"}, NOW, "bad_timestamp"),
        (PAYMENT_BODY, FORGED, NOW + 10_000, "bad_signature"),
        (b"[not json", {**FORGED, "X-Timestamp": str(NOW)}, NOW, "bad_signature"),
        (b"[not json", raw_signed_headers(b"[not json"), NOW + 10_000, "expired"),
        (b"[not json", raw_signed_headers(b"[not json"), NOW, "bad_body"),
    ],
    ids=[
        "headers-before-timestamp",
        "timestamp-before-signature",
        "signature-before-window",
        "signature-before-body",
        "window-before-body",
        "body-last",
    ],
)
def test_checks_run_in_the_documented_order(
    body: bytes, headers: dict[str, str], now: int, reason: str
) -> None:
    """Headers, timestamp format, signature, window, body: the first that fails is the reason."""
    assert refusal(body, headers, now=now) == reason


@pytest.mark.parametrize(
    "endpoint",
    ["/hooks/va", ENDPOINT + "&x=1", ENDPOINT.upper(), "https://shop.example" + ENDPOINT],
    ids=["path-without-query", "extra-query", "other-case", "with-scheme-and-host"],
)
def test_the_endpoint_is_signed(endpoint: str) -> None:
    """Verifying against any other endpoint text than the one signed fails."""
    assert refusal(PAYMENT_BODY, SIGNED, endpoint=endpoint) == "bad_signature"


@pytest.mark.parametrize(
    ("header", "value"),
    [("Authorization", "Bearer another-token"), ("X-Timestamp", str(NOW + 1))],
    ids=["other-token", "other-timestamp"],
)
def test_the_token_and_timestamp_are_signed(header: str, value: str) -> None:
    """Another token or timestamp with the same signature fails."""
    assert refusal(PAYMENT_BODY, {**SIGNED, header: value}) == "bad_signature"


# --- messages ----------------------------------------------------------------------------

# One delivery refused for each reason, with a signature made by SECRET.
REFUSED: dict[str, tuple[bytes, dict[str, str], dict[str, Any]]] = {
    "missing_header": (PAYMENT_BODY, without("Authorization"), {}),
    "bad_timestamp": (PAYMENT_BODY, {**SIGNED, "X-Timestamp": "later"}, {}),
    "bad_signature": (PAYMENT_BODY, SIGNED, {"secrets": [OTHER_SECRET]}),
    "expired": (PAYMENT_BODY, SIGNED, {"now": NOW + 301}),
    "bad_body": (b'{"a": NaN}', raw_signed_headers(b'{"a": NaN}'), {}),
}


@pytest.mark.parametrize("reason", sorted(REFUSED), ids=sorted(REFUSED))
def test_a_refusal_names_no_secret_token_or_signature(reason: str) -> None:
    """str() and repr() of each refusal hold no secret, token, signature or partner id."""
    body, headers, options = REFUSED[reason]
    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(body, headers, **options)
    err = caught.value

    assert err.reason == reason
    for shown in (str(err), repr(err)):
        assert reason in repr(err)
        for secret in (SECRET, OTHER_SECRET, TOKEN, API_KEY, headers.get("X-Signature", "-")):
            assert secret not in shown
            assert secret[:16] not in shown


WORDS = {
    "missing_header": "no Authorization header",
    "bad_timestamp": "X-Timestamp is not a whole number",
    "bad_signature": "signature does not match",
    "expired": "301 s before now, outside the 300 s window",
    "bad_body": "NaN",
}


@pytest.mark.parametrize("reason", sorted(REFUSED), ids=sorted(REFUSED))
def test_a_refusal_says_what_failed_in_words(reason: str) -> None:
    """Each refusal's message says in words what its reason says in a code."""
    body, headers, options = REFUSED[reason]
    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(body, headers, **options)

    assert WORDS[reason] in caught.value.message
    assert str(caught.value) == caught.value.message


def test_a_refusal_is_a_vapay_error() -> None:
    """One `except vapay.VapayError` catches refusals too."""
    assert issubclass(vapay.WebhookVerificationError, vapay.VapayError)


@pytest.mark.parametrize("secrets", [None, {"partner-1": None}, [None], 5], ids=repr)
def test_a_missing_secret_is_a_value_error(secrets: object) -> None:
    """`secrets=os.environ.get(...)` giving None is a ValueError, never a bare TypeError."""
    body = b'{"event":"va-transaction","data":{}}'
    headers = signing.signed_headers(
        body, endpoint="/h", secret="s", api_key="partner-1", timestamp=1000, token="t"
    )

    with pytest.raises(ValueError, match="secret"):
        vapay.webhooks.verify(body, headers, endpoint="/h", secrets=secrets, now=1000)  # type: ignore[arg-type]
