"""The gateway's side of webhooks: POST each event, signed, and retry on its schedule.

`WebhookSender` owns the delivery tasks, their client session and the delivery log.
Each event is one background task: attempt, wait the (scaled) interval, attempt
again while `should_retry` says so. Events are delivered concurrently, as by the
gateway's queue, so two events may arrive in either order. Every attempt is signed
afresh (a new token, the time of sending) by `_webhook_signing.signed_headers`, the
scheme `vapay.webhooks.verify` checks, so the two cannot drift apart.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Literal, get_args

import aiohttp
import attrs
from yarl import URL

from vapay._webhook_signing import signed_headers
from vapay.sandbox._delivery_schedule import (
    FOLLOWED_REDIRECTS,
    MAX_REDIRECTS,
    Outcome,
    should_retry,
    succeeded,
)
from vapay.sandbox._loopback import CallbackUrl, is_loopback_url
from vapay.sandbox._progress import Progress

DeliveryFaultKind = Literal["duplicate", "stale_timestamp", "bad_signature"]
# Enough of a handler's answer to see why it refused; the rest is not read.
_KEPT_RESPONSE_BYTES = 64 * 1024
_logger = logging.getLogger("vapay.sandbox")


def _check_times(_: object, __: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"times must be at least 1, not {value}")


def _check_seconds(_: object, __: attrs.Attribute[float], value: float) -> None:
    # inf would pass "> 0" and then overflow int() at the delivery, killing it.
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"seconds must be a finite number above 0, not {value}")


@attrs.define(kw_only=True)
class DeliveryFault:
    """A fault the sandbox applies to its next webhook deliveries (POSTs).

    Attributes:
        kind: `"duplicate"`: the delivery is followed at once by a copy (same
            body, its own token and timestamp, validly signed), as when the
            gateway thinks a delivery failed; `"stale_timestamp"`: `X-Timestamp`
            is `seconds` old (signed, but outside the 300 s window);
            `"bad_signature"`: signed with a secret nobody holds.
        times: Deliveries it still applies to (retries count: a retry of a
            faulted delivery is a new delivery).
        seconds: How old a stale timestamp is.
        applied: How many deliveries it has been applied to.
    """

    kind: DeliveryFaultKind = attrs.field(
        validator=attrs.validators.in_(frozenset(get_args(DeliveryFaultKind)))
    )
    times: int = attrs.field(default=1, validator=_check_times, on_setattr=attrs.setters.NO_OP)
    seconds: float = attrs.field(default=600.0, validator=_check_seconds)
    applied: int = attrs.field(default=0, init=False)


@attrs.frozen(kw_only=True)
class WebhookDelivery:
    """One POST of an event to the webhook URL: a first attempt, a retry or a duplicate.

    Attributes:
        event_id: The sandbox's number for the event (1, 2, ...): the attempts and
            duplicates of one event share it.
        event: The event's name, `"va-transaction"` or `"settlement.completed"`.
        url: The webhook URL when the event was sent, as given (on the wire, its
            spaces and non-ASCII characters are percent-encoded).
        attempt: 1 for the first attempt, 2 for the first retry, ...; a duplicate
            has the number of the delivery it copies.
        headers: The headers sent (with the `Bearer` token and the signature).
        body: The body sent, as the gateway encodes it.
        status: The handler's HTTP status (after 307/308 redirects), or `None`
            when there was no answer.
        error: Why the delivery failed without an answer (`"timeout"`, the
            connection error, an unexpected error), or why a redirect was not
            followed; else `None`.
        response_body: The start of the handler's answer (64 KiB at most).
        redirects: The URLs a 307 or 308 led to, in order.
        fault: The `DeliveryFault` kind applied, if any.
        sent_at: When it was sent, Unix seconds on the sandbox clock.
        elapsed: Seconds it took, on this machine's monotonic clock.
    """

    event_id: int
    event: str
    url: str
    attempt: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    status: int | None
    error: str | None = None
    response_body: bytes = attrs.field(default=b"", repr=False)
    redirects: tuple[str, ...] = ()
    fault: DeliveryFaultKind | None = None
    sent_at: float
    elapsed: float

    @property
    def ok(self) -> bool:
        """Whether the handler acknowledged it with a 2xx."""
        return self.status is not None and succeeded(self.status)


@attrs.frozen
class WebhookTarget:
    """Where events go and the secret they are signed with."""

    callback: CallbackUrl
    secret: str = attrs.field(repr=False)

    @property
    def url(self) -> URL:
        """The URL posted to."""
        return self.callback.url

    @property
    def endpoint(self) -> str:
        """The path and query the signature covers: the webhook URL's, exactly as given."""
        return self.callback.endpoint


