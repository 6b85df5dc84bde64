"""An in-process, stateful fake of the API, for tests, demos and benchmarks.

`Sandbox` serves both token endpoints (with their real checks), the five seed
endpoints, the real envelope and page-number pagination over loopback (`per_page`
at most 100 for accounts and 25 for virtual accounts, the documented maxima), with
seeded data whose JSON types are mixed the way the real API mixes them, and with
explicit, reproducible faults. It also serves money in: virtual-account create,
show, update and delete, VA transactions with every filter, and balances, with
seeded payments and actions that pay, expire, pay late and settle. `python -m
vapay.sandbox` serves one from the command line; the `vapay_sandbox` pytest
fixture serves one per test.
"""

from vapay.sandbox._actions import PaymentRefusedError, RecordNotFoundError, SandboxError
from vapay.sandbox._faults import Fault, FaultKind
from vapay.sandbox._records import (
    AccountRecord,
    BalanceRecord,
    BankRecord,
    TransactionRecord,
    VirtualAccountRecord,
)
from vapay.sandbox._sandbox import ClientOptions, Sandbox
from vapay.sandbox._state import RecordedRequest, SandboxState

__all__ = [
    "AccountRecord",
    "BalanceRecord",
    "BankRecord",
    "ClientOptions",
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
]

# Tracebacks and reprs name the public path, not the private module.
for _cls in (
    AccountRecord,
    BalanceRecord,
    BankRecord,
    Fault,
    PaymentRefusedError,
    RecordNotFoundError,
    RecordedRequest,
    Sandbox,
    SandboxError,
    SandboxState,
    TransactionRecord,
    VirtualAccountRecord,
):
    _cls.__module__ = __name__
del _cls
