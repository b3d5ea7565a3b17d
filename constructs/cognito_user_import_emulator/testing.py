"""pytest plugin: ``emulator_server`` (one emulator per session), ``emulator`` (reset, env set) and
``emulator_aws_quotas`` (the same with AWS-quota mode on).

Enable with ``pytest_plugins = ["cognito_user_import_emulator.testing"]`` in a root conftest.py.

The fixtures run with AWS-quota mode off and no call latency (FIXTURE_SETTINGS), unlike the Emulator
class and the CLI: tests stay fast and are never throttled unless they ask for it, with
``emulator.settings.aws_quotas = True`` or the ``emulator_aws_quotas`` fixture. Every test starts from
these settings again (``emulator`` resets before, and restores the settings after, each test).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import Emulator
from .settings import EmulatorSettings

#: The settings the fixtures' emulator starts with and returns to between tests.
FIXTURE_SETTINGS: dict[str, float | bool | None] = {"aws_quotas": False, "call_latency_seconds": 0.0}


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """One emulator on a free port for the whole test session (AWS-quota mode off, no latency)."""
    settings = EmulatorSettings()
    settings.update(FIXTURE_SETTINGS)
    with Emulator(host="127.0.0.1", port=0, settings=settings) as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_server: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The session emulator, reset (state, faults, call counts, settings), with boto3's environment
    pointing at it."""
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
    emulator_server.restore_settings()


@pytest.fixture
def emulator_aws_quotas(emulator: Emulator) -> Emulator:
    """``emulator`` with AWS-quota mode on (Cognito's request-rate quotas enforced), still no latency."""
    emulator.settings.aws_quotas = True
    return emulator
