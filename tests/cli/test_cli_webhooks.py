"""`vapay webhooks verify`: a saved delivery in, its event or its refusal out; exits 0, 1, 2."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from conftest import Result, Run
from vapay import _webhook_signing as signing

VECTORS = json.loads(
    (Path(__file__).parent.parent / "data" / "webhook-vectors.json").read_text(encoding="utf-8")
)
DOCUMENTED = VECTORS["vectors"][0]
SECRET = VECTORS["secret"]
ENDPOINT = VECTORS["endpoint"]
NOW = str(VECTORS["vectors"][0]["verify_with"]["now"])


@pytest.fixture(autouse=True)
def _secret_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    monkeypatch.setenv("OTHER_SECRET", "another-credential-secret")


def saved(tmp_path: Path, body: str = DOCUMENTED["raw_body"], **headers: str) -> str:
    """A delivery file as the command reads it; the documented one by default."""
    path = tmp_path / "delivery.json"
    delivery = {"headers": {**DOCUMENTED["headers"], **headers}, "body": body}
    path.write_text(json.dumps(delivery), encoding="utf-8")
    return str(path)


def verify_args(file: str, *extra: str) -> list[str]:
    return [
        "webhooks",
        "verify",
        "--endpoint",
        ENDPOINT,
        "--secret-env",
        "HOOK_SECRET",
        "--now",
        NOW,
        *extra,
        file,
    ]


def shows_no_secret(result: Result) -> bool:
    text = result.out + result.err
    return SECRET not in text and DOCUMENTED["headers"]["X-Signature"] not in text


def test_a_verified_delivery_prints_its_event_as_json(run: Run, tmp_path: Path) -> None:
    """Piped, a verified delivery is one JSON object with the event's fields; exit 0."""
    result = run(*verify_args(saved(tmp_path)))

    assert result.code == 0
    printed = json.loads(result.out)
    assert (printed["verified"], printed["type"]) == (True, "VATransactionEvent")
    assert printed["event"]["transaction_id"] == "3211120250926133543246"
    assert printed["event"]["amount"] == {"value": "100000", "currency": "IDR"}
    assert printed["event"]["post_timestamp"] == "2025-12-26T06:35:43+00:00"
    assert "raw" not in printed["event"]


def test_a_terminal_gets_a_few_readable_lines(run_tty: Run, tmp_path: Path) -> None:
    """On a terminal, the event is a heading and one line per field, times in Jakarta."""
    result = run_tty(*verify_args(saved(tmp_path)))

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "verified: VATransactionEvent (va-transaction)"
    assert "  transaction_id       3211120250926133543246" in lines
    assert "  amount               100000 IDR" in lines
    assert "  post_timestamp       2025-12-26T13:35:43+07:00" in lines


def test_json_on_a_terminal_when_asked(run_tty: Run, tmp_path: Path) -> None:
    """--json gives JSON even on a terminal."""
    result = run_tty(*verify_args(saved(tmp_path), "--json"))

    assert json.loads(result.out)["verified"] is True


def test_a_forged_delivery_is_refused_with_exit_1(run: Run, tmp_path: Path) -> None:
    """A wrong signature prints the refusal as JSON and exits 1."""
    result = run(*verify_args(saved(tmp_path, **{"X-Signature": "ab" * 64})))

    assert result.code == 1
    printed = json.loads(result.out)
    assert (printed["verified"], printed["reason"]) == (False, "bad_signature")
    assert "signature does not match" in printed["message"]
    assert shows_no_secret(result)


def test_a_terminal_gets_the_refusal_on_stderr(run_tty: Run, tmp_path: Path) -> None:
    """On a terminal, the refusal is one line on stderr naming the reason."""
    result = run_tty(*verify_args(saved(tmp_path, **{"X-Signature": "ab" * 64})))

    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("vapay: refused (bad_signature): ")
    assert shows_no_secret(result)


def test_without_now_an_old_delivery_is_expired(run: Run, tmp_path: Path) -> None:
    """The clock is the default: the documented delivery, from 2025, is expired."""
    args = ["webhooks", "verify", "--endpoint", ENDPOINT, "--secret-env", "HOOK_SECRET"]

    result = run(*args, saved(tmp_path))

    assert result.code == 1
    assert json.loads(result.out)["reason"] == "expired"


def test_tolerance_widens_the_window(run: Run, tmp_path: Path) -> None:
    """--tolerance lets a delivery older than 300 s verify."""
    result = run(*verify_args(saved(tmp_path), "--now", str(int(NOW) + 900), "--tolerance", "1000"))

    assert result.code == 0


