"""``cognito-user-import emulator``: serve the emulator in the foreground until SIGINT or SIGTERM.

It runs with the Emulator's defaults, AWS-quota mode included, unless given other settings; every
setting can be switched while it runs (``POST /_emulator/settings``). Its help text is in cli_help.py.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from .server import Emulator
from .settings import EmulatorSettings


def serve_forever(host: str, port: int, *, settings: EmulatorSettings | None = None) -> int:
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        with Emulator(host=host, port=port, settings=settings, log_requests=True) as emulator:
            print(f"Cognito import emulator listening on {emulator.url}", flush=True)
            mode = "on" if emulator.settings.aws_quotas else "off"
            latency = emulator.settings.call_latency()
            logging.info("AWS-quota mode %s, %.3f s per Cognito call", mode, latency)
            # Event.wait with a timeout keeps the main thread responsive to signals.
            while not stop.wait(0.5):
                pass
            print("Cognito import emulator stopping", file=sys.stderr, flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
