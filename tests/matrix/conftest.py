"""Fixtures of the matrix: the forking Lambda runner for the session, and a fresh cell per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cognito_user_import_emulator import Emulator

from matrix_harness import Cell, Zygote, new_cell, runtime_environment


@pytest.fixture(scope="session")
def zygote(emulator_server: Emulator) -> Iterator[Zygote]:
    runner = Zygote(runtime_environment(emulator_server))
    yield runner
    runner.close()


@pytest.fixture
def fresh_emulator(emulator: Emulator) -> Emulator:
    # Jobs end within a fraction of a second: a cell's invocations stay short.
    emulator.settings.pending_seconds = 0.05
    emulator.settings.min_run_seconds = 0.1
    return emulator


@pytest.fixture
def cell(fresh_emulator: Emulator, zygote: Zygote, tmp_path: Path) -> Iterator[Cell]:
    made = new_cell(fresh_emulator, zygote, tmp_path)
    yield made
    made.world.close()
