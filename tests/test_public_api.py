"""`vapay/__init__.py` is the public contract: pin it."""

from __future__ import annotations

import importlib.metadata
import types

import vapay

DESIGN_NAMES = {
    "Client",
    "SANDBOX_URL",
    "PRODUCTION_URL",
    "Token",
    "TokenProvider",
    "AsyncPager",
    "Page",
    "Pagination",
    "Account",
    "VirtualAccount",
    "Money",
    "AccountStatus",
    "VirtualAccountKind",
    "VirtualAccountStatus",
    "VapayError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "APIResponseValidationError",
    # Money in.
    "VATransaction",
    "VATransactionStatus",
    "Fee",
    "Balance",
    "reconcile",
    "webhooks",
    "WebhookVerificationError",
    "VATransactionEvent",
    "SettlementEvent",
    "ExpirationEvent",
    "UnknownEvent",
}
# Modules exported by name; other submodules (cli, sandbox) appear only once imported.
PUBLIC_MODULES = {"reconcile", "webhooks"}


def test_all_lists_exactly_the_public_names() -> None:
    """__all__ is sorted and equals the module's public names."""
    # Assertion rewriting may add names like "@py_builtins": keep identifiers only.
    # Submodules (vapay.cli, vapay.sandbox, ...) appear once imported: not names.
    public = {
        name
        for name in dir(vapay)
        if name.isidentifier()
        and not name.startswith("_")
        and not isinstance(getattr(vapay, name), types.ModuleType)
    }

    assert set(vapay.__all__) - {"__version__"} == public | PUBLIC_MODULES
    assert vapay.__all__ == sorted(vapay.__all__, key=lambda n: (not n.isupper(), n))


def test_every_name_design_md_fixes_is_exported() -> None:
    """The names DESIGN.md promises are all there."""
    assert set(vapay.__all__) >= DESIGN_NAMES


def test_version_matches_the_installed_metadata() -> None:
    """__version__ is the distribution's version, not a second copy."""
    assert vapay.__version__ == importlib.metadata.version("vapay")


def test_exported_classes_say_they_live_in_vapay() -> None:
    """Tracebacks say vapay.NotFoundError, not vapay._errors.NotFoundError."""
    assert vapay.NotFoundError.__module__ == "vapay"
    assert vapay.Client.__module__ == "vapay"


def test_the_webhooks_module_comes_with_the_package() -> None:
    """`import vapay` is enough for vapay.webhooks.verify and parse."""
    assert isinstance(vapay.webhooks, types.ModuleType)
    assert {"verify", "parse", "Event", "MemorySeenStore", "SeenStore"} <= set(
        vapay.webhooks.__all__
    )
    assert vapay.VATransactionEvent.__module__ == "vapay"


def test_the_reconcile_module_comes_with_the_package() -> None:
    """`import vapay` is enough for vapay.reconcile's matching core."""
    assert isinstance(vapay.reconcile, types.ModuleType)
    assert {"reconcile", "Reconciler", "Invoice", "Report", "jakarta_days"} <= set(
        vapay.reconcile.__all__
    )


def test_error_tree_matches_the_design() -> None:
    """Every status error is an APIStatusError; timeouts are connection errors."""
    assert issubclass(vapay.APITimeoutError, vapay.APIConnectionError)
    for cls in (
        vapay.BadRequestError,
        vapay.AuthenticationError,
        vapay.PermissionDeniedError,
        vapay.NotFoundError,
        vapay.UnprocessableEntityError,
        vapay.RateLimitError,
        vapay.InternalServerError,
    ):
        assert issubclass(cls, vapay.APIStatusError)
    for cls in (
        vapay.APIConnectionError,
        vapay.APIStatusError,
        vapay.APIResponseValidationError,
        vapay.WebhookVerificationError,
    ):
        assert issubclass(cls, vapay.VapayError)
