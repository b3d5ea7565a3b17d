"""The emulator's own CSV rules (the oracle), judged row by row on a moto pool in this process."""

from __future__ import annotations

from typing import Any

import pytest
from moto.cognitoidp.models import CognitoIdpUserPool

from cognito_user_import_emulator import pool_keys, pool_rules
from cognito_user_import_emulator.csv_reader import read_csv

pool_keys.install()  # as the emulator does: one RSA key import for every pool

HEADER = pool_rules.csv_header


def make_pool(**config: Any) -> CognitoIdpUserPool:
    config.setdefault("AutoVerifiedAttributes", ["email"])
    return CognitoIdpUserPool("123456789012", "us-east-1", "rules", config)


def row(username: str, **values: str) -> dict[str, str]:
    base = {
        "cognito:username": username,
        "cognito:mfa_enabled": "false",
        "email": f"{username.lower()}@example.com",
        "email_verified": "true",
    }
    return {**base, **{name.replace("__", ":"): value for name, value in values.items()}}


def outcomes(pool: CognitoIdpUserPool, rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    names = pool_rules.PoolNames(pool)
    verdicts = [pool_rules.import_row(pool, values, False, names) for values in rows]
    return [(v.outcome, v.reason) for v in verdicts]


@pytest.mark.parametrize(
    "username", ["zero\u200bwidth", "soft\u00adhyphen", "no\u00a0break", "tab\tname", "a b"]
)
def test_usernames_outside_cognitos_pattern_fail(username: str) -> None:
    [(outcome, reason)] = outcomes(make_pool(), [row(username)])
    assert outcome == "FAILED"
    assert reason.startswith("cognito:username must be 1-128 letters, marks, symbols, numbers or punctuation")


@pytest.mark.parametrize("username", ["山田", "josé", "e\u0301", "π≈3,14", "👍"])
def test_usernames_of_letters_marks_symbols_numbers_punctuation_import(username: str) -> None:
    assert outcomes(make_pool(), [row(username)])[0][0] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("phone", "ok"), [("+1", False), ("+12", True), ("+123456789012345", True), ("+0123", False)]
)
def test_e164_needs_a_country_code_and_a_number(phone: str, ok: bool) -> None:
    [(outcome, _)] = outcomes(make_pool(), [row("a", phone_number=phone)])
    assert (outcome == "SUCCEEDED") is ok


@pytest.mark.parametrize(("value", "ok"), [("04/23/1990", True), ("1990-04-23", False), ("4/23/1990", False)])
def test_birthdates_are_written_mm_dd_yyyy(value: str, ok: bool) -> None:
    assert (outcomes(make_pool(), [row("a", birthdate=value)])[0][0] == "SUCCEEDED") is ok


@pytest.mark.parametrize(
    ("value", "ok"), [("42", True), ("-0", True), ("1_000", False), ("\u0664\u0662", False)]
)
def test_numbers_are_ascii_digits(value: str, ok: bool) -> None:
    pool = make_pool(Schema=[{"Name": "n", "AttributeDataType": "Number"}])
    assert (outcomes(pool, [row("a", custom__n=value)])[0][0] == "SUCCEEDED") is ok


def test_a_custom_string_without_limits_holds_at_most_2048_characters() -> None:
    pool = make_pool(Schema=[{"Name": "s", "AttributeDataType": "String"}])
    result = outcomes(pool, [row("a", custom__s="x" * 2048), row("b", custom__s="x" * 2049)])
    assert [outcome for outcome, _ in result] == ["SUCCEEDED", "FAILED"]


@pytest.mark.parametrize(
    ("case_sensitive", "second"), [(True, "SUCCEEDED"), (False, "SKIPPED"), (None, "SUCCEEDED")]
)
def test_usernames_differing_in_case_in_case_insensitive_pools(
    case_sensitive: bool | None, second: str
) -> None:
    config = {} if case_sensitive is None else {"UsernameConfiguration": {"CaseSensitive": case_sensitive}}
    pool = make_pool(**config)
    result = outcomes(pool, [row("bob"), row("BOB", email="robert@example.com")])
    assert [outcome for outcome, _ in result] == ["SUCCEEDED", second]


def test_an_existing_user_is_found_ignoring_case_in_a_case_insensitive_pool() -> None:
    pool = make_pool(UsernameConfiguration={"CaseSensitive": False})
    assert outcomes(pool, [row("Ana")])[0][0] == "SUCCEEDED"
    # A later job reads the pool afresh.
    assert outcomes(pool, [row("ANA", email="other@example.com")])[0][0] == "SKIPPED"


def test_a_verified_alias_taken_by_another_user_fails_the_row() -> None:
    pool = make_pool(AliasAttributes=["email", "preferred_username"])
    result = outcomes(
        pool,
        [
            row("ann", email="shared@example.com", preferred_username="annie"),
            row("bob", email="shared@example.com"),
            row("cat", preferred_username="annie"),
            row("dan", preferred_username="Annie"),  # a case-sensitive pool: another alias
        ],
    )
    assert result == [
        ("SUCCEEDED", "The import succeeded."),
        ("FAILED", "An account with the given email already exists."),
        ("FAILED", "An account with the given preferred_username already exists."),
        ("SUCCEEDED", "The import succeeded."),
    ]


def test_an_unverified_email_is_no_alias() -> None:
    pool = make_pool(AutoVerifiedAttributes=["phone_number"], AliasAttributes=["email"])
    rows = [
        row(name, email="shared@example.com", email_verified="false", phone_number=f"+1206555010{n}")
        for n, name in enumerate(("ann", "bob"))
    ]
    for values in rows:
        values["phone_number_verified"] = "true"
    assert [outcome for outcome, _ in outcomes(pool, rows)] == ["SUCCEEDED", "SUCCEEDED"]


def test_a_username_attribute_pool_skips_a_second_user_with_the_same_email() -> None:
    pool = make_pool(UsernameAttributes=["email"])
    result = outcomes(pool, [row("one", email="x@example.com"), row("two", email="x@example.com")])
    assert [outcome for outcome, _ in result] == ["SUCCEEDED", "SKIPPED"]


def test_password_hash_column_only_for_jobs_with_an_algorithm() -> None:
    pool = make_pool()
    header = [*HEADER(pool), "password_hash"]
    assert pool_rules.header_problem(header, pool, accepts_password_hash=True) is None
    problem = pool_rules.header_problem(header, pool, accepts_password_hash=False)
    assert problem == "The CSV header has columns the user pool does not have: password_hash."


def test_a_row_with_too_few_values_cannot_be_read() -> None:
    parsed = read_csv(b"a,b,c\n1,2\n")
    assert parsed.rows[0].values is None
    assert parsed.rows[0].error == "The row has 2 values but the header has 3 columns."
