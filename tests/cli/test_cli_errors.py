"""Exit codes and one-line errors: credentials, flags, connections, a missing rich."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import Run
from vapay import __version__
from vapay.sandbox import Sandbox


def flags(sandbox: Sandbox, **overrides: str) -> list[str]:
    """The connection flags for *sandbox*, some replaced."""
    settings = {
        "api-key": sandbox.api_key,
        "client-id": sandbox.client_id,
        "client-secret": sandbox.client_secret,
        "base-url": sandbox.url,
        **overrides,
    }
    return [arg for name, value in settings.items() for arg in (f"--{name}", value)]


def test_flags_are_enough_without_environment(run: Run, sandbox: Sandbox) -> None:
    """Credentials and base URL given as flags work with no `VAPAY_*` set."""
    result = run(*flags(sandbox), "accounts", "get", sandbox.state.accounts[0].id)

    assert result.code == 0
    assert json.loads(result.out)["id"] == sandbox.state.accounts[0].id


def test_global_flags_may_follow_the_command(run: Run, sandbox: Sandbox) -> None:
    """Connection flags work after the subcommand too."""
    result = run("accounts", "get", sandbox.state.accounts[0].id, *flags(sandbox))

    assert result.code == 0


def test_flags_override_environment(
    run: Run, credentials: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flag wins over its variable."""
    monkeypatch.setenv("VAPAY_CLIENT_SECRET", "stale-secret-in-the-shell")

    result = run("--client-secret", credentials.client_secret, "accounts", "list")

    assert result.code == 0


def test_bad_secret_is_one_line_without_the_secret(run: Run, sandbox: Sandbox) -> None:
    """A wrong client secret exits 1 with the server's reason, no traceback, no secret."""
    secret = "wrong-secret-value-1234"

    result = run(*flags(sandbox, **{"client-secret": secret}), "accounts", "list")

    assert (result.code, result.out) == (1, "")
    assert result.err == "vapay: error: authentication failed (HTTP 401): Invalid signature\n"
    assert secret not in result.err


def test_bad_api_key_is_named(run: Run, sandbox: Sandbox) -> None:
    """A wrong API key exits 1 naming the partner id as the problem."""
    result = run(
        *flags(sandbox, **{"api-key": "not-the-key"}), "virtual-accounts", "export", "-o", "-"
    )

    assert result.code == 1
    assert result.err == "vapay: error: authentication failed (HTTP 401): Invalid partner id\n"


def test_missing_credentials_name_flags_and_variables(run: Run) -> None:
    """With no credentials anywhere, the error names each flag and its variable."""
    result = run("accounts", "list")

    assert result.code == 1
    assert result.err == (
        "vapay: error: missing credentials: set --api-key or $VAPAY_API_KEY, "
        "--client-id or $VAPAY_CLIENT_ID, --client-secret or $VAPAY_CLIENT_SECRET\n"
    )


def test_unreachable_api_names_the_url(run: Run, sandbox: Sandbox) -> None:
    """A refused connection exits 1 naming the base URL it tried."""
    url = "http://127.0.0.1:9"  # the discard port: nothing listens there

    result = run(*flags(sandbox, **{"base-url": url}), "--max-retries", "0", "accounts", "list")

    assert result.code == 1
    assert result.err.startswith(f"vapay: error: cannot reach {url}: ")
    assert result.err.count("\n") == 1


def test_insecure_base_url_is_refused(run: Run, sandbox: Sandbox) -> None:
    """A plain-http URL off loopback exits 1 before anything is sent."""
    result = run(*flags(sandbox, **{"base-url": "http://example.com"}), "accounts", "list")

    assert result.code == 1
    assert result.err.startswith("vapay: error: base_url 'http://example.com' is plain http")


def test_unknown_flag_is_a_usage_error(run: Run) -> None:
    """An unknown flag exits 2 with argparse's usage message."""
    result = run("accounts", "list", "--bogus")

    assert result.code == 2
    assert "unrecognized arguments: --bogus" in result.err


def test_no_command_is_a_usage_error(run: Run) -> None:
    """`vapay` alone exits 2 and says a command is needed."""
    result = run()

    assert result.code == 2
    assert "required: command" in result.err


def test_bad_number_is_a_usage_error(run: Run) -> None:
    """A timeout that is not a positive number exits 2."""
    result = run("--timeout", "soon", "accounts", "list")

    assert result.code == 2
    assert "not a number: 'soon'" in result.err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e2", "not an integer: '1e2'"),
        ("26", "must be <= 25 (the API's maximum for virtual accounts), got 26"),
        ("9" * 400, f"must be <= 25 (the API's maximum for virtual accounts), got {'9' * 40}..."),
        ("9" * 5000, f"not an integer: '{'9' * 40}...'"),
    ],
    ids=["exponent", "past-the-maximum", "400-digits", "5000-digits"],
)
def test_bad_page_size_is_named_briefly(run: Run, value: str, message: str) -> None:
    """A page size that is no integer, or absurdly long, is refused in one short line."""
    result = run("virtual-accounts", "export", "-o", "-", "--per-page", value)

    assert result.code == 2
    assert message in result.err
    assert len(result.err) < 1000


def test_version(run: Run) -> None:
    """`--version` prints the installed version and exits 0."""
    result = run("--version")

    assert (result.code, result.out) == (0, f"vapay {__version__}\n")


def test_help_exits_zero(run: Run) -> None:
    """`--help` lists the commands and exits 0."""
    result = run("--help")

    assert result.code == 0
    assert "reconcile" in result.out


def test_missing_rich_is_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without rich, every command but `sandbox` says how to install it, and exits 1."""
    monkeypatch.setitem(sys.modules, "rich", None)

    result = run("accounts", "list")

    assert (result.code, result.out) == (1, "")
    assert result.err == "vapay: the command line needs rich: pip install 'vapay[cli]'\n"


def test_library_and_entry_point_import_without_rich() -> None:
    """`import vapay` and `import vapay.cli` load no rich: it is an optional extra."""
    code = "import sys, vapay, vapay.cli; print('rich' in sys.modules)"

    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout == "False\n"


@pytest.mark.parametrize("value", ["inf", "nan", "Infinity"])
def test_a_non_finite_timeout_is_a_bad_flag(run: Run, value: str) -> None:
    """--timeout inf|nan is refused by the parser (exit 2), not a traceback later."""
    result = run("--timeout", value, "accounts", "list")

    assert result.code == 2
    assert "finite" in result.err
