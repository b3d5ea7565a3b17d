"""`cognito-user-import emulator --port N` as a real process: prints its URL, serves, stops on signals."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cognito_user_import.emulator import EmulatorControl


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("cognito-user-import")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "cognito_user_import.cli"]
    return [*base, "emulator", "--port", str(port)]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_emulator_command_serves_until_signalled(stop_signal: signal.Signals) -> None:
    port = _free_port()
    process = subprocess.Popen(
        _command(port), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        first_line: list[str] = []
        reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=60)
        assert first_line == [f"Cognito import emulator listening on http://127.0.0.1:{port}\n"]
        assert EmulatorControl(f"http://127.0.0.1:{port}").health()["status"] == "ok"
        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
