"""An in-process, stateful fake of the API, for tests, demos and benchmarks.

`Sandbox` serves both token endpoints (with their real checks), the five seed
endpoints, the real envelope and page-number pagination over loopback (`per_page`
at most 100 for accounts and 25 for virtual accounts, the documented maxima), with
seeded data whose JSON types are mixed the way the real API mixes them, and with
explicit, reproducible faults. It also serves money in: virtual-account create,
show, update and delete, VA transactions with every filter, and balances, with
seeded payments and actions that pay, expire, pay late and settle. Given a
`webhook_url`, it delivers the gateway's signed callbacks for payments and
settlements, retried on the gateway's schedule, with faults of their own.
`python -m vapay.sandbox` serves one from the command line; the `vapay_sandbox`
pytest fixture serves one per test, and `vapay_webhook_receiver` serves your
handler (or a recording one) to it.
"""

from vapay.sandbox._actions import PaymentRefusedError, RecordNotFoundError, SandboxError
from vapay.sandbox._faults import Fault, FaultKind
from vapay.sandbox._receiver import WebhookReceiver
from vapay.sandbox._records import (
    AccountRecord,
    BalanceRecord,
    BankRecord,
    TransactionRecord,
    VirtualAccountRecord,
)
from vapay.sandbox._sandbox import ClientOptions, Sandbox
from vapay.sandbox._state import RecordedRequest, SandboxState
from vapay.sandbox._webhooks import DeliveryFault, DeliveryFaultKind, WebhookDelivery

__all__ = [
    "AccountRecord",
    "BalanceRecord",
    "BankRecord",
    "ClientOptions",
    "DeliveryFault",
    "DeliveryFaultKind",
    "Fault",
    "FaultKind",
    "PaymentRefusedError",
    "RecordNotFoundError",
    "RecordedRequest",
    "Sandbox",
    "SandboxError",
    "SandboxState",
    "TransactionRecord",
    "VirtualAccountRecord",
    "WebhookDelivery",
    "WebhookReceiver",
]

# Tracebacks and reprs name the public path, not the private module.
for _cls in (
    AccountRecord,
    BalanceRecord,
    BankRecord,
    DeliveryFault,
    Fault,
    PaymentRefusedError,
    RecordNotFoundError,
    RecordedRequest,
    Sandbox,
    SandboxError,
    SandboxState,
    TransactionRecord,
    VirtualAccountRecord,
    WebhookDelivery,
    WebhookReceiver,
):
    _cls.__module__ = __name__
del _cls
