"""Properties: verify accepts what the signing helper signs, and nothing it did not sign.

Bodies are arbitrary JSON objects (non-ASCII, `/`, big integers, decimals with any
scale, nesting), written pretty or compact. Examples per test: 150; derandomized
when `CI` is set.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from webhook_helpers import ENDPOINT, NOW, TOKEN, dump, headers_for, verify

import vapay
from vapay import _webhook_signing as signing

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)

# Text of every kind but lone surrogates (which no UTF-8 body can carry), with
# slashes and non-ASCII letters made likely.
TEXT = st.text(
    alphabet=st.one_of(st.sampled_from('/\\"éß—€ü漢 \n\t\x00'), st.characters(codec="utf-8")),
    max_size=12,
)
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False).filter(
    lambda d: d.is_zero() or -300 < d.adjusted() < 300
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    DECIMALS,
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
# No top-level "event" key: the body is then an UnknownEvent whatever else it holds.
BODIES = st.dictionaries(TEXT.filter(lambda key: key != "event"), VALUES, max_size=6)
LAYOUTS = st.sampled_from([None, 0, 2]).flatmap(
    lambda indent: st.builds(lambda ascii_: (indent, ascii_), st.booleans())
)


def written(value: object, layout: tuple[int | None, bool]) -> bytes:
    indent, ensure_ascii = layout
    return dump(value, indent=indent, ensure_ascii=ensure_ascii)


def same(a: object, b: object) -> bool:
    """Equal as JSON text: decimals to the digit, keys in their order, lists in theirs."""
    return dump(a) == dump(b)


@PROPERTY
@given(body=BODIES, layout=LAYOUTS)
def test_verify_accepts_what_signed_headers_signs(
    body: dict[str, Any], layout: tuple[int | None, bool]
) -> None:
    """Any JSON object, however written, verifies with the headers made for it."""
    raw_body = written(body, layout)

    event = verify(raw_body, headers_for(raw_body))

    assert isinstance(event, vapay.UnknownEvent)
    assert same(event.raw, body)


@PROPERTY
@given(body=BODIES, signed_as=LAYOUTS, sent_as=LAYOUTS, data=st.data())
def test_the_signature_ignores_layout_and_key_order(
    body: dict[str, Any],
    signed_as: tuple[int | None, bool],
    sent_as: tuple[int | None, bool],
    data: st.DataObject,
) -> None:
    """Signed in one layout and key order, the same value sent in another verifies."""
    shuffled = dict(data.draw(st.permutations(list(body.items()))))

    event = verify(written(shuffled, sent_as), headers_for(written(body, signed_as)))

    assert isinstance(event, vapay.UnknownEvent)


def places(value: object, path: tuple[Any, ...] = ()) -> list[tuple[str, tuple[Any, ...]]]:
    """Every change that alters the value: (kind, path) for each leaf, key and reorderable list."""
    found: list[tuple[str, tuple[Any, ...]]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append(("key", (*path, key)))
            found += places(inner, (*path, key))
    elif isinstance(value, list):
        normalized = [signing.normalize(dump({"v": item})) for item in value]
        if any(form != normalized[0] for form in normalized):
            found.append(("reorder", path))
        for index, inner in enumerate(value):
            found += places(inner, (*path, index))
    if path and not isinstance(value, (dict, list)):
        found.append(("value", path))
    return found


def changed(body: dict[str, Any], kind: str, path: tuple[Any, ...]) -> dict[str, Any]:
    """*body* with one change of *kind* at *path*."""
    result = copy.deepcopy(body)
    parent: Any = result
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1] if path else None
    if kind == "value":
        old = parent[last]
        parent[last] = "changed" if old != "changed" else "changed again"
    elif kind == "key":
        new = last + "x"
        assume(new not in parent)
        parent[new] = parent.pop(last)
    else:
        target = parent[last] if path else parent
        target.reverse()
        if target == list(reversed(target)):
            target.append(None)  # a palindrome reversed is itself: change it another way
    return result


@PROPERTY
@given(body=BODIES.filter(bool), layout=LAYOUTS, data=st.data())
def test_any_change_of_the_value_is_refused(
    body: dict[str, Any], layout: tuple[int | None, bool], data: st.DataObject
) -> None:
    """A changed value, a renamed key or a reordered list no longer verifies."""
    headers = headers_for(written(body, layout))
    kind, path = data.draw(st.sampled_from(places(body)))

    tampered = written(changed(body, kind, path), layout)

    with pytest.raises(vapay.WebhookVerificationError) as caught:
        verify(tampered, headers)
    assert caught.value.reason == "bad_signature"


@PROPERTY
@given(body=BODIES, endpoint=TEXT, token=TEXT.filter(str.strip), shift=st.integers(-299, 299))
def test_another_endpoint_token_or_timestamp_is_refused(
    body: dict[str, Any], endpoint: str, token: str, shift: int
) -> None:
    """The signature binds the endpoint, the token and the timestamp."""
    raw_body = dump(body)
    signed = headers_for(raw_body)
    assume(endpoint != ENDPOINT and token.strip() != TOKEN and shift != 0)
    attempts = [
        ({"endpoint": endpoint}, signed),
        ({}, {**signed, "Authorization": f"Bearer {token.strip()}"}),
        ({}, {**signed, "X-Timestamp": str(NOW + shift)}),
    ]

    for options, headers in attempts:
        with pytest.raises(vapay.WebhookVerificationError) as caught:
            verify(raw_body, headers, **options)
        assert caught.value.reason == "bad_signature"


@PROPERTY
@given(raw_body=st.binary(max_size=64) | VALUES.map(dump))
def test_any_bytes_give_an_event_or_bad_body(raw_body: bytes) -> None:
    """parse() of any bytes is an event or a bad_body refusal, never another exception."""
    reason = None
    try:
        vapay.webhooks.parse(raw_body)
    except vapay.WebhookVerificationError as err:
        reason = err.reason

    assert reason in {None, "bad_body"}
