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

import abc
import ipaddress
import re
from types import TracebackType
from typing import TypeVar
from urllib.parse import quote

import attrs
from aiohttp import web
from typing_extensions import Self
from yarl import URL

S = TypeVar("S", bound="LoopbackServer")

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


async def _serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
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


class LoopbackServer(abc.ABC):
    """An aiohttp application served on loopback: `start()`, `url`, `close()`, `async with`.

    Subclasses say what they serve (`_application`), where (`_address`), what
    their URL adds to the base (`_url_of`), what to stop first (`_before_close`),
    and their name in messages (`_name`).
    """

    _name = "server"

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    @abc.abstractmethod
    def _application(self) -> web.Application:
        """The application to serve."""

    @abc.abstractmethod
    def _address(self) -> tuple[str, int]:
        """The loopback host and port (0: a free one) to bind."""

    def _url_of(self, base: str) -> str:
        return base

    async def _before_close(self) -> None:  # noqa: B027 - a hook; nothing by default
        """What to stop before the server (background work that uses it)."""

    @property
    def url(self) -> str:
        """Where it is served, `http://127.0.0.1:PORT` (and any path of its own).

        Raises:
            RuntimeError: It is not started.
        """
        if self._url is None:
            raise RuntimeError(f"The {self._name} is not started: use `async with` or start().")
        return self._url

    async def start(self) -> None:
        """Bind and start serving.

        Raises:
            RuntimeError: It is already started.
            OSError: The port cannot be bound.
        """
        if self._runner is not None:
            raise RuntimeError(f"The {self._name} is already started.")
        host, port = self._address()
        self._runner, base = await _serve(self._application(), host, port)
        self._url = self._url_of(base)

    async def close(self) -> None:
        """Stop serving and close every connection. Safe to call twice."""
        await self._before_close()
        runner, self._runner, self._url = self._runner, None, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
