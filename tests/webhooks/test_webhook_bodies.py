"""Bodies: hostile ones end in bad_body and nothing else; numbers normalize both ways PHP could."""

from __future__ import annotations

import json

import pytest
from webhook_helpers import PAYMENT, SECRET, dump, headers_for, raw_signed_headers, verify

import vapay
from vapay import _webhook_signing as signing

MAX = signing.MAX_BODY_BYTES


def nested(depth: int) -> bytes:
    """An object whose innermost value sits *depth* containers deep."""
    return b'{"a":' * depth + b"1" + b"}" * depth


HOSTILE: list[tuple[str, bytes]] = [
    ("deep-nesting", b"[" * 100_000 + b"]" * 100_000),
    ("deep-objects", nested(50_000)),
    ("one-level-past-the-bound", nested(signing.MAX_DEPTH + 1)),
    ("lone-surrogate", b'{"a": "\\ud800"}'),
    ("lone-low-surrogate", b'{"a": "x\\udfffy"}'),
    ("lone-surrogate-in-a-key", b'{"\\ud800": 1}'),
    ("lone-surrogate-deep", b'{"a": [{"b": ["\\udbff"]}]}'),
    ("huge-exponent", b'{"a": 1E+999999999}'),
    ("tiny-exponent", b'{"a": 1E-999999999}'),
    ("past-a-double", b'{"a": 1e400}'),
    ("integer-past-a-double", b'{"a": ' + b"9" * 400 + b"}"),
    ("integer-of-5000-digits", b'{"a": ' + b"9" * 5000 + b"}"),
    ("fraction-of-5000-digits", b'{"a": 0.' + b"1" * 5000 + b"}"),
    ("nan", b'{"a": NaN}'),
    ("infinity", b'{"a": Infinity}'),
    ("minus-infinity", b'{"a": -Infinity}'),
    ("a-list", b"[]"),
    ("a-string", b'"text"'),
    ("a-number", b"1"),
    ("null", b"null"),
    ("true", b"true"),
    ("empty", b""),
    ("whitespace", b"  \n"),
    ("truncated", b'{"a": '),
    ("trailing-data", b"{} {}"),
    ("not-json", b"<html>502 Bad Gateway</html>"),
    ("invalid-utf8", b'{"a": "\xff\xfe"}'),
    ("encoded-surrogate", b'{"a": "\xed\xa0\x80"}'),
    ("utf16", '{"a": 1}'.encode("utf-16")),
    ("utf8-bom", b'\xef\xbb\xbf{"a": 1}'),
    ("duplicate-key", b'{"a": 1, "a": 2}'),
    ("duplicate-nested-key", b'{"a": {"event": "x", "event": "y"}}'),
    ("past-the-bound", b'{"a": "' + b"x" * MAX + b'"}'),
    ("payment-without-transaction-id", b'{"event": "va-transaction", "data": {}}'),
    (
        "payment-with-a-text-amount",
        dump(
            {
                **PAYMENT,
                "data": {
                    "transaction": {
                        "transaction_id": "1",
                        "status": "paid",
                        "amount": {"value": "lots"},
                    }
                },
            }
        ),
    ),
]


@pytest.mark.parametrize("body", [b for _, b in HOSTILE], ids=[name for name, _ in HOSTILE])
def test_a_hostile_signed_body_is_bad_body(body: bytes) -> None:
    """Signed (over its raw bytes) and in time, a hostile body is refused as bad_body."""
    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(body, raw_signed_headers(body))

    assert caught.value.reason == "bad_body"


@pytest.mark.parametrize("body", [b for _, b in HOSTILE], ids=[name for name, _ in HOSTILE])
def test_a_hostile_body_is_bad_body_to_parse(body: bytes) -> None:
    """parse() refuses the same bodies with the same reason."""
    with pytest.raises(vapay.WebhookVerificationError) as caught:
        vapay.webhooks.parse(body)

    assert caught.value.reason == "bad_body"


@pytest.mark.parametrize("body", [b for _, b in HOSTILE], ids=[name for name, _ in HOSTILE])
def test_a_hostile_unsigned_body_is_bad_signature(body: bytes) -> None:
    """Forged, a hostile body never gets past the signature check."""
    headers = {**raw_signed_headers(body), "X-Signature": "ab" * 64}

    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(body, headers)

    assert caught.value.reason == "bad_signature"


def test_a_body_at_the_bound_verifies() -> None:
    """A body of exactly MAX_BODY_BYTES is read."""
    filler = MAX - len(b'{"a":""}')
    body = b'{"a":"' + b"x" * filler + b'"}'

    assert len(body) == MAX
    assert isinstance(verify(body, headers_for(body)), vapay.UnknownEvent)


def test_the_deepest_body_allowed_verifies() -> None:
    """A body exactly MAX_DEPTH containers deep is read."""
    body = nested(signing.MAX_DEPTH)

    assert isinstance(verify(body, headers_for(body)), vapay.UnknownEvent)