def test_every_secret_variable_is_a_candidate(run: Run, tmp_path: Path) -> None:
    """With two --secret-env, the second one's secret verifies."""
    args = ["webhooks", "verify", "--endpoint", ENDPOINT, "--now", NOW]

    result = run(
        *args, "--secret-env", "OTHER_SECRET", "--secret-env", "HOOK_SECRET", saved(tmp_path)
    )

    assert result.code == 0


def test_stdin_is_read_for_a_dash(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FILE `-` reads the delivery from stdin."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(Path(saved(tmp_path)).read_text()))

    result = run(*verify_args("-"))

    assert result.code == 0


def test_a_signed_bad_body_is_refused_as_bad_body(run: Run, tmp_path: Path) -> None:
    """A body signed over its raw bytes but not JSON is refused as bad_body."""
    body = '{"a": NaN}'
    timestamp = DOCUMENTED["headers"]["X-Timestamp"]
    signature = signing.sign(
        SECRET, endpoint=ENDPOINT, token=VECTORS["token"], body=body.encode(), timestamp=timestamp
    )

    result = run(*verify_args(saved(tmp_path, body, **{"X-Signature": signature})))

    assert (result.code, json.loads(result.out)["reason"]) == (1, "bad_body")


def test_a_missing_variable_is_a_usage_error_naming_it(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unset --secret-env variable exits 2 and names it, echoing no value."""
    monkeypatch.delenv("HOOK_SECRET")
    args = ["webhooks", "verify", "--endpoint", ENDPOINT, "--now", NOW, "--secret-env"]

    result = run(*args, "OTHER_SECRET", "--secret-env", "HOOK_SECRET", saved(tmp_path))

    assert (result.code, result.out) == (2, "")
    assert "HOOK_SECRET is not set" in result.err
    assert "another-credential-secret" not in result.err


def test_an_empty_variable_is_a_usage_error(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty secret (which anyone could sign with) is refused before verifying."""
    monkeypatch.setenv("HOOK_SECRET", "")

    result = run(*verify_args(saved(tmp_path)))

    assert result.code == 2
    assert "HOOK_SECRET is empty" in result.err


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("not json", "is not JSON"),
        ('["a list"]', 'needs "body"'),
        ('{"headers": {}}', 'needs "body"'),
        ('{"headers": [], "body": "{}"}', 'needs "headers"'),
        ('{"headers": {"X-Signature": null}, "body": "{}"}', 'needs "headers"'),
        ('{"body": "{}"}', 'needs "headers"'),
    ],
    ids=["not-json", "a-list", "no-body", "headers-a-list", "header-null", "no-headers"],
)
def test_a_malformed_file_is_a_usage_error(
    run: Run, tmp_path: Path, content: str, complaint: str
) -> None:
    """A FILE that is not a saved delivery exits 2 with what it lacks."""
    path = tmp_path / "delivery.json"
    path.write_text(content, encoding="utf-8")

    result = run(*verify_args(str(path)))

    assert result.code == 2
    assert complaint in result.err


def test_a_missing_file_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    """A FILE that cannot be read exits 2."""
    result = run(*verify_args(str(tmp_path / "nowhere.json")))

    assert result.code == 2
    assert "cannot read" in result.err


def test_the_endpoint_is_required(run: Run, tmp_path: Path) -> None:
    """Without --endpoint, argparse exits 2."""
    result = run("webhooks", "verify", "--secret-env", "HOOK_SECRET", saved(tmp_path))

    assert result.code == 2
    assert "--endpoint" in result.err


def test_an_unknown_event_prints_its_data(run_tty: Run, tmp_path: Path) -> None:
    """Another product's event verifies as an UnknownEvent, its data shown."""
    body = '{"event": "qris-acquirer-transaction", "data": {"amount": 1.50}}'
    headers = signing.signed_headers(
        body.encode(),
        endpoint=ENDPOINT,
        secret=SECRET,
        api_key="k",
        timestamp=int(NOW),
        token=VECTORS["token"],
    )

    result = run_tty(*verify_args(saved(tmp_path, body, **headers)))

    assert result.code == 0
    assert result.out.splitlines() == [
        "verified: UnknownEvent (qris-acquirer-transaction)",
        '  data  {"amount": "1.50"}',
    ]


def test_control_characters_never_reach_the_terminal(run_tty: Run, tmp_path: Path) -> None:
    """An escape sequence in a field is shown escaped, not sent to the terminal."""
    body = '{"event": "x\\u001b[2J", "data": "\\u001b]0;pwned\\u0007"}'
    headers = signing.signed_headers(
        body.encode(), endpoint=ENDPOINT, secret=SECRET, api_key="k", timestamp=int(NOW)
    )

    result = run_tty(*verify_args(saved(tmp_path, body, **headers)))

    assert result.code == 0
    assert "\x1b" not in result.out
    assert "\x07" not in result.out
    assert result.out.splitlines()[0] == "verified: UnknownEvent (x\\x1b[2J)"
