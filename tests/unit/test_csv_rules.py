"""The pool schema, problems, value checks and column plan of cognito_user_csv."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from cognito_user_csv import facts
from cognito_user_csv.column_plan import plan_columns
from cognito_user_csv.conversion import convert
from cognito_user_csv.facts import MFA_ENABLED, STANDARD_ATTRIBUTES, USERNAME
from cognito_user_csv.problems import Problem, ValidationError
from cognito_user_csv.schema import CustomAttribute, PoolSchema
from cognito_user_csv.value_checks import (
    check_birthdate,
    check_email,
    check_epoch_seconds,
    check_phone,
    check_username,
    custom_check,
    unreadable_message,
    username_is_bad,
)

POOL: dict[str, Any] = {
    "Id": "us-east-1_abc",
    "MfaConfiguration": "OPTIONAL",
    "AutoVerifiedAttributes": ["email", "phone_number"],
    "SchemaAttributes": [
        {"Name": "sub", "AttributeDataType": "String", "Required": True, "Mutable": False},
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {"Name": "identities", "AttributeDataType": "String", "Required": False},
        {
            "Name": "custom:level",
            "AttributeDataType": "Number",
            "Mutable": False,
            "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "9"},
        },
        {
            "Name": "custom:code",
            "AttributeDataType": "String",
            "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "4"},
        },
    ],
}


def test_from_describe_user_pool_reads_rules() -> None:
    schema = PoolSchema.from_describe_user_pool({"UserPool": POOL}, [])
    assert schema.required == frozenset({"email"})  # never sub: no file carries it
    assert schema.auto_verified == frozenset({"email", "phone_number"})
    assert schema.mfa == "OPTIONAL"
    assert schema.custom["custom:level"] == CustomAttribute(
        name="level", data_type="Number", min_value=1, max_value=9, mutable=False
    )
    assert schema.custom["custom:code"].max_length == 4
    # Without GetCSVHeader's answer the header is derived in its order.
    assert schema.header == (*STANDARD_ATTRIBUTES, MFA_ENABLED, USERNAME, "custom:level", "custom:code")
    assert schema.known


def test_csv_header_given_is_kept_in_order() -> None:
    header = [USERNAME, "email", MFA_ENABLED, "custom:code"]
    schema = PoolSchema.from_describe_user_pool(POOL, header)
    assert schema.header == tuple(header)


def test_json_round_trip_and_raw_response() -> None:
    schema = PoolSchema.from_describe_user_pool(POOL, [])
    assert PoolSchema.from_json(schema.to_json()) == schema
    assert PoolSchema.from_json(json.dumps({"UserPool": POOL})) == schema
    with_header = PoolSchema.from_json({"UserPool": POOL, "CSVHeader": [USERNAME, "email"]})
    assert with_header.header == (USERNAME, "email")
    generic = PoolSchema.generic()
    assert PoolSchema.from_json(generic.to_json()) == generic
    with pytest.raises(ValueError, match="not a pool schema"):
        PoolSchema.from_json("{}")
    with pytest.raises(ValueError, match="mfa"):
        PoolSchema.from_json({"header": [USERNAME], "mfa": "SOMETIMES"})


def test_generic_schema() -> None:
    generic = PoolSchema.generic()
    assert not generic.known
    assert generic.auto_verified == frozenset({"email", "phone_number"})
    assert USERNAME in generic.header and MFA_ENABLED in generic.header


def test_problem_text_omits_missing_parts_and_secrets() -> None:
    full = Problem("u.csv", 3, "bob", "email", "x@", "is not an email address")
    assert str(full) == "u.csv:3 (bob): column email: value 'x@' is not an email address"
    assert str(Problem("u.csv", 1, None, None, None, "the file is empty")) == "u.csv:1: the file is empty"
    secret = Problem("u.csv", 2, "al", "password_hash", "$2b$secret", "contains a double quote")
    assert "secret" not in str(secret)
    assert "secret" not in str(Problem("u.csv", 2, "al", "custom:Old_Password", "hunter2", "bad"))


def test_problem_shows_control_characters_escaped_and_scripts_as_they_are() -> None:
    text = str(Problem("u.csv", 2, "山田", "name", "a\nb é", "bad"))
    assert "(山田)" in text and "value 'a\\nb é'" in text
    long_value = str(Problem("u.csv", 2, None, "name", "x" * 500, "bad"))
    assert "..." in long_value and len(long_value) < 120


def test_validation_error_caps_and_counts() -> None:
    problems = [Problem("u.csv", n, None, None, None, "bad") for n in range(2, 22)]
    error = ValidationError(problems, 25)
    lines = str(error).splitlines()
    assert lines[0] == "25 problems in u.csv:"
    assert lines[1] == "  u.csv:2: bad"
    assert lines[-1] == "  ... and 5 more"
    assert len(lines) == 22
    assert error.total == 25 and error.problems == problems
    assert str(ValidationError(problems[:1])).startswith("1 problem in u.csv:")


@pytest.mark.parametrize("value", ["a@b.co", "jane.doe+tag@example.com", "josé@exämple.es"])
def test_email_accepted(value: str) -> None:
    assert check_email(value) is None


@pytest.mark.parametrize("value", ["plain", "a@b", "a@@b.com", "a b@c.com", "@b.com", "a@b."])
def test_email_refused(value: str) -> None:
    assert check_email(value) is not None


@pytest.mark.parametrize("value", ["+12", "+12065550100", "+123456789012345"])
def test_phone_accepted(value: str) -> None:
    assert check_phone(value) is None


@pytest.mark.parametrize(
    "value", ["12065550100", "+0123", "+1234567890123456", "+1 206", "+", "+1-206", "+1", "+\uff19\uff19"]
)
def test_phone_refused(value: str) -> None:
    assert check_phone(value) is not None


@pytest.mark.parametrize(("value", "ok"), [("02/29/2000", True), ("02/29/1900", False), ("2/3/2000", False)])
def test_birthdate(value: str, ok: bool) -> None:
    assert (check_birthdate(value) is None) is ok


def test_epoch_seconds_and_username() -> None:
    assert check_epoch_seconds("1735241621") is None
    assert check_epoch_seconds("1735241621.5") is not None
    assert check_username("alice@example.com") is None
    assert check_username("a" * 129) is not None
    assert check_username("a\u00a0b") is not None  # a no-break space is whitespace too


def test_custom_checks() -> None:
    number = custom_check(CustomAttribute("n", "Number", min_value=0, max_value=10))
    assert number is not None
    assert number("10") is None and number("-0") is None
    assert "out of range" in (number("11") or "")
    assert "whole number" in (number("1.5") or "")
    unbounded = custom_check(CustomAttribute("n", "Number"))
    assert unbounded is not None and unbounded("-99999999999") is None
    string = custom_check(CustomAttribute("s", "String", min_length=1, max_length=3))
    assert string is not None and string("abc") is None
    assert string("abcd") == "is 4 characters long; allowed: 1 to 3 characters"
    # A custom String without MaxLength still holds at most 2048 characters (the emulator agrees).
    plain = custom_check(CustomAttribute("s", "String"))
    assert plain is not None and plain("x" * 2048) is None
    assert plain("x" * 2049) == "is 2,049 characters long; allowed: at most 2048 characters"
    assert custom_check(CustomAttribute("d", "DateTime")) is None  # the format is unconfirmed


def test_plan_resolves_aliases_and_fills_missing_columns() -> None:
    schema = PoolSchema.from_describe_user_pool({**POOL, "MfaConfiguration": "ON"}, [])
    plan = plan_columns(schema, ["username", "email", "email_verified"])
    assert plan.columns == [USERNAME, "email", "email_verified"]
    assert plan.problems == []
    assert plan.fills.count("true") == 1  # cognito:mfa_enabled from the pool's MFA
    assert plan.out_header == list(schema.header)


def test_plan_reports_duplicate_and_empty_header_names() -> None:
    plan = plan_columns(PoolSchema.generic(), [USERNAME, "email", "email", "", "email_verified"])
    messages = [m for _, m in plan.problems]
    assert "appears twice in the header (columns 2 and 3)" in messages
    assert "header column 4 is empty; every column needs a name" in messages


def test_generic_allows_any_custom_column_and_password_hash_with_an_algorithm() -> None:
    header = [USERNAME, "email", "email_verified", "custom:x", "password_hash"]
    plan = plan_columns(PoolSchema.generic(), header, password_hashing_algorithm="BCRYPT")
    assert plan.problems == []
    assert plan.out_header[-2:] == ["custom:x", "password_hash"]


@pytest.mark.parametrize("schema", [PoolSchema.generic(), PoolSchema.from_describe_user_pool(POOL, [])])
def test_password_hash_column_needs_an_algorithm(schema: PoolSchema) -> None:
    plan = plan_columns(schema, [USERNAME, "email", "email_verified", "password_hash"])
    assert plan.problems == [
        (
            "password_hash",
            "is allowed only in a job created with a password hashing algorithm; set "
            "password_hashing_algorithm (BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256) on the UserImport "
            "(validate: --password-hashing-algorithm), or remove the column",
        )
    ]
    assert "password_hash" not in plan.out_header


@pytest.mark.parametrize(
    "name",
    ["custom:a,b", "custom:a\\b", 'custom:a"b', "custom:a\nb", "custom:a b", "custom:", "custom:" + "x" * 21],
)
def test_generic_refuses_custom_names_cognito_cannot_have_or_the_header_cannot_carry(name: str) -> None:
    plan = plan_columns(PoolSchema.generic(), [USERNAME, "email", "email_verified", name])
    assert [column for column, _ in plan.problems] == [name]
    assert (
        "is not a custom attribute name (header column 4); allowed: custom: then 1 to 20"
        in plan.problems[0][1]
    )
    assert name not in plan.out_header


def test_a_pool_attribute_whose_name_the_header_cannot_carry_is_refused() -> None:
    pool = {**POOL, "SchemaAttributes": [{"Name": "custom:a,b", "AttributeDataType": "String"}]}
    plan = plan_columns(PoolSchema.from_describe_user_pool(pool, []), [USERNAME, "email", "email_verified"])
    assert [column for column, _ in plan.problems] == ["custom:a,b"]
    assert "how it reads such a name is unconfirmed" in plan.problems[0][1]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("zero\u200bwidth", "contains U+200B, an invisible format character (Unicode category Cf)"),
        ("soft\u00adhyphen", "contains U+00AD, an invisible format character (Unicode category Cf)"),
        ("no\u00a0break", "contains U+00A0, a space (Unicode category Zs)"),
        ("line\u2028sep", "contains U+2028, a line separator (Unicode category Zl)"),
        ("private\ue000", "contains U+E000, a private-use character (Unicode category Co)"),
        ("unassigned\U000e0fff", "contains U+E0FFF, an unassigned code point (Unicode category Cn)"),
        ("tab\there", "contains U+0009, a tab (Unicode category Cc)"),
        ("alice smith", "contains U+0020, a space (Unicode category Zs)"),
    ],
)
def test_usernames_outside_cognitos_pattern_are_refused(name: str, why: str) -> None:
    assert username_is_bad(name)
    assert (check_username(name) or "").startswith(why + "; allowed: letters, marks, symbols")


@pytest.mark.parametrize("name", ["山田", "josé", "a+b@c.d", "π≈3,14", "👍", "e\u0301"])
def test_usernames_of_letters_marks_symbols_numbers_punctuation_pass(name: str) -> None:
    assert not username_is_bad(name)
    assert check_username(name) is None


def test_pool_settings_read_from_describe_user_pool_and_round_trip() -> None:
    pool = {
        **POOL,
        "UsernameConfiguration": {"CaseSensitive": False},
        "AliasAttributes": ["preferred_username", "email"],
        "SchemaAttributes": [
            *POOL["SchemaAttributes"],
            {"Name": "name", "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}},
            {"Name": "given_name", "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"}},
        ],
    }
    schema = PoolSchema.from_describe_user_pool(pool, [])
    assert not schema.case_sensitive
    assert schema.alias_attributes == frozenset({"email", "preferred_username"})
    assert schema.unique_attributes == ("email", "preferred_username")
    assert schema.standard_lengths == {"name": (2, 5)}  # given_name keeps Cognito's default
    assert PoolSchema.from_json(schema.to_json()) == schema
    email_pool = PoolSchema.from_describe_user_pool({**POOL, "UsernameAttributes": ["email"]}, [])
    assert email_pool.case_sensitive and email_pool.unique_attributes == ("email",)
    assert (
        PoolSchema.from_describe_user_pool({**POOL, "UsernameAttributes": None}, []).unique_attributes == ()
    )


def test_standard_attribute_lengths_of_the_pool_are_checked_before_the_format() -> None:
    pool = {
        **POOL,
        "SchemaAttributes": [
            *POOL["SchemaAttributes"],
            {"Name": "name", "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}},
            {"Name": "email", "Required": True, "StringAttributeConstraints": {"MaxLength": "9"}},
        ],
    }
    text = "cognito:username,email,email_verified,name\na,a@b.co,true,Ann\nb,bee@b.org,true,Bartholomew\n"
    out = io.StringIO()
    result = convert(
        io.BytesIO(text.encode()), out, schema=PoolSchema.from_describe_user_pool(pool, []), file_name="u.csv"
    )
    assert [str(p) for p in result.problems] == [
        "u.csv:3 (b): column name: value 'Bartholomew' is 11 characters long; allowed: 2 to 5 characters"
    ]


def test_limits_are_cognitos() -> None:
    assert facts.MAX_ROW_CHARS == 16_000
    assert facts.MAX_USERS == 500_000
    assert facts.MAX_FILE_BYTES == 100_000_000


def test_control_characters_in_values_are_refused_with_their_code_point() -> None:
    assert unreadable_message("Ana\x1fMaria") == (
        "contains the control character U+001F; Cognito may drop or change it, "
        "so values cannot contain control characters"
    )
    assert unreadable_message("tab\tinside") is None


def test_values_edged_with_other_whitespace_are_refused() -> None:
    out = io.StringIO()
    source = io.BytesIO(
        "cognito:username,email,email_verified,name\nana,ana@example.com,true,Ana\u00a0\n".encode()
    )

    result = convert(source, out, schema=PoolSchema.generic(), file_name="users.csv")

    assert [str(problem) for problem in result.problems] == [
        "users.csv:2 (ana): column name: value 'Ana\\xa0' starts or ends with the whitespace character"
        " U+00A0; Cognito trims values and whether it trims this one is unconfirmed, so remove it"
    ]
