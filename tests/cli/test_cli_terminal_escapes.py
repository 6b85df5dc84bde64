"""Text from the API reaches a terminal inert: control characters escaped, no markup.

A hostile or broken server can put escape sequences in any string it sends (issue
#13, item 7). Tables, summaries and error lines show them as visible escapes
(`\\x1b`), so they can neither drive the terminal nor fake a line of output.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from conftest import Run, ServeData, ThreadedServer

# Each payload, and the start of what a person must see instead.
ESCAPES = [
    pytest.param("\x1b]0;pwned\x07", r"\x1b]0;pwned\x07", id="set-title"),
    pytest.param("\x1b[2J\x1b[H", r"\x1b[2J\x1b[H", id="clear-screen"),
    pytest.param("\x1b[1A\x1b[2KBRI", r"\x1b[1A\x1b[2KBRI", id="cursor-moves"),
    pytest.param("\x1b]8;;https://evil.example/\x1b\\x", r"\x1b]8;;", id="osc8-link"),
    pytest.param("\x9b2J", r"\x9b2J", id="c1-csi"),
    pytest.param("\u202eIRB", r"\u202eIRB", id="bidi-override"),
    pytest.param("BRI\r\nFAKE: ok", r"BRI\r\nFAKE: ok", id="fake-line"),
]
# An error line folds its whitespace into single spaces before escaping the rest.
ERROR_ESCAPES = [
    *ESCAPES[:-1],
    pytest.param("BRI\r\nFAKE: ok", "BRI FAKE: ok", id="fake-line"),
]
MARKUP = [
    pytest.param("[bold]BRI[/bold]", id="bold"),
    pytest.param("[link=https://evil.example]BRI[/link]", id="link"),
]
# rich's own colours; anything else that controls a terminal came from the data.
_RICH_STYLE = re.compile(r"\x1b\[[0-9;]*m")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def controls(output: str) -> list[str]:
    """The control characters in *output*, besides line ends and rich's colours."""
    return _CONTROL.findall(_RICH_STYLE.sub("", output))


def shown(output: str) -> str:
    """*output* as a person reads it: rich's colours removed."""
    return _RICH_STYLE.sub("", output)


def error_api(status: int, error: dict[str, Any]) -> web.Application:
    """An API answering every request, the token request too, with one error."""

    async def answer(_request: web.Request) -> web.Response:
        return web.json_response(
            {"status": status, "success": False, "error": error}, status=status
        )

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", answer)
    return app


ServeError = Callable[[int, dict[str, Any]], None]


@pytest.fixture(name="serve_error")
def _serve_error(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServeError]:
    """Serve `error_api(...)` on loopback, its URL and some credentials exported."""
    with contextlib.ExitStack() as servers:

        def serve(status: int, error: dict[str, Any]) -> None:
            api = TestServer(error_api(status, error), host="127.0.0.1")
            server = servers.enter_context(ThreadedServer(api))
            for name in ("VAPAY_API_KEY", "VAPAY_CLIENT_ID", "VAPAY_CLIENT_SECRET"):
                monkeypatch.setenv(name, "hostile")
            monkeypatch.setenv("VAPAY_BASE_URL", str(server.make_url("")).rstrip("/"))

        yield serve


@pytest.mark.parametrize(("payload", "visible"), ESCAPES)
def test_account_names_are_escaped_in_tables(
    run_tty: Run, serve_data: ServeData, payload: str, visible: str
) -> None:
    """`accounts list` shows an escape sequence in a name as text, never sends it."""
    serve_data(account={"name": payload})

    result = run_tty("accounts", "list")

    assert result.code == 0
    assert controls(result.out) == []
    assert visible in shown(result.out)


@pytest.mark.parametrize(("payload", "visible"), ESCAPES)
def test_account_statuses_are_escaped_in_the_field_table(
    run_tty: Run, serve_data: ServeData, payload: str, visible: str
) -> None:
    """`accounts get` shows an escape sequence in a status as text."""
    account = serve_data(account={"status": payload}).state.accounts[0]

    result = run_tty("accounts", "get", account.id)

    assert result.code == 0
    assert controls(result.out) == []
    assert visible in shown(result.out)


