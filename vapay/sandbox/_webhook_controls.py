"""`Sandbox`'s webhook methods: where events go, the delivery log, waiting, faults."""

from __future__ import annotations

from vapay.sandbox._loopback import callback_url
from vapay.sandbox._state import SandboxState
from vapay.sandbox._webhooks import DeliveryFault, WebhookDelivery, WebhookTarget

DEFAULT_WAIT = 5.0


class WebhookControls:
    """The webhook half of `Sandbox` (a base class, as `MoneyActions` is the money half).

    Payments (`pay`, `pay_late`, and `POST /_sandbox/pay...`) and settlements
    return at once; their events are delivered in the background, retried on the
    gateway's schedule, and every delivery is logged in `deliveries`. A test
    waits for them with `wait_for_deliveries(n)` or `drain_deliveries()`.
    """

    state: SandboxState

    def send_webhooks_to(self, url: str | None, *, secret: str | None = None) -> None:
        """Deliver the events caused from now on to *url* (`None`: deliver none).

        Deliveries already under way, and their retries, keep the URL they had.

        Args:
            url: An http(s) URL on a loopback host; its path and query, exactly
                as given, are the endpoint the signature covers (`/` for an
                empty path). They are posted to as they are, but for spaces
                and non-ASCII characters, which go percent-encoded (UTF-8).
            secret: The secret to sign with from now on (default: unchanged, at
                first the sandbox's client secret).

        Raises:
            ValueError: *url* is not an http(s) URL on a loopback host, holds a
                user name or password or a control character, or *secret* is empty.
        """
        sender = self.state.webhooks
        if secret is not None:
            if not secret:
                raise ValueError("the webhook secret must not be empty")
            sender.secret = secret
        sender.target = None if url is None else WebhookTarget(callback_url(url), sender.secret)

    @property
    def webhook_url(self) -> str | None:
        """Where events are delivered, or `None` if nowhere."""
        target = self.state.webhooks.target
        return None if target is None else target.callback.text

    @property
    def webhook_secret(self) -> str:
        """The secret deliveries are signed with: pass it to `vapay.webhooks.verify`."""
        return self.state.webhooks.secret

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        """Every webhook delivery that has ended, in the order they ended.

        Empty when the sandbox was built with `record_requests=False`.
        """
        return self.state.webhooks.deliveries

    async def wait_for_deliveries(
        self, count: int, *, timeout: float = DEFAULT_WAIT
    ) -> list[WebhookDelivery]:
        """Wait until *count* deliveries have ended (answered, failed or timed out).

        Args:
            count: How many, counted since the sandbox was built (retries and
                duplicates included).
            timeout: Seconds to wait at most.

        Returns:
            The first *count* deliveries logged.

        Raises:
            TimeoutError: Fewer had ended after *timeout* seconds.
        """
        try:
            await self.state.webhooks.wait_for(count, timeout)
        except TimeoutError as err:
            if self.webhook_url is None:
                raise TimeoutError(f"{err} (no webhook URL is set)") from None
            raise
        return self.deliveries[:count]

    async def drain_deliveries(self, *, timeout: float = DEFAULT_WAIT) -> list[WebhookDelivery]:
        """Wait until every event sent is acknowledged or given up on (retries done).

        Args:
            timeout: Seconds to wait at most; with the default retry interval
                (a minute) a failing handler keeps its event going for minutes.

        Returns:
            Every delivery logged.

        Raises:
            TimeoutError: Deliveries were still due after *timeout* seconds.
        """
        await self.state.webhooks.drain(timeout)
        return list(self.deliveries)

    def _add_delivery_fault(self, fault: DeliveryFault) -> DeliveryFault:
        self.state.webhooks.faults.append(fault)
        return fault

    def duplicate_next_delivery(self, times: int = 1) -> DeliveryFault:
        """Follow each of the next *times* deliveries at once by a copy.

        The copy has the same body, its own token and timestamp and a valid
        signature, as when the gateway thinks a delivery failed: a handler should
        take the payment once (dedupe on `transaction_id`). Its answer triggers no
        retries.
        """
        return self._add_delivery_fault(DeliveryFault(kind="duplicate", times=times))

    def backdate_next_delivery(self, seconds: float = 600.0, times: int = 1) -> DeliveryFault:
        """Sign the next *times* deliveries with an `X-Timestamp` *seconds* old.

        Past the 300 s window, `vapay.webhooks.verify` refuses them with reason
        `"expired"`. A refused delivery is retried as usual, and the retry is not
        backdated (unless *times* covers it too).

        Raises:
            ValueError: *seconds* is not a finite number above 0, or *times* is below 1.
        """
        fault = DeliveryFault(kind="stale_timestamp", times=times, seconds=seconds)
        return self._add_delivery_fault(fault)

    def forge_next_delivery(self, times: int = 1) -> DeliveryFault:
        """Sign the next *times* deliveries with a secret nobody holds.

        `vapay.webhooks.verify` refuses them with reason `"bad_signature"`. A
        refused delivery is retried as usual, and the retry is signed correctly
        (unless *times* covers it too).
        """
        return self._add_delivery_fault(DeliveryFault(kind="bad_signature", times=times))
