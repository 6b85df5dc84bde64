"""The files `reconcile -o FILE` writes: safe to create, private, complete whatever the data.

Issue #13, items 11 to 13: the temporary file is created exclusively under a name
nobody can plant a link at, a replaced export keeps its mode while a new one is
private, and a lone surrogate in the data is written escaped instead of aborting.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Run, ServeData
from vapay.sandbox import Sandbox


def plant_symlink(planted: Path, victim: Path) -> None:
    """A link to a file the attacker wants overwritten."""
    victim.write_text("precious\n")
    planted.symlink_to(victim)


def plant_dangling_symlink(planted: Path, victim: Path) -> None:
    """A link to a file the attacker wants created."""
    planted.symlink_to(victim)


def plant_hard_link(planted: Path, victim: Path) -> None:
    """A second name for a file the attacker wants overwritten."""
    victim.write_text("precious\n")
    planted.hardlink_to(victim)


PLANTS = [
    pytest.param(plant_symlink, id="symlink"),
    pytest.param(plant_dangling_symlink, id="dangling-symlink"),
    pytest.param(plant_hard_link, id="hard-link"),
]


def mode(path: Path) -> int:
    """The permission bits of *path*."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("plant", PLANTS)
def test_a_link_planted_at_the_temporary_name_is_not_followed(
    run: Run,
    credentials: Sandbox,
    tmp_path: Path,
    plant: Callable[[Path, Path], None],
) -> None:
    """A link at the temporary file's old, predictable name never gets written through."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    output = tmp_path / "vas.csv"
    plant(tmp_path / f".vas.csv.partial-{os.getpid()}", victim)
    before = victim.read_text() if victim.exists() else None

    result = run("virtual-accounts", "export", "-o", str(output))

    assert result.code == 0, result.err
    assert (victim.read_text() if victim.exists() else None) == before
    assert output.read_text().startswith("account_id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".vas.csv.partial-" + str(os.getpid()),
        "elsewhere",
        "vas.csv",
    ]


@pytest.mark.parametrize("kept", [0o600, 0o640, 0o444], ids=oct)
def test_replacing_an_export_keeps_its_mode(
    run: Run, credentials: Sandbox, tmp_path: Path, kept: int
) -> None:
    """A replaced export has the mode the old file had."""
    output = tmp_path / "vas.csv"
    output.write_text("earlier\n")
    output.chmod(kept)

    result = run("virtual-accounts", "export", "-o", str(output))

    assert result.code == 0, result.err
    assert output.read_text().startswith("account_id,")
    assert mode(output) == kept


@pytest.mark.parametrize(
    ("umask", "created"),
    [(0o022, 0o600), (0o077, 0o600), (0o277, 0o400)],
    ids=["umask-022", "umask-077", "umask-277"],
)
def test_a_new_export_is_private(
    run: Run, credentials: Sandbox, tmp_path: Path, umask: int, created: int
) -> None:
    """A new export is readable by its owner only, or less where the umask says so."""
    output = tmp_path / "vas.csv"
    previous = os.umask(umask)
    try:
        result = run("virtual-accounts", "export", "-o", str(output))
    finally:
        os.umask(previous)

    assert result.code == 0, result.err
    assert mode(output) == created


def test_a_lone_surrogate_is_written_escaped_in_csv(
    run: Run, serve_data: ServeData, tmp_path: Path
) -> None:
    """A lone surrogate (valid JSON) is written as the text \\ud800; the export completes."""
    sandbox = serve_data(virtual_account={"bank_code": "BRI\ud800"})
    output = tmp_path / "vas.csv"

    result = run("virtual-accounts", "export", "-o", str(output))

    assert result.code == 0, result.err
    with output.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    first = sandbox.state.accounts[0].id
    assert {row["bank"] for row in rows if row["account_id"] == first} == {"BRI\\ud800"}
    assert len(rows) == sum(len(v) for v in sandbox.state.virtual_accounts.values())


def test_a_lone_surrogate_stays_the_same_json_string(
    run: Run, serve_data: ServeData, tmp_path: Path
) -> None:
    """In JSON Lines the escape is JSON's own: the row reads back as the string sent."""
    sandbox = serve_data(virtual_account={"bank_code": "BRI\ud800"})
    output = tmp_path / "vas.jsonl"

    result = run("virtual-accounts", "export", "-o", str(output))

    assert result.code == 0, result.err
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    first = sandbox.state.accounts[0].id
    assert {row["bank"] for row in rows if row["account_id"] == first} == {"BRI\ud800"}
