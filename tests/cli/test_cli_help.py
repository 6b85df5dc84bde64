"""Every option explains itself and its default; `python -m vapay` runs the command."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

import pytest

from vapay import __version__
from vapay._cli._args import build_parser
from vapay.sandbox._serve import _parser as sandbox_parser


def options(parser: argparse.ArgumentParser, where: str) -> Iterator[tuple[str, argparse.Action]]:
    """(command path, option) for every optional argument, subcommands included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from options(sub, f"{where} {name}")
        elif action.option_strings and not isinstance(
            action, (argparse._HelpAction, argparse._VersionAction)
        ):
            yield f"{where} {action.option_strings[-1]}", action


OPTIONS = dict(options(build_parser(), "vapay")) | dict(options(sandbox_parser(), "vapay sandbox"))


@pytest.mark.parametrize("option", list(OPTIONS))
def test_every_option_has_help_naming_its_default(option: str) -> None:
    """Each option's help says what it does and its default (or that it is required)."""
    action = OPTIONS[option]

    assert action.help, option
    assert action.required or "default" in action.help, (option, action.help)


@pytest.mark.parametrize("module", ["vapay", "vapay.cli"])
def test_python_dash_m_prints_the_version(module: str) -> None:
    """`python -m vapay --version` and `python -m vapay.cli --version` print it, warning-free."""
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-W", "error", "-m", module, "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, f"vapay {__version__}\n", "")


def test_python_dash_m_vapay_runs_a_command() -> None:
    """`python -m vapay` without a command is the CLI's usage error, exit code 2."""
    result = subprocess.run(
        [sys.executable, "-m", "vapay"], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 2
    assert "required: command" in result.stderr
