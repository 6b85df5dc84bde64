"""SIGTERM: a run is cancelled as by Ctrl-C, and the signal's handler is given back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from conftest import Result, Run, ThreadedSandbox
from vapay.sandbox import Sandbox

# The command line as a process of its own (vapay has no `python -m vapay`).
VAPAY = (sys.executable, "-c", "import sys; from vapay.cli import main; sys.exit(main())")
# Upper bounds only, for a loaded machine: each wait ends as soon as it can.
STARTUP_DEADLINE = 15.0
EXIT_DEADLINE = 15.0


def sandbox_environment(sandbox: Sandbox) -> dict[str, str]:
    """This process's environment, with *sandbox*'s settings in the `VAPAY_*` variables."""
    return {
        **os.environ,
        "VAPAY_API_KEY": sandbox.api_key,
        "VAPAY_CLIENT_ID": sandbox.client_id,
        "VAPAY_CLIENT_SECRET": sandbox.client_secret,
        "VAPAY_BASE_URL": sandbox.url,
    }


def wait_for(directory: Path, pattern: str, process: subprocess.Popen[str]) -> None:
    """Return once a file matching *pattern* exists in *directory*; fail if
    *process* ends or the deadline passes first."""
    deadline = time.monotonic() + STARTUP_DEADLINE
    while not any(directory.glob(pattern)):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{pattern} never appeared"
        time.sleep(0.01)


def test_sigterm_mid_export_exits_143_and_leaves_no_partial_file(tmp_path: Path) -> None:
    """SIGTERM mid-walk exits 143 with one line, removes the partial file, keeps the old export."""
    output = tmp_path / "vas.csv"
    output.write_text("earlier\n")
    # Some 200 page requests of 0.1 s, one at a time: far from done when stopped.
    with ThreadedSandbox(accounts=100, virtual_accounts_per_account=2, latency=0.1) as slow:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [*VAPAY, "virtual-accounts", "export", "-o", str(output), "--concurrency", "1"],
            env=sandbox_environment(slow),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(tmp_path, f".vas.csv.partial-{process.pid}-*", process)
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=EXIT_DEADLINE)
        finally:
            process.kill()
            process.wait()
        listed = slow.state.count("virtual_accounts.list")

    assert (process.returncode, out, err) == (143, "", "vapay: terminated\n")
    assert listed < 200
    assert list(tmp_path.iterdir()) == [output]
    assert output.read_text() == "earlier\n"


def test_sigterm_handler_of_the_caller_is_restored(
    run: Run, credentials: Sandbox, tmp_path: Path
) -> None:
    """After `main()` returns, SIGTERM is handled by the handler it had before."""

    def handler(signum: int, frame: FrameType | None) -> None:
        """A caller's own SIGTERM handler."""

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        result = run("virtual-accounts", "export", "-o", str(tmp_path / "vas.csv"))
        restored = signal.getsignal(signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert result.code == 0
    assert restored is handler


def test_main_runs_off_the_main_thread(run: Run, credentials: Sandbox) -> None:
    """In a worker thread, where no signal handler can be set, a run still succeeds."""
    results: list[Result] = []
    worker = threading.Thread(
        target=lambda: results.append(run("virtual-accounts", "export", "-o", "-"))
    )

    worker.start()
    worker.join(timeout=EXIT_DEADLINE)

    assert [result.code for result in results] == [0]
