"""One class per API resource; reach them as attributes of the client.

`client.accounts`, `client.virtual_accounts`, `client.va_transactions` and
`client.balance`.
"""

from vapay.resources.accounts import Accounts
from vapay.resources.balance import Balance
from vapay.resources.va_transactions import TransactionFilters, VATransactions
from vapay.resources.virtual_accounts import VirtualAccounts

__all__ = ["Accounts", "Balance", "TransactionFilters", "VATransactions", "VirtualAccounts"]
