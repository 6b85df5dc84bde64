"""One class per API resource; reach them as `client.accounts` and `client.virtual_accounts`."""

from vapay.resources.accounts import Accounts
from vapay.resources.virtual_accounts import VirtualAccounts

__all__ = ["Accounts", "VirtualAccounts"]