def test_a_bad_body_message_names_the_problem_not_the_body() -> None:
    """The bad_body message says what is wrong without quoting the body."""
    body = b'{"secret-looking-value": "' + b"q" * 50 + b'", "a": NaN}'

    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(body, raw_signed_headers(body))

    assert "NaN" in caught.value.message
    assert "secret-looking-value" not in caught.value.message


def test_a_bad_field_names_where_the_body_has_it() -> None:
    """A payment's bad field is named by its place in the body, not in the model."""
    body = (
        b'{"event": "va-transaction", "data": {"transaction": {"transaction_id": "1", '
        b'"status": "paid", "amount": {"value": "lots"}}}}'
    )

    with pytest.raises(vapay.WebhookVerificationError) as caught:
        vapay.webhooks.parse(body)

    assert "$.data.transaction.amount.value" in caught.value.message


# --- numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("275000.5", ["275000.5"]),
        ("1.50", ["1.50", "1.5"]),
        ("100000.00", ["100000.00", "100000.0"]),
        ("1E5", ["1E5", "100000.0"]),
        ("1e-7", ["1e-7", "1e-07"]),
        ("0.1", ["0.1"]),
        ("-0.0", ["-0.0"]),
        ("123456789012345678901234567890", ["123456789012345678901234567890"]),
        ("-0", ["0"]),
        ("0.30000000000000004", ["0.30000000000000004"]),
        # Digits past a double's: the shortest form would sign another value.
        ("0.1000000000000000055511151231257827", ["0.1000000000000000055511151231257827"]),
    ],
    ids=[
        "php-fraction",
        "trailing-zero",
        "trailing-zeros",
        "exponent",
        "small-exponent",
        "short",
        "negative-zero",
        "big-integer",
        "negative-zero-integer",
        "shortest-round-trip",
        "more-digits-than-a-double",
    ],
)
def test_a_number_normalizes_as_sent_and_as_php_prints_it(text: str, forms: list[str]) -> None:
    """Fractions are tried as their JSON text and as PHP's shortest double, where they differ."""
    normalized = signing.normalize(b'{"n": ' + text.encode() + b"}")

    assert normalized == [b'{"n":' + form.encode() + b"}" for form in forms]


def test_a_body_signed_over_php_numbers_verifies() -> None:
    """A body with 1.50 signed as PHP prints it (1.5) verifies."""
    body = b'{"amount": 1.50}'
    signature = signing.sign(
        SECRET,
        endpoint="/hooks/va?source=test",
        token="per-delivery-token-0b8e",
        body=b'{"amount":1.5}',
        timestamp=1766730945,
    )
    headers = {**raw_signed_headers(body), "X-Signature": signature}

    assert isinstance(verify(body, headers), vapay.UnknownEvent)


def test_decoded_numbers_are_exact() -> None:
    """Every number with a fraction is an exact Decimal in .raw, with its scale."""
    body = b'{"event": "other", "data": {"a": 1.50, "b": [0.1, 7], "c": 1E+2}}'

    event = vapay.webhooks.parse(body)

    assert json.dumps(event.raw, default=str) == (
        '{"event": "other", "data": {"a": "1.50", "b": ["0.1", 7], "c": "1E+2"}}'
    )


def test_non_ascii_and_slashes_stay_literal() -> None:
    """Escaped non-ASCII and slashes normalize to the characters themselves."""
    body = b'{"url": "https:\\/\\/example.id\\/\\u00e9", "z": "\\u2014"}'

    (normalized,) = signing.normalize(body)

    assert normalized == '{"url":"https://example.id/é","z":"—"}'.encode()


def test_keys_sort_by_their_utf8_bytes() -> None:
    """Upper case, lower case and non-ASCII keys sort by their bytes, at every depth."""
    body = '{"é": 1, "b": {"z": 1, "A": 2}, "B": 3, "a": 4}'.encode()

    (normalized,) = signing.normalize(body)

    assert normalized == '{"B":3,"a":4,"b":{"A":2,"z":1},"é":1}'.encode()


def test_control_characters_are_escaped() -> None:
    """Control characters keep JSON's escapes, in lower-case hex where there is no short one."""
    body = b'{"s": "a\\nb\\t\\u0001\\"\\\\"}'

    (normalized,) = signing.normalize(body)

    assert normalized == b'{"s":"a\\nb\\t\\u0001\\"\\\\"}'


def test_a_replay_cannot_add_digits_a_double_drops() -> None:
    """`275000.5` signed, `275000.500000000000000001` sent: refused. (Review.)"""
    body = (
        b'{"event":"va-transaction","data":{"transaction":{"transaction_id":"1","status":"paid",'
        b'"amount":{"value":275000.5,"currency":"IDR"}}}}'
    )
    headers = signing.signed_headers(
        body, endpoint="/h", secret="s", api_key="k", timestamp=1000, token="t"
    )
    forged = body.replace(b"275000.5", b"275000.500000000000000001")

    with pytest.raises(vapay.WebhookVerificationError) as refused:
        vapay.webhooks.verify(forged, headers, endpoint="/h", secrets=["s"], now=1000)

    assert refused.value.reason == "bad_signature"
