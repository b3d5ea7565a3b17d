"""`cognito-user-import emulator --port N` as a real process: prints its URL, serves, stops on signals."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

from cognito_user_import_emulator import EmulatorControl


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("cognito-user-import")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "cognito_user_import_cli.main"]
    return [*base, "emulator", "--port", str(port)]


def test_emulator_command_serves_until_sigterm_or_sigint() -> None:
    # Both processes start together: each pays the package's import time once, in parallel.
    runs = {}
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        port = _free_port()
        process = subprocess.Popen(
            _command(port), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        runs[stop_signal] = (port, process)
    try:
        for stop_signal, (port, process) in runs.items():
            assert process.stdout is not None
            # readline blocks until the line comes; the process prints it once it serves.
            line = process.stdout.readline()
            assert line == f"Cognito import emulator listening on http://127.0.0.1:{port}\n", process.stderr
            assert EmulatorControl(f"http://127.0.0.1:{port}").health()["status"] == "ok"
            process.send_signal(stop_signal)
            assert process.wait(timeout=20) == 0
    finally:
        for _, process in runs.values():
            if process.poll() is None:
                process.kill()
                process.wait()
