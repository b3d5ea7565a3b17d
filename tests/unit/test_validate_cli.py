"""``cognito-user-import validate``: messages on stderr, one line per clean file, exit status."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cognito_user_import_cli.main import main
from cognito_user_import_cli.validate import HELP, run_validate

CORPUS = Path(__file__).parent / "csv_corpus"


def validate(files: list[str], schema: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_validate(files, schema, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_clean_file(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text("username,email,email_verified\na,a@x.org,true\nb,b@x.org,true\n", encoding="utf-8")
    assert validate([str(path)]) == (0, f"{path}: 2 users, OK\n", "")


def test_bad_file_prints_every_problem_and_exits_1() -> None:
    bad = str(CORPUS / "bad" / "value_formats.csv")
    status, out, err = validate([bad])
    assert status == 1 and out == ""
    assert err.startswith(f"11 problems in {bad}:\n")
    assert f"  {bad}:4 (c): column updated_at: value '17.5' is not a time in epoch seconds" in err


def test_cap_and_count_of_the_rest() -> None:
    _, _, err = validate([str(CORPUS / "bad" / "many_problems.csv")])
    assert err.count("is not an email address") == 20
    assert err.endswith("  ... and 5 more\n")


def test_several_files_each_reported(tmp_path: Path) -> None:
    good = str(CORPUS / "good" / "generic_basic.csv")
    missing = str(tmp_path / "missing.csv")
    status, out, err = validate([good, missing, str(CORPUS / "bad" / "empty.csv")])
    assert status == 1
    assert out == f"{good}: 2 users, OK\n"
    assert f"{missing}: cannot read:" in err and "the file is empty" in err


def test_pool_schema_from_saved_describe_user_pool(tmp_path: Path) -> None:
    pool = str(CORPUS / "pool.json")
    status, out, _ = validate([str(CORPUS / "good" / "pool_full.csv")], pool)
    assert status == 0 and out.endswith("pool_full.csv: 2 users, OK\n")
    # The generic rules accept custom:shoe; this pool has no such attribute.
    status, _, err = validate([str(CORPUS / "bad" / "pool_custom.csv")], pool)
    assert status == 1 and "column custom:shoe: is not a column of this pool" in err
    # Without GetCSVHeader's list the header is derived from the pool's attributes.
    raw = json.loads((CORPUS / "pool.json").read_text(encoding="utf-8"))
    del raw["CSVHeader"]
    (tmp_path / "describe.json").write_text(json.dumps(raw), encoding="utf-8")
    assert validate([str(CORPUS / "good" / "pool_full.csv")], str(tmp_path / "describe.json"))[0] == 0


def test_unreadable_pool_schema_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text("[1, 2]", encoding="utf-8")
    status, _, err = validate([str(CORPUS / "good" / "generic_basic.csv")], str(path))
    assert status == 2 and "cannot read the pool schema" in err
    assert validate(["x.csv"], str(tmp_path / "nope.json"))[0] == 2


def test_through_the_console_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CORPUS / "good" / "generic_basic.csv")]) == 0
    assert capsys.readouterr().out.endswith("generic_basic.csv: 2 users, OK\n")
    assert main(["validate", str(CORPUS / "bad" / "duplicate_username.csv")]) == 1
    assert "is a duplicate of line 2" in capsys.readouterr().err


def test_help_documents_aliases() -> None:
    assert HELP is not None and "``username``" in HELP and "``mfa_enabled``" in HELP


def test_password_hash_column_needs_the_algorithm(tmp_path: Path) -> None:
    path = tmp_path / "hashed.csv"
    path.write_text(
        "username,email,email_verified,password_hash\na,a@x.org,true,$2b$12$hash\n", encoding="utf-8"
    )
    status, _, err = validate([str(path)])
    assert status == 1 and "column password_hash: is allowed only in a job created with" in err
    assert "$2b$12$hash" not in err
    out, err_io = io.StringIO(), io.StringIO()
    assert run_validate([str(path)], None, out=out, err=err_io, password_hashing_algorithm="BCRYPT") == 0
    assert out.getvalue() == f"{path}: 1 user, OK\n"
    bad_algorithm = run_validate([str(path)], None, out=out, err=err_io, password_hashing_algorithm="MD5")
    assert bad_algorithm == 2 and "--password-hashing-algorithm 'MD5': allowed: BCRYPT" in err_io.getvalue()


def test_password_hashing_algorithm_option_for_the_console_script() -> None:
    import argparse

    from cognito_user_import_cli.validate import add_arguments

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert (
        parser.parse_args(["--password-hashing-algorithm", "ARGON2ID"]).password_hashing_algorithm
        == "ARGON2ID"
    )
    assert parser.parse_args([]).password_hashing_algorithm is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--password-hashing-algorithm", "MD5"])


def test_semicolon_file_gets_one_message(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("username;email;email_verified\na;a@x.org;true\n", encoding="utf-8")
    status, _, err = validate([str(path)])
    assert status == 1
    message = "this file looks semicolon-separated; save it as comma-separated CSV"
    assert err == f"1 problem in {path}:\n  {path}:1: {message}\n"
