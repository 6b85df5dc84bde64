"""vapay: an asyncio SDK for a virtual-account payment API.

Everything public is imported here; modules starting with `_` are private.
"""

from vapay import reconcile, webhooks
from vapay._auth import ClientCredentialsTokenProvider, StaticToken, TokenProvider
from vapay._budget import RateLimit, RequestBudget
from vapay._capture import ResponseInfo, capture_responses
from vapay._client import NOT_GIVEN, PRODUCTION_URL, SANDBOX_URL, Client
from vapay._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    VapayError,
    WebhookVerificationError,
)
from vapay._events import ExpirationEvent, SettlementEvent, UnknownEvent, VATransactionEvent
from vapay._logs import setup_logging
from vapay._models import (
    Account,
    AccountStatus,
    AccountType,
    AmountType,
    Balance,
    Bank,
    Fee,
    Money,
    Page,
    Pagination,
    VATransaction,
    VATransactionStatus,
    VirtualAccount,
    VirtualAccountKind,
    VirtualAccountStatus,
)
from vapay._pagination import AsyncPager
from vapay._redis_budget import RedisRateLimit
from vapay._redis_seen_store import RedisSeenStore
from vapay._redis_tokens import RedisTokenStore
from vapay._retry import RetryPolicy
from vapay._stores import MemoryTokenStore, TokenStore
from vapay._token import Token
from vapay._transport import Handler, Middleware, Request, Response
from vapay._version import __version__

__all__ = [
    "NOT_GIVEN",
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "AccountStatus",
    "AccountType",
    "AmountType",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "Bank",
    "Client",
    "ClientCredentialsTokenProvider",
    "ExpirationEvent",
    "Fee",
    "Handler",
    "InternalServerError",
    "MemoryTokenStore",
    "Middleware",
    "Money",
    "NotFoundError",
    "Page",
    "Pagination",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RedisRateLimit",
    "RedisSeenStore",
    "RedisTokenStore",
    "Request",
    "RequestBudget",
    "Response",
    "ResponseInfo",
    "RetryPolicy",
    "SettlementEvent",
    "StaticToken",
    "Token",
    "TokenProvider",
    "TokenStore",
    "UnknownEvent",
    "UnprocessableEntityError",
    "VATransaction",
    "VATransactionEvent",
    "VATransactionStatus",
    "VapayError",
    "VirtualAccount",
    "VirtualAccountKind",
    "VirtualAccountStatus",
    "WebhookVerificationError",
    "__version__",
    "capture_responses",
    "reconcile",
    "webhooks",
]

setup_logging()

# Tracebacks and reprs say `vapay.NotFoundError`, not where it happens to live.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("vapay._"):
        _obj.__module__ = __name__
del _name, _obj, setup_logging
