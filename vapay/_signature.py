"""The v1.1 access-token signature, shared by the token provider and the sandbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

# The vendor checks the date on its own calendar, which is Jakarta's (WIB, UTC+7, no
# daylight saving): a UTC date would be rejected between 00:00 and 07:00 WIB.
JAKARTA = dt.timezone(dt.timedelta(hours=7), "WIB")


def jakarta_date(now: dt.datetime) -> str:
    """`YYYYMMDD` of the aware datetime *now* on the Jakarta calendar."""
    return now.astimezone(JAKARTA).strftime("%Y%m%d")


def token_signature(client_id: str, client_secret: str, date: str) -> str:
    """Lowercase hex HMAC-SHA512 of `{client_id}_{client_secret}_{date}`."""
    message = f"{client_id}_{client_secret}_{date}".encode()
    return hmac.new(client_secret.encode(), message, hashlib.sha512).hexdigest()
