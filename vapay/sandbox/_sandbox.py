"""`Sandbox`: the fake API's server lifecycle and its fault switches."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from typing import TypedDict, get_args

from aiohttp import web

from vapay.sandbox._actions import MoneyActions
from vapay.sandbox._app import build_app
from vapay.sandbox._data import generate
from vapay.sandbox._faults import Fault, FaultKind, ScheduleEntry, schedule
from vapay.sandbox._loopback import LoopbackServer, loopback_host
from vapay.sandbox._state import SandboxState, StatusRoute
from vapay.sandbox._tokens import TokenStore
from vapay.sandbox._transactions import history_anchor, seed_ledger
from vapay.sandbox._webhook_controls import WebhookControls
from vapay.sandbox._webhooks import WebhookSender

DEFAULT_API_KEY = "vapay-sandbox-api-key"
DEFAULT_CLIENT_ID = "vapay-sandbox-client-id"
DEFAULT_CLIENT_SECRET = "vapay-sandbox-client-secret"  # noqa: S105  (a fake)


class ClientOptions(TypedDict):
    """The `vapay.Client` keywords that point a client at a sandbox."""

    api_key: str
    client_id: str
    client_secret: str
    base_url: str


class Sandbox(LoopbackServer, MoneyActions, WebhookControls):
    """An in-process, stateful fake of the API, served over loopback.

    Use it as an async context manager (or call `start()` and `close()`):

        async with Sandbox(accounts=3, virtual_accounts_per_account=5) as sb:
            client = vapay.Client(**sb.client_options())

    Once started, `url` is its base URL, `http://127.0.0.1:PORT` (no trailing
    slash; the API's paths start with /api).

    Faults are switched on with the methods below; each returns the `Fault` it
    added, whose `times` counts down and `applied` counts up as requests hit it.
    Requests consult faults in the order they were added, and at most one fault
    applies to a request.

    Money moves with `pay`, `expire_attempt`, `pay_late` and `settle` (also served
    over HTTP under `/_sandbox/`). Seeded payments lie in the 45 days before
    midnight UTC of the day the sandbox is built, on its clock. Given a
    `webhook_url`, payments and settlements are announced there by signed
    callbacks, delivered in the background (see `WebhookControls`).

    Args:
        accounts: Number of seeded accounts.
        virtual_accounts_per_account: Number of seeded virtual accounts per
            account; kinds alternate.
        seed: Seed every id, name, amount and wire type derives from.
        token_ttl: Token lifetime in seconds, sent as the string `expires_in`.
        live: Serve the live API's newer shapes (ULID ids, `meta` block, ...)
            instead of the seed pages'.
        port: Port to bind; 0 picks a free one.
        host: Loopback address to bind.
        latency: Seconds added to every non-token response.
        api_key: Expected `X-PARTNER-ID` (default: a fixed fake).
        client_id: Expected client id (default: a fixed fake).
        client_secret: Expected client secret (default: a fixed fake).
        clock: Unix-seconds time source, for token expiry, the v1.1
            signature's date, payment times, VA expiry and the transactions'
            12-month window.
        record_requests: Keep every request in `state.requests`. Turn it off for
            long benchmarks or servers; `state.count()` works either way.
        status_route: Which route changes an account's status: `"seed"` (the
            seed page's `PATCH .../accounts/update-status/{id}`), `"live"` (the
            live API's `PATCH .../accounts/update/{id}`; the seed route then
            answers the router's plain 404, as the live API does) or `"both"`.
        webhook_url: Where to POST the gateway's callbacks (an http(s) URL on a
            loopback host; its path and query are the signed endpoint), or
            `None` to send none.
        webhook_secret: The secret callbacks are signed with (default: the
            client secret, as the gateway signs with the account owner's).
        webhook_retry_interval: Seconds between a failed delivery and its
            retry: the gateway's minute, scaled (tests pass 0.01).
        webhook_timeout: Seconds a delivery may take before it counts as a
            timeout (the gateway's own is undocumented).

    Raises:
        ValueError: *host* or *webhook_url* is not loopback, a count or duration
            is negative, or *status_route* is none of the three.
    """

    def __init__(
        self,
        *,
        accounts: int = 3,
        virtual_accounts_per_account: int = 5,
        seed: int = 0,
        token_ttl: float = 3600.0,
        live: bool = False,
        port: int = 0,
        host: str = "127.0.0.1",
        latency: float = 0.0,
        api_key: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        clock: Callable[[], float] = time.time,
        record_requests: bool = True,
        status_route: StatusRoute = "both",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_retry_interval: float = 60.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        self._host = loopback_host(host)
        if status_route not in get_args(StatusRoute):
            raise ValueError(f"status_route must be seed, live or both, not {status_route!r}")
        if accounts < 0 or virtual_accounts_per_account < 0:
            raise ValueError("accounts and virtual_accounts_per_account must be >= 0")
        if not (math.isfinite(token_ttl) and token_ttl > 0) or not (
            math.isfinite(latency) and latency >= 0
        ):
            raise ValueError("token_ttl must be > 0 and latency >= 0")
        self._port = port
        webhooks = WebhookSender(
            api_key=api_key or DEFAULT_API_KEY,
            secret=client_secret or DEFAULT_CLIENT_SECRET,
            clock=clock,
            retry_interval=webhook_retry_interval,
            timeout=webhook_timeout,
            record=record_requests,
        )
        records, virtual_accounts = generate(
            seed, accounts, virtual_accounts_per_account, live=live
        )
        self.state = SandboxState(
            seed=seed,
            live=live,
            api_key=api_key or DEFAULT_API_KEY,
            client_id=client_id or DEFAULT_CLIENT_ID,
            client_secret=client_secret or DEFAULT_CLIENT_SECRET,
            latency=latency,
            clock=clock,
            tokens=TokenStore(ttl=token_ttl, clock=clock),
            accounts=records,
            virtual_accounts=virtual_accounts,
            transactions=seed_ledger(seed, virtual_accounts, anchor=history_anchor(clock())),
            status_route=status_route,
            record_requests=record_requests,
            webhooks=webhooks,
        )
        self.send_webhooks_to(webhook_url, secret=webhook_secret)
        super().__init__()

    def __repr__(self) -> str:
        where = self._url or "not started"
        return f"<Sandbox {where} accounts={len(self.state.accounts)}>"

    _name = "sandbox"

    def _application(self) -> web.Application:
        return build_app(self.state)

    def _address(self) -> tuple[str, int]:
        return self._host, self._port

    async def _before_close(self) -> None:
        # Deliveries due would post to handlers while the server goes away.
        await self.state.webhooks.close()

    @property
    def api_key(self) -> str:
        """The `X-PARTNER-ID` the sandbox accepts."""
        return self.state.api_key

    @property
    def client_id(self) -> str:
        """The client id the sandbox accepts."""
        return self.state.client_id

    @property
    def client_secret(self) -> str:
        """The client secret the sandbox accepts."""
        return self.state.client_secret

    def client_options(self) -> ClientOptions:
        """`vapay.Client` keywords for this sandbox: `vapay.Client(**sb.client_options())`.

        Raises:
            RuntimeError: The sandbox is not started.
        """
        return {
            "api_key": self.api_key,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "base_url": self.url,
        }

    # Faults. `route=None` targets every route except "token"; "token" targets
    # both token endpoints; otherwise a route name such as "accounts.list".

    def add_fault(self, fault: Fault) -> Fault:
        """Add a `Fault` built by hand (the general form of the methods below)."""
        return self.state.faults.add(fault)

    def fail_next(
        self,
        status: int = 503,
        times: int = 1,
        route: str | None = None,
        retry_after: str | int | None = None,
    ) -> Fault:
        """Answer the next *times* matching requests with a JSON error envelope.

        Args:
            status: HTTP status (and `error.code`).
            times: How many requests.
            route: Route name to target.
            retry_after: `Retry-After` header value (seconds or an HTTP date).
        """
        fault = Fault(
            kind="status", status=status, times=times, route=route, retry_after=retry_after
        )
        return self.add_fault(fault)

    def drop_next(self, times: int = 1, route: str | None = None) -> Fault:
        """Close the connection of the next *times* matching requests unanswered.

        The handler never runs, so a dropped create creates nothing.
        """
        return self.add_fault(Fault(kind="drop", times=times, route=route))

    def html_next(self, times: int = 1, route: str | None = None, status: int = 502) -> Fault:
        """Answer the next *times* matching requests with an HTML proxy error page."""
        return self.add_fault(Fault(kind="html", status=status, times=times, route=route))

    def truncate_next(self, times: int = 1, route: str | None = None) -> Fault:
        """Cut the body of the next *times* matching responses in half.

        The handler runs (a truncated create did create the account) and its
        status is kept; `Content-Length` matches the cut body.
        """
        return self.add_fault(Fault(kind="truncate", times=times, route=route))

    def delay_next(self, seconds: float, times: int = 1, route: str | None = None) -> Fault:
        """Answer the next *times* matching requests *seconds* late."""
        return self.add_fault(Fault(kind="delay", seconds=seconds, times=times, route=route))

    def expire_tokens(self) -> None:
        """Expire every token issued so far, now (early expiry on the server)."""
        self.state.tokens.expire_all()

    def expire_token_next(self, times: int = 1, route: str | None = None) -> Fault:
        """Expire every issued token just before each of the next *times* matching
        requests is checked, so each gets a 401."""
        return self.add_fault(Fault(kind="expire_token", times=times, route=route))

    def fault_rate(
        self,
        kind: FaultKind,
        rate: float,
        *,
        seed: int = 0,
        route: str | None = None,
        status: int | None = None,
        retry_after: str | int | None = None,
        seconds: float = 0.1,
    ) -> Fault:
        """Apply a fault to each matching request with probability *rate*.

        The draws come from `random.Random(seed)`, one per matching request, so
        the same seed and the same requests give the same schedule.

        Args:
            kind: `"status"`, `"drop"`, `"html"`, `"truncate"`, `"delay"` or
                `"expire_token"`.
            rate: Probability in [0, 1].
            seed: Seed of the schedule.
            route: Route name to target.
            status: HTTP status of `status` (503) and `html` (502) faults.
            retry_after: `Retry-After` value of `status` faults.
            seconds: Latency of `delay` faults.
        """
        extra = {} if status is None else {"status": status}
        fault = Fault(
            kind=kind,
            rate=rate,
            seed=seed,
            route=route,
            times=None,
            retry_after=retry_after,
            seconds=seconds,
            **extra,
        )
        return self.add_fault(fault)

    def fault_schedule(self, route: str | None, entries: Iterable[ScheduleEntry]) -> list[Fault]:
        """Give the n-th matching request the n-th entry, then behave normally.

        Args:
            route: Route name to target.
            entries: Each `"ok"`, an HTTP status such as 503 or 429, a fault kind
                (`"drop"`, `"html"`, `"truncate"`, `"expire_token"`, `"status"`),
                or a `Fault` (for delays or Retry-After), e.g.
                `["ok", 503, "drop", 429, "html", "truncate", "ok"]`.
        """
        return [self.add_fault(fault) for fault in schedule(route, entries)]

    def clear_faults(self) -> None:
        """Remove every pending fault, the webhook delivery faults included."""
        self.state.faults.clear()
        self.state.webhooks.faults.clear()
