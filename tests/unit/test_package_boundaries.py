"""Each package loads only what its product needs: an app that imports the construct does not pull in the
emulator, the local driver or moto, and the emulator (the oracle) never loads the handler's rules."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(statement: str) -> set[str]:
    """Top-level packages loaded in a fresh interpreter after ``statement``."""
    probe = f"import sys\n{statement}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import cognito_user_import",
        "from cognito_user_import import UserImport, UserCsv, ImportLogsRole, UserRecord, ExistingUsers",
    ],
)
def test_the_construct_loads_neither_emulator_driver_nor_moto(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert not loaded & {"cognito_user_import_emulator", "cognito_user_import_local", "moto"}, loaded


def test_the_emulator_loads_neither_the_handler_nor_the_csv_rules_beyond_the_facts() -> None:
    probe = (
        "import cognito_user_import_emulator, cognito_user_import_emulator.server\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('cognito_user'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import sys\n{probe}"], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert not {m for m in loaded if m.startswith(("cognito_user_import_handler", "cognito_user_import."))}
    assert {m for m in loaded if m.startswith("cognito_user_csv.")} <= {"cognito_user_csv.facts"}, loaded


def test_validate_needs_neither_cdk_nor_moto() -> None:
    loaded = _loaded_after("import cognito_user_import_cli.validate")
    assert not loaded & {"aws_cdk", "jsii", "moto"}, loaded
