"""pytest plugin: ``emulator_server`` (one emulator per session) and ``emulator`` (reset, env set).

Enable with ``pytest_plugins = ["cognito_user_import.emulator.testing"]`` in a root conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import Emulator


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """One emulator on a free port for the whole test session."""
    with Emulator(host="127.0.0.1", port=0) as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_server: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The session emulator, reset (state, faults, settings), with boto3's environment pointing at it."""
    emulator_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server.url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", emulator_server.region)
    monkeypatch.setenv("AWS_REGION", emulator_server.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield emulator_server
    emulator_server.faults.clear()
