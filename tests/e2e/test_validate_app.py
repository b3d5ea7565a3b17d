"""`validate --app`: each UserImport's file checked against its own pool, as synth does."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_app import copy_fixture_app

pytestmark = pytest.mark.e2e


def test_validate_app_finds_the_case_insensitive_duplicates_synth_finds(tmp_path: Path) -> None:
    app = copy_fixture_app("migration", tmp_path / "app")
    lines = ["cognito:username,email,email_verified\n"]
    lines += [f"Cust{i:05d},cust{i:05d}@example.com,true\n" for i in range(19_995)]
    lines += [
        f"cust{i:05d},other{i:05d}@example.com,true\n" for i in range(5)
    ]  # the same users, in lower case
    app.users_csv.write_text("".join(lines), encoding="utf-8")

    found = app.cli("validate", "--app")

    assert found.exit_code == 1, found.output
    assert "5 problems in seed/users.csv" in found.output
    assert all(
        f"value 'cust{i:05d}' is a duplicate of line {i + 2} when case is ignored" in found.output
        for i in range(5)
    )

    app.users_csv.write_text("".join(lines[:-5]), encoding="utf-8")
    clean = app.cli("validate", "--app")
    assert clean.exit_code == 0, clean.output
    assert "Migration: 1 UserImport, each file OK against its pool" in clean.output
