"""Loopback only: the addresses the sandbox binds to and the URLs it sends to.

Everything the sandbox touches stays on this machine: a fake that could be
pointed at a real host could post forged payments to someone's production.
"""

from __future__ import annotations

import ipaddress

from yarl import URL

_WHERE = "loopback addresses only (127.0.0.0/8, ::1, localhost)"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loopback_host(host: str) -> str:
    """The address to bind for *host*, which must be a loopback address.

    `"localhost"` becomes `127.0.0.1`: binding the name would open one socket per
    address family, each on its own port when the port is 0.

    Raises:
        ValueError: *host* is not a loopback address or `"localhost"`.
    """
    if not _is_loopback(host):
        raise ValueError(f"the sandbox binds to {_WHERE}, not {host!r}")
    return "127.0.0.1" if host == "localhost" else host


def is_loopback_url(url: URL) -> bool:
    """Whether *url* is an absolute http(s) URL on a loopback host."""
    return url.scheme in {"http", "https"} and url.host is not None and _is_loopback(url.host)


def loopback_url(url: str) -> URL:
    """*url* parsed, if it is an http(s) URL on a loopback host.

    Raises:
        ValueError: It is not; the message names the host, never the rest of the URL.
    """
    parsed = URL(url)
    if not is_loopback_url(parsed):
        shown = parsed.host if parsed.absolute else url[:40]
        raise ValueError(f"the sandbox sends webhooks to http(s) URLs on {_WHERE}, not {shown!r}")
    if parsed.user is not None or parsed.password is not None:
        raise ValueError("a webhook URL must not hold a user name or password")
    return parsed
