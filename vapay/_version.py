"""The installed distribution's version: one source of truth, pyproject.toml."""

from importlib.metadata import version

__version__ = version("vapay")
