"""End-to-end fixtures: a fast emulator and the sample app copied into a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_app import SampleApp, copy_sample_app

from cognito_user_import_emulator import Emulator


@pytest.fixture
def fast_emulator(emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator, reset, with jobs that finish in well under a second."""
    emulator.update_settings(
        pending_seconds=0.1, min_run_seconds=0.2, seconds_per_row=0.001, tick_seconds=0.02
    )
    yield emulator


@pytest.fixture
def sample_app(tmp_path: Path) -> SampleApp:
    return copy_sample_app(tmp_path / "app")
