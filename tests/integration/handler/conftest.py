"""The `deployment` fixture: a fresh pool, logs role and handler function in the emulator for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from handler_world import create_world

from cognito_user_import_emulator import Emulator
from cognito_user_import_handler import index
from cognito_user_import_handler.clients import AwsClients
from cognito_user_import_handler.service import ImportService

from cfn_harness import Deployment


@pytest.fixture
def deployment(emulator: Emulator) -> Iterator[Deployment]:
    emulator.settings.pending_seconds = 0.2
    emulator.settings.min_run_seconds = 0.3
    # The handler caches its crhelper resource and clients between invocations, as a warm Lambda does;
    # each test starts cold.
    index._resource = None
    # Polling faster than the production 2 s keeps the suite short; the waiting logic is the same.
    index._service = ImportService(AwsClients(), poll_seconds=0.5)
    world = create_world(emulator.url)
    yield Deployment(world)
    world.close()
