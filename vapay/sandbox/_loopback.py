"""Loopback only: the addresses the sandbox binds to and the URLs it sends to.

Everything the sandbox touches stays on this machine: a fake that could be
pointed at a real host could post forged payments to someone's production.

A webhook URL is also the source of the endpoint its deliveries are signed for:
its path and query exactly as registered (MONEY-IN.md §5). yarl re-encodes them
(`%2F` -> `/`, `%7E` -> `~`, `a b` -> `a+b`, `/./` dropped), so `callback_url`
cuts the endpoint from the text itself and posts to it as it is, percent-encoding
only what cannot go on the wire (spaces, non-ASCII).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote

import attrs
from aiohttp import web
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


def _loopback_url(url: str) -> URL:
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


# No registered URL holds one, and on the wire a line break would end the request line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What an HTTP request line cannot carry as it is: percent-encoded (UTF-8) on the wire.
_UNSENDABLE = re.compile(r"[^\x21-\x7e]+")
# scheme "://" authority: the authority ends at the first "/", "?" or "#".
_ORIGIN = re.compile(r"[^:/?#]+://[^/?#]*")


def check_endpoint(endpoint: str, what: str = "a webhook endpoint") -> None:
    """Refuse an endpoint (path and query) no callback can be signed for and sent to.

    Raises:
        ValueError: It holds a control character, a `#`, or text UTF-8 cannot
            encode (a lone surrogate).
    """
    if _CONTROL.search(endpoint):
        raise ValueError(f"{what} must not hold control characters (a line break, a tab, ...)")
    if "#" in endpoint:
        raise ValueError(f"{what} must not hold a fragment (#...): it is never sent")
    try:
        endpoint.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} must be text UTF-8 can encode (no lone surrogates)") from None


def wire_form(endpoint: str) -> str:
    """*endpoint* as it goes on the request line: only spaces and non-ASCII percent-encoded.

    Everything else, `%XX` escapes and dot segments included, stays as it is.
    """
    return _UNSENDABLE.sub(lambda match: quote(match.group(), safe=""), endpoint)


@attrs.frozen
class CallbackUrl:
    """A webhook URL: as registered, as posted to, and the endpoint its signature covers.

    Attributes:
        text: The URL as given.
        url: The URL posted to: *text* without its fragment, its path and query
            unchanged but for spaces and non-ASCII, percent-encoded.
        endpoint: The path and query of *text*, exactly (`/` for an empty path).
    """

    text: str
    url: URL
    endpoint: str


def callback_url(text: str) -> CallbackUrl:
    """*text* as a webhook URL, if it is an http(s) URL on a loopback host.

    Raises:
        ValueError: It is not loopback http(s), holds a user name or password,
            or holds a control character or text UTF-8 cannot encode.
    """
    _loopback_url(text)
    check_endpoint(text.partition("#")[0], "a webhook URL")
    # The same checks on the part that says where the POST goes, cut from the text
    # as the endpoint is: whatever yarl makes of the rest, the host is loopback.
    origin = _ORIGIN.match(text)
    if origin is None:
        raise ValueError("a webhook URL must be an absolute http(s) URL")
    _loopback_url(origin.group())
    path_qs = text[origin.end() :].partition("#")[0]
    endpoint = path_qs if path_qs.startswith("/") else f"/{path_qs}"
    url = URL(origin.group() + wire_form(endpoint), encoded=True)
    return CallbackUrl(text, url, endpoint)


# A request still in flight at close() (one in a long delay fault, say) gets this
# long to finish, then as long again once cancelled: close() must not hang a test.
SHUTDOWN_TIMEOUT = 0.1


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve *app* on *host* (loopback) and *port* (0: a free one).

    Returns:
        The runner (`cleanup()` it to stop) and the base URL, `http://host:port`.

    Raises:
        OSError: the port cannot be bound.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = runner.addresses[0][1]
    shown = f"[{host}]" if ":" in host else host
    return runner, f"http://{shown}:{bound}"
