"""``validate`` with the pool's shape given by flags: a pool that does not exist yet, checked exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cognito_user_import_cli.main import main

HEADER = "cognito:username,email,email_verified,custom:tenant\n"


def _migration(path: Path, rows: int, duplicates: int) -> Path:
    """rows users; the last `duplicates` repeat earlier usernames in another case."""
    lines = [HEADER]
    for index in range(rows - duplicates):
        lines.append(f"Cust{index:05d},cust{index:05d}@example.com,true,acme\n")
    for index in range(duplicates):
        lines.append(f"cust{index:05d},other{index:05d}@example.com,true,acme\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_case_insensitive_duplicates_are_found_only_with_the_pools_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(_migration(tmp_path / "users.csv", 20_000, 5))

    assert main(["validate", path]) == 0  # generic rules: usernames compared as written
    capsys.readouterr()
    assert main(["validate", path, "--case-insensitive", "--custom", "tenant"]) == 1

    problems = capsys.readouterr().err
    assert "5 problems" in problems, problems
    assert all(f"cust{index:05d}" in problems for index in range(5))


def test_a_column_the_shaped_pool_lacks_and_a_missing_required_attribute_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(_migration(tmp_path / "users.csv", 3, 0))

    assert main(["validate", path, "--required", "email,given_name", "--custom", "plan"]) == 1

    problems = capsys.readouterr().err
    assert "custom:tenant" in problems and "given_name" in problems, problems


def test_the_shape_and_a_pool_schema_file_are_not_both_taken(tmp_path: Path) -> None:
    path = str(_migration(tmp_path / "users.csv", 3, 0))
    assert main(["validate", path, "--mfa", "OFF", "--pool-schema", "pool.json"]) == 2
