"""Decode-only: one real page body, decoded many times by each contender.

Every contender starts from the same bytes and decodes the whole page (items and
pagination block); the vapay contenders run the client's own decode step,
`structure_page(loads(body), VirtualAccount, extra={"account_id": ...})` with
vapay's own `loads` (numbers with a fraction as exact Decimal).
Contenders are timed in batches, round-robin, so noise hits them all alike.
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import pstats
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from _alternatives import tuned_items
from _baselines import hand_items
from vapay import VirtualAccount
from vapay._convert import structure_page
from vapay._envelope import loads

Decoder = Callable[[], object]

# Paths in profiles: the repository, site-packages and the stdlib, cut off.
_ROOT = re.escape(str(Path(__file__).resolve().parent.parent) + "/")
_PATH = re.compile(rf"{_ROOT}|\S*/site-packages/|\S*/lib/python3\.\d+/")


def vapay_decode(body: bytes, extra: Mapping[str, object]) -> list[VirtualAccount]:
    """What the client does with a list page's body (items; pagination is checked too)."""
    envelope = loads(body)
    assert isinstance(envelope, dict)
    items, _ = structure_page(envelope, VirtualAccount, extra=extra)
    return items


def decoders(body: bytes, account_id: str) -> dict[str, Decoder]:
    """Every available contender, by name, as a no-argument callable."""
    extra = {"account_id": account_id}
    found: dict[str, Decoder] = {
        "json.loads": lambda: json.loads(body),
        "vapay": lambda: vapay_decode(body, extra),
        "hand": lambda: hand_items(json.loads(body), account_id),
        "tuned": lambda: tuned_items(body, account_id),
    }
    try:
        from _msgspec_models import msgspec_attrs_items  # noqa: PLC0415 - optional
    except ImportError:
        pass
    else:
        found["msgspec + attrs"] = lambda: msgspec_attrs_items(body, account_id)
    try:
        from _pydantic_models import DECODERS  # noqa: PLC0415 - optional
    except ImportError:
        return found
    found["pydantic dicts"] = lambda: DECODERS["dicts"](body, extra)
    found["pydantic json"] = lambda: DECODERS["json"](body, extra)
    return found


def _fields(item: Any) -> tuple[object, ...]:
    def plain(value: object) -> object:
        return getattr(value, "value", value)

    return (
        item.id,
        item.number,
        item.amount.value,
        item.amount.currency,
        plain(item.status),
        plain(item.kind),
        item.bank_code,
        item.created_at,
    )


def check_equivalent(contenders: Mapping[str, Decoder]) -> list[str]:
    """Problems found comparing each model-building contender's items with vapay's."""
    reference = contenders["vapay"]()
    assert isinstance(reference, list)
    expected = [_fields(item) for item in reference]
    problems = []
    for name, decode in contenders.items():
        if name == "json.loads":
            continue
        result: Any = decode()
        items: Sequence[Any] = getattr(result, "data", result)
        got = [_fields(item) for item in items]
        if got != expected:
            pairs = enumerate(zip(got, expected, strict=False))
            at = next((i for i, (ours, theirs) in pairs if ours != theirs), None)
            where = f"item {at}: {got[at]} != {expected[at]}" if at is not None else "length"
            problems.append(f"{name} differs from vapay ({where})")
        if name in ("hand", "tuned", "msgspec + attrs") and result != reference:
            problems.append(f"{name}: items are not == vapay's")
    return problems


def _calibrate(decode: Decoder, seconds: float) -> int:
    """How many calls take about *seconds*."""
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        decode()
        calls += 1
    return max(1, round(calls * seconds / elapsed))


def time_decoders(
    contenders: Mapping[str, Decoder],
    *,
    rounds: int,
    batch_seconds: float,
    slice_seconds: float = 0.005,
) -> dict[str, list[float]]:
    """Seconds per call of each contender, per round.

    In each round every contender gets about *batch_seconds*, cut into slices of
    about *slice_seconds* that take turns (the order rotating slice by slice), so
    a burst of machine noise lands on all contenders of the round alike. The
    garbage collector stays on, as in a real program.
    """
    calls = {name: _calibrate(decode, slice_seconds) for name, decode in contenders.items()}
    names = list(contenders)
    slices = max(1, round(batch_seconds / slice_seconds))
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(rounds):
        gc.collect()
        spent = dict.fromkeys(names, 0.0)
        for slice_ in range(slices):
            shift = slice_ % len(names)
            for name in names[shift:] + names[:shift]:
                decode, count = contenders[name], calls[name]
                started = time.perf_counter()
                for _ in range(count):
                    decode()
                spent[name] += time.perf_counter() - started
        for name in names:
            times[name].append(spent[name] / (calls[name] * slices))
    return times


def profile(decode: Decoder, *, calls: int, top: int = 14) -> str:
    """cProfile of *calls* calls of *decode*: the functions with the most own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        decode()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return _trim(out.getvalue())


def _trim(text: str) -> str:
    """pstats output from its header line on, with shortened paths."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(_PATH.sub("", line) for line in lines[start:] if line.strip())