@attrs.frozen
class _Event:
    id: int
    name: str
    body: bytes = attrs.field(repr=False)


@attrs.frozen
class _Answer:
    outcome: Outcome
    status: int | None = None
    error: str | None = None
    response_body: bytes = b""
    redirects: tuple[str, ...] = ()


class WebhookSender:
    """Sends events to the target URL in the background, and logs every delivery.

    Args:
        api_key: The `X-PARTNER-ID` sent.
        secret: The secret targets are signed with (`send_webhooks_to` may change it).
        clock: Unix-seconds time source, for `X-Timestamp`.
        retry_interval: Seconds between a failed attempt and its retry (the
            gateway's minute, scaled).
        timeout: Seconds an attempt (its redirects included) may take.
        record: Whether to keep `deliveries` (the count is kept regardless).
    """

    def __init__(
        self,
        *,
        api_key: str,
        secret: str,
        clock: Callable[[], float],
        retry_interval: float,
        timeout: float,
        record: bool = True,
    ) -> None:
        if not (math.isfinite(retry_interval) and retry_interval >= 0):
            raise ValueError(f"webhook_retry_interval must be >= 0 seconds, not {retry_interval}")
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"webhook_timeout must be > 0 seconds, not {timeout}")
        self.target: WebhookTarget | None = None
        self.secret = secret
        self.deliveries: list[WebhookDelivery] = []
        self.faults: list[DeliveryFault] = []
        self.retry_interval = retry_interval
        self.timeout = timeout
        self._api_key = api_key
        self._clock = clock
        self._record = record
        self._ended = Progress()
        self._events = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    @property
    def ended(self) -> int:
        """How many deliveries have ended (answered, failed or timed out)."""
        return self._ended.count

    def send(self, event: str, body: bytes) -> None:
        """Deliver *body* to the target in the background; nothing if there is none.

        Raises:
            RuntimeError: No event loop is running.
        """
        target = self.target
        if target is None:
            return
        self._events += 1
        coroutine = self._deliver(_Event(self._events, event, body), target)
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _logger.error("a webhook delivery task failed", exc_info=task.exception())

    async def _deliver(self, event: _Event, target: WebhookTarget) -> None:
        attempt = 1
        while True:
            outcome = await self._attempt(event, target, attempt)
            if not should_retry(attempt, outcome):
                return
            attempt += 1
            await asyncio.sleep(self.retry_interval)

    async def _attempt(self, event: _Event, target: WebhookTarget, attempt: int) -> Outcome:
        fault = self._take_fault()
        if fault is None:
            return await self._post(event, target, attempt)
        if fault.kind == "bad_signature":
            forged = attrs.evolve(target, secret=secrets.token_hex(16))
            return await self._post(event, forged, attempt, fault=fault.kind)
        if fault.kind == "stale_timestamp":
            return await self._post(event, target, attempt, fault=fault.kind, age=fault.seconds)
        outcome = await self._post(event, target, attempt)
        # The copy is a delivery of its own, whose answer changes nothing.
        await self._post(event, target, attempt, fault=fault.kind)
        return outcome

    def _take_fault(self) -> DeliveryFault | None:
        if not self.faults:
            return None
        fault = self.faults[0]
        fault.applied += 1
        fault.times -= 1
        if fault.times == 0:
            self.faults.remove(fault)
        return fault

    async def _post(
        self,
        event: _Event,
        target: WebhookTarget,
        attempt: int,
        *,
        fault: DeliveryFaultKind | None = None,
        age: float = 0.0,
    ) -> Outcome:
        sent_at = self._clock()
        started = time.monotonic()
        headers: Mapping[str, str] = {}
        try:
            headers = signed_headers(
                event.body,
                endpoint=target.endpoint,
                secret=target.secret,
                api_key=self._api_key,
                timestamp=int(sent_at - age),
            )
            answer = await asyncio.wait_for(
                self._exchange(target.url, event.body, headers), self.timeout
            )
        except asyncio.TimeoutError:
            answer = _Answer("timeout", error=f"timeout: no answer within {self.timeout:g} s")
        except (aiohttp.ClientError, OSError) as err:
            answer = _Answer("connection_error", error=f"{type(err).__name__}: {err}")
        # Whatever else: an attempt must never end its event's delivery silently.
        except Exception as err:
            _logger.exception(
                "webhook event %d, attempt %d failed unexpectedly: retried as any other failure",
                event.id,
                attempt,
            )
            answer = _Answer("error", error=f"unexpected error: {type(err).__name__}: {err}")
        delivery = WebhookDelivery(
            event_id=event.id,
            event=event.name,
            url=target.callback.text,
            attempt=attempt,
            headers=headers,
            body=event.body,
            status=answer.status,
            error=answer.error,
            response_body=answer.response_body,
            redirects=answer.redirects,
            fault=fault,
            sent_at=sent_at,
            elapsed=time.monotonic() - started,
        )
        self._log(delivery)
        return answer.outcome

    async def _exchange(self, url: URL, body: bytes, headers: Mapping[str, str]) -> _Answer:
        """POST, following 307 and 308 (the only redirects that keep the method and body)."""
        if self._session is None:
            # force_close: a fresh connection per delivery, as the gateway opens, so a
            # handler restarted between deliveries never meets a stale keep-alive.
            connector = aiohttp.TCPConnector(force_close=True)
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
        redirects: list[str] = []
        while True:
            async with self._session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                status, kept = response.status, await _start_of(response)
                location = response.headers.get("Location")
            error = None
            if status in FOLLOWED_REDIRECTS and location is not None:
                next_url = _redirect_target(url, location)
                if next_url is None:
                    error = "a redirect to a malformed Location was not followed"
                elif not is_loopback_url(next_url):
                    error = "a redirect off this machine was not followed"
                elif len(redirects) == MAX_REDIRECTS:
                    error = f"more than {MAX_REDIRECTS} redirects"
                else:
                    url = next_url
                    redirects.append(str(url))
                    continue
            return _Answer(status, status, error, kept, tuple(redirects))

    def _log(self, delivery: WebhookDelivery) -> None:
        if self._record:
            self.deliveries.append(delivery)
        self._ended.advance()

    async def wait_for(self, count: int, timeout: float) -> None:
        """Return once *count* deliveries have ended.

        Raises:
            TimeoutError: Fewer had ended after *timeout* seconds.
        """
        if not await self._ended.reach(count, timeout):
            raise TimeoutError(
                f"{self.ended} of {count} webhook deliveries ended within {timeout:g} s"
            )

    async def drain(self, timeout: float) -> None:
        """Return once every event sent has been acknowledged or given up on.

        Raises:
            TimeoutError: Deliveries were still due after *timeout* seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        # A new event may be sent while waiting: wait for those too.
        while self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=deadline - loop.time())
            if pending:
                raise TimeoutError(
                    f"{len(pending)} webhook events were still being delivered after {timeout:g} s"
                )

    async def close(self) -> None:
        """Cancel every delivery in progress or due, and close the session."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _redirect_target(url: URL, location: str) -> URL | None:
    """*location* resolved against *url*, or `None` if it is not a URL one can POST to."""
    try:
        next_url = url.join(URL(location))
        next_url.port  # noqa: B018  (yarl checks the port's range when it is read)
    except ValueError:  # a bad IPv6 literal, a port past 65535, ...
        return None
    return next_url


async def _start_of(response: aiohttp.ClientResponse) -> bytes:
    kept = bytearray()
    async for chunk in response.content.iter_chunked(8192):
        kept += chunk
        if len(kept) >= _KEPT_RESPONSE_BYTES:
            break
    return bytes(kept[:_KEPT_RESPONSE_BYTES])
