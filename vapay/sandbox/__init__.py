"""An in-process, stateful fake of the API, for tests, demos and benchmarks.

`Sandbox` serves both token endpoints (with their real checks), the five seed
endpoints, the real envelope and page-number pagination over loopback (`per_page`
at most 100 for accounts and 25 for virtual accounts, the documented maxima), with
seeded data whose JSON types are mixed the way the real API mixes them, and with
explicit, reproducible faults. `python -m vapay.sandbox` serves one from the
command line; the `vapay_sandbox` pytest fixture serves one per test.
"""

from vapay.sandbox._faults import Fault, FaultKind
from vapay.sandbox._records import AccountRecord, BankRecord, VirtualAccountRecord
from vapay.sandbox._sandbox import ClientOptions, Sandbox
from vapay.sandbox._state import RecordedRequest, SandboxState

__all__ = [
    "AccountRecord",
    "BankRecord",
    "ClientOptions",
    "Fault",
    "FaultKind",
    "RecordedRequest",
    "Sandbox",
    "SandboxState",
    "VirtualAccountRecord",
]

# Tracebacks and reprs name the public path, not the private module.
for _cls in (
    AccountRecord,
    BankRecord,
    Fault,
    RecordedRequest,
    Sandbox,
    SandboxState,
    VirtualAccountRecord,
):
    _cls.__module__ = __name__
del _cls
