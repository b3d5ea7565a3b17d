"""The corpus: every good file converts to exactly its expected output, every bad file fails with
exactly its expected messages (see csv_corpus/README.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from cognito_user_csv.conversion import convert
from cognito_user_csv.problems import ValidationError
from cognito_user_csv.schema import PoolSchema

CORPUS = Path(__file__).parent / "csv_corpus"
GOOD = sorted(p for p in (CORPUS / "good").glob("*.csv") if not p.name.endswith(".expected.csv"))
BAD = sorted((CORPUS / "bad").glob("*.csv"))


def job_options(path: Path) -> dict[str, Any]:
    """What the job is created with (``NAME.job.json``: {"password_hashing_algorithm": ...})."""
    own = path.with_suffix(".job.json")
    return dict(json.loads(own.read_text(encoding="utf-8"))) if own.exists() else {}


def schema_for(path: Path) -> PoolSchema:
    own = path.with_suffix(".schema.json")
    if own.exists():
        return PoolSchema.from_json(own.read_text(encoding="utf-8"))
    if path.name.startswith("pool_"):
        return PoolSchema.from_json((CORPUS / "pool.json").read_text(encoding="utf-8"))
    return PoolSchema.generic()


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_file_converts_exactly(path: Path) -> None:
    out = io.StringIO()
    with path.open("rb") as source:
        result = convert(source, out, schema=schema_for(path), file_name=path.name, **job_options(path))
    assert result.problems == []
    assert result.problem_count == 0
    expected = path.with_suffix(".expected.csv")
    if expected.exists():
        assert out.getvalue().encode("utf-8") == expected.read_bytes()


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_file_fails_with_expected_messages(path: Path) -> None:
    with path.open("rb") as source:
        result = convert(
            source, io.StringIO(), schema=schema_for(path), file_name=path.name, **job_options(path)
        )
    assert result.problem_count > 0
    with pytest.raises(ValidationError) as raised:
        result.raise_for_problems()
    expected = path.with_suffix(".expected.txt").read_text(encoding="utf-8")
    assert str(raised.value) + "\n" == expected


def test_corpus_is_not_empty() -> None:
    assert len(GOOD) >= 3 and len(BAD) >= 10
    assert all(p.with_suffix(".expected.txt").exists() for p in BAD)
