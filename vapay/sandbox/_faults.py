"""Switchable faults: one list of `Fault` objects, consulted once per request.

Every fault API of the sandbox (`fail_next`, `fault_rate`, `fault_schedule`, ...)
only builds `Fault` objects and appends them to a `FaultPlan`. For each request
the plan walks its faults in the order they were added; of those matching the
request's route, the first that fires is applied (at most one per request) and,
if it is counted, consumed. A rate fault draws from its own `random.Random(seed)`
on every matching request, fired or not, so its schedule depends only on how many
matching requests came before, never on the other faults.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any, Literal, cast, get_args

import attrs

FaultKind = Literal["ok", "status", "drop", "html", "truncate", "delay", "expire_token"]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))
# The API's routes, by the names faults target and `SandboxState.count` counts.
ROUTES = (
    "token",
    "accounts.list",
    "accounts.get",
    "accounts.create",
    "accounts.update_status",
    "accounts.update",
    "virtual_accounts.list",
    "virtual_accounts.create",
    "virtual_accounts.get",
    "virtual_accounts.update",
    "virtual_accounts.delete",
    "va_transactions.list",
    "va_transactions.get",
    "va_transactions.list_by_va_number",
    "balance.get",
)
# The sandbox's own /_sandbox/ routes are named "sandbox.<action>": they are
# counted and logged, but never faulted or delayed (they drive the test).
_CONTROL_PREFIX = "sandbox."


def is_control_route(route: str) -> bool:
    """Whether *route* names one of the sandbox's own `/_sandbox/` routes."""
    return route.startswith(_CONTROL_PREFIX)


def _check_times(_: object, __: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"times must be at least 1 (or None for no limit), not {value}")


def _check_rate(_: object, __: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"rate must be between 0 and 1, not {value}")


def _check_status(_: object, __: attrs.Attribute[int], value: int) -> None:
    if not 100 <= value <= 599:  # noqa: PLR2004  (the HTTP status range)
        raise ValueError(f"status must be an HTTP status (100..599), not {value}")


def _default_status(fault: Fault) -> int:
    return 502 if fault.kind == "html" else 503


@attrs.define(kw_only=True)
class Fault:
    """One fault the sandbox applies to matching requests.

    Attributes:
        kind: What happens to the request:
            `"status"`: a JSON error envelope with `status` (and `Retry-After`);
            `"drop"`: the connection closes before any response byte;
            `"html"`: an HTML proxy error page with `status`;
            `"truncate"`: the real response with its body cut in half;
            `"delay"`: the real response, `seconds` late;
            `"expire_token"`: every issued token expires just before the check;
            `"ok"`: nothing (a placeholder in a schedule).
            `status`, `drop` and `html` answer before the handler runs, so the
            request changes nothing; the others let it run.
        route: The route name it targets; `None` means every route but `"token"`
            (and the sandbox's own `/_sandbox/` routes, which are never faulted).
        times: Matching requests it still applies to; `None` means no limit.
        rate: Probability that it fires on a matching request.
        seed: Seed of the `random.Random` that decides when it fires.
        status: HTTP status for `status` and `html` faults (503 and 502 by default).
        retry_after: `Retry-After` header value sent with a `status` fault.
        seconds: Added latency of a `delay` fault.
        applied: How many requests it has been applied to.
    """

    kind: FaultKind = attrs.field(validator=attrs.validators.in_(FAULT_KINDS))
    route: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_(ROUTES))
    )
    # Validated when given, then counted down to 0 (used up) by the plan.
    times: int | None = attrs.field(
        default=1, validator=_check_times, on_setattr=attrs.setters.NO_OP
    )
    rate: float = attrs.field(default=1.0, validator=_check_rate)
    seed: int = 0
    status: int = attrs.field(
        default=attrs.Factory(_default_status, takes_self=True), validator=_check_status
    )
    retry_after: str | int | None = None
    seconds: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))
    applied: int = attrs.field(default=0, init=False)
    _rng: random.Random = attrs.field(init=False, repr=False, eq=False)

    @_rng.default
    def _seeded_rng(self) -> random.Random:
        return random.Random(self.seed)

    def __attrs_post_init__(self) -> None:
        if self.kind == "expire_token" and self.route == "token":
            raise ValueError("an expire_token fault cannot target the token route")

    def matches(self, route: str) -> bool:
        """Whether this fault targets requests to *route*."""
        if self.route is not None:
            return route == self.route
        return route != "token" and not is_control_route(route)

    def draw(self) -> bool:
        """Whether it fires on this matching request (always, at rate 1)."""
        return self.rate >= 1.0 or self._rng.random() < self.rate


ScheduleEntry = str | int | Fault


def schedule(route: str | None, entries: Iterable[ScheduleEntry]) -> list[Fault]:
    """One single-use fault per entry, in order, all targeting *route*.

    An entry is `"ok"`, an HTTP status (int), a fault kind other than `"delay"`
    (which needs `seconds`: pass a `Fault`), or a `Fault`.
    """
    faults = []
    for entry in entries:
        if isinstance(entry, Fault):
            faults.append(attrs.evolve(entry, route=route, times=1))
        elif isinstance(entry, int):
            faults.append(Fault(kind="status", status=entry, route=route))
        elif entry in FAULT_KINDS and entry != "delay":
            faults.append(Fault(kind=cast("FaultKind", entry), route=route))
        else:
            raise ValueError(f"unknown schedule entry {entry!r}")
    return faults


class FaultPlan:
    """The pending faults, in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    @property
    def pending(self) -> tuple[Fault, ...]:
        """The faults not yet used up."""
        return tuple(self._faults)

    def add(self, fault: Fault) -> Fault:
        """Append *fault*; it is consulted after those added before it."""
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Drop every pending fault."""
        self._faults.clear()

    def pick(self, route: str) -> Fault | None:
        """The fault to apply to a request to *route*, consuming one use of it."""
        if not self._faults:  # the common, fault-free case costs one check
            return None
        chosen = None
        for fault in self._faults:
            # draw() runs for every matching rate fault so its schedule stays fixed.
            if fault.matches(route) and fault.draw() and chosen is None:
                chosen = fault
        if chosen is not None:
            chosen.applied += 1
            if chosen.times is not None:
                chosen.times -= 1
                if chosen.times == 0:
                    self._faults.remove(chosen)
        return chosen
