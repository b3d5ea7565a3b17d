"""The parts convert is made of, each on its own: the facts, the row checks, the writer of Cognito's rows
and the file held to Cognito's limits."""

from __future__ import annotations

import io

import pytest

from cognito_user_csv import facts, writing
from cognito_user_csv.column_plan import plan_columns
from cognito_user_csv.problems import ProblemLog
from cognito_user_csv.row_checks import RowChecks
from cognito_user_csv.schema import PoolSchema
from cognito_user_csv.writing import CognitoFile, CognitoRows

SMALL = PoolSchema(
    header=("email", "email_verified", "name", facts.MFA_ENABLED, facts.USERNAME),
    required=frozenset(),
    auto_verified=frozenset({"email"}),
    mfa="OPTIONAL",
)


def test_the_pool_header_is_the_standard_attributes_then_mfa_username_and_custom_columns() -> None:
    header = facts.pool_header(["custom:team"])
    assert header[: len(facts.STANDARD_ATTRIBUTES)] == facts.STANDARD_ATTRIBUTES
    assert header[len(facts.STANDARD_ATTRIBUTES) :] == (facts.MFA_ENABLED, facts.USERNAME, "custom:team")
    assert PoolSchema.generic().header == facts.pool_header(())


def _checks(header: list[str], schema: PoolSchema = SMALL) -> tuple[RowChecks, ProblemLog]:
    log = ProblemLog("f.csv", 20)
    return RowChecks(plan_columns(schema, header), schema, log.add), log


def test_row_checks_trim_and_lower_case_in_place_and_say_when_the_joined_row_changed() -> None:
    checks, log = _checks([facts.USERNAME, "email", "email_verified"])
    clean = ["ana", "ana@example.com", "true"]
    assert checks.check(2, clean) == ("ana", "ana\nana@example.com\ntrue")
    row = [" bob ", "bob@example.com", "TRUE"]
    assert checks.check(3, row) == ("bob", None)  # a boolean was rewritten: the joined text is stale
    assert row == ["bob", "bob@example.com", "true"]
    assert log.count == 0 and checks.usernames.line_of("bob") == 3


def test_row_checks_report_a_row_of_the_wrong_width_and_nothing_else() -> None:
    checks, log = _checks([facts.USERNAME, "email", "email_verified"])
    assert checks.check(2, ["ana", "ana@example.com"]) is None
    assert [(p.line, p.username) for p in log.items] == [(2, "ana")]
    assert log.items[0].message.startswith("has 2 fields, the header has 3")


def test_row_checks_report_in_order_username_then_booleans_then_verified() -> None:
    checks, log = _checks([facts.USERNAME, "email", "email_verified"])
    checks.check(2, ["ana", "ana@example.com", "true"])
    checks.check(3, ["ana", "", "maybe"])
    assert [(p.line, p.column) for p in log.items] == [(3, facts.USERNAME), (3, "email_verified"), (3, None)]


def test_cognito_rows_fill_the_pool_columns_and_escape_commas() -> None:
    log = ProblemLog("f.csv", 20)
    plan = plan_columns(SMALL, [facts.USERNAME, "email", "email_verified", "name"])
    rows = CognitoRows(plan, log.add)
    line = rows.render(2, "ana", ["ana", "ana@example.com", "true", "Ana, Jr"], None)
    assert line == "ana@example.com,true,Ana\\, Jr,false,ana"
    assert plan.out_header == ["email", "email_verified", "name", facts.MFA_ENABLED, facts.USERNAME]
    assert log.count == 0


def test_cognito_file_reports_each_limit_once_and_writes_only_a_clean_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(writing, "MAX_USERS", 1)
    log = ProblemLog("f.csv", 20)
    sink = io.StringIO()
    output = CognitoFile(sink, ["a", "b"], log)
    output.add(2, "u1", "1,2")
    output.add(3, "u2", "3,4")
    output.add(4, "u3", "5,6")
    output.close()
    assert [p.line for p in log.items] == [3]
    assert sink.getvalue() == "a,b\n"  # buffered rows of a file with a problem are never written
    assert (output.written, output.bytes_written) == (3, 16)
