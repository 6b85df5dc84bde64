"""A real `redis-server` on a free loopback port, started and stopped by the tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server")
_STARTUP = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def require_redis_server() -> str:
    """The redis-server binary; a failure in CI when it is missing, else a skip."""
    if REDIS_SERVER is not None:
        return REDIS_SERVER
    if os.environ.get("CI") == "true":
        pytest.fail("redis-server is missing: .ci/run installs it (apt-get install redis-server)")
    pytest.skip("redis-server is not installed (apt-get install redis-server): no real Redis")


class RedisServer:
    """One redis-server process: no persistence, loopback only, in its own folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - a fixed command
            [
                require_redis_server(),
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + _STARTUP
        while time.monotonic() < deadline:
            assert self._process.poll() is None, "redis-server exited at start"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
            except OSError:
                time.sleep(0.02)
            else:
                return
        pytest.fail(f"redis-server did not listen on port {self.port}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