@pytest.mark.parametrize(("payload", "visible"), ESCAPES)
def test_bank_codes_are_escaped_in_virtual_account_tables(
    run_tty: Run, serve_data: ServeData, payload: str, visible: str
) -> None:
    """`virtual-accounts list` shows an escape sequence in a bank code as text."""
    account = serve_data(virtual_account={"bank_code": payload}).state.accounts[0]

    result = run_tty("virtual-accounts", "list", account.id, "--kind", "temporary")

    assert result.code == 0
    assert controls(result.out) == []
    assert visible in shown(result.out)


@pytest.mark.parametrize(("payload", "visible"), ESCAPES)
def test_summary_values_are_escaped(
    run_tty: Run, serve_data: ServeData, tmp_path: Path, payload: str, visible: str
) -> None:
    """The reconciliation summary shows escape sequences in statuses and banks as text."""
    serve_data(virtual_account={"bank_code": payload, "status": payload})

    result = run_tty("virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"))

    assert result.code == 0
    assert controls(result.out) == []
    assert shown(result.out).count(visible) == 2


@pytest.mark.parametrize(("payload", "visible"), ERROR_ESCAPES)
def test_error_messages_are_escaped(
    run: Run, serve_error: ServeError, payload: str, visible: str
) -> None:
    """The server's error message is shown escaped, on its one `vapay: error:` line."""
    serve_error(404, {"code": 404, "message": payload})

    result = run("--max-retries", "0", "accounts", "list")

    assert result.code == 1
    assert controls(result.err) == []
    assert result.err.startswith(f"vapay: error: not found (HTTP 404): {visible}")
    assert result.err.count("\n") == 1


def test_field_errors_are_escaped(run: Run, serve_error: ServeError) -> None:
    """A 422's field names and messages are shown escaped too."""
    errors = {"name\x1b[2J": ["bad\x9b2J"]}
    serve_error(422, {"code": 422, "message": "Validation error", "errors": errors})

    result = run("--max-retries", "0", "accounts", "list")

    assert controls(result.err) == []
    assert result.err == (
        "vapay: error: rejected (HTTP 422): Validation error (name\\x1b[2J: bad\\x9b2J)\n"
    )


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_names_is_shown_as_is(run_tty: Run, serve_data: ServeData, markup: str) -> None:
    """Rich markup in a name is printed as the text it is, not as style or link."""
    serve_data(account={"name": markup})

    result = run_tty("accounts", "list")

    assert markup in shown(result.out)
    assert "\x1b]8;" not in result.out


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_the_summary_is_shown_as_is(
    run_tty: Run, serve_data: ServeData, tmp_path: Path, markup: str
) -> None:
    """Rich markup in a bank code is printed as text in the summary."""
    serve_data(virtual_account={"bank_code": markup})

    result = run_tty("virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"))

    assert markup in shown(result.out)
    assert "\x1b]8;" not in result.out


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_error_messages_is_shown_as_is(
    run_tty: Run, serve_error: ServeError, markup: str
) -> None:
    """Rich markup in the server's error message is printed as text."""
    serve_error(404, {"code": 404, "message": markup})

    result = run_tty("--max-retries", "0", "accounts", "list")

    assert result.err == f"vapay: error: not found (HTTP 404): {markup}\n"


def test_json_output_keeps_the_exact_value(run: Run, serve_data: ServeData) -> None:
    """JSON output is not escaped for a terminal: it carries the exact string."""
    serve_data(account={"name": "\x1b]0;pwned\x07"})

    result = run("accounts", "list")

    assert json.loads(result.out.splitlines()[0])["name"] == "\x1b]0;pwned\x07"


@pytest.mark.parametrize(("payload", "visible"), ESCAPES)
def test_json_output_on_a_terminal_holds_no_control_character(
    run_tty: Run, serve_data: ServeData, payload: str, visible: str
) -> None:
    """`--json` on a terminal escapes every character a terminal acts on, keeping the value."""
    serve_data(account={"name": payload})

    result = run_tty("--json", "accounts", "list")

    assert result.code == 0
    assert controls(result.out) == []
    assert json.loads(result.out.splitlines()[0])["name"] == payload
