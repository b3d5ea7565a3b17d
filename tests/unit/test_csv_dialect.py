"""Streaming conversion into Cognito's dialect: the writer, line numbers, caps, limits, keep()."""

from __future__ import annotations

import io

import pytest

from cognito_user_csv import writing
from cognito_user_csv.conversion import ConversionResult, convert, validate_file
from cognito_user_csv.facts import MFA_ENABLED, USERNAME
from cognito_user_csv.reading import iter_usernames, read_cognito_rows
from cognito_user_csv.schema import PoolSchema
from cognito_user_csv.username_index import UsernameIndex

SMALL = PoolSchema(
    header=("email", "email_verified", "name", MFA_ENABLED, USERNAME),
    required=frozenset(),
    auto_verified=frozenset({"email"}),
    mfa="OPTIONAL",
)


def run(text: str | bytes, schema: PoolSchema = SMALL, **kwargs: object) -> tuple[ConversionResult, str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    out = io.StringIO()
    result = convert(io.BytesIO(data), out, schema=schema, file_name="f.csv", **kwargs)  # type: ignore[arg-type]
    return result, out.getvalue()


def messages(result: ConversionResult) -> list[str]:
    return [str(p) for p in result.problems]


def test_writes_pool_header_in_order_with_escaped_commas_and_lower_case_booleans() -> None:
    result, out = run('cognito:username,name,email,email_verified\nann,"Lee, Ann",ann@x.org,TRUE\n')
    assert result.ok and result.rows == 1 and result.written == 1
    assert out.splitlines() == [
        "email,email_verified,name,cognito:mfa_enabled,cognito:username",
        "ann@x.org,true,Lee\\, Ann,false,ann",
    ]
    assert result.bytes_written == len(out.encode())


@pytest.mark.parametrize(("mode", "filled"), [("ON", "true"), ("OFF", "false"), ("OPTIONAL", "false")])
def test_missing_mfa_column_filled_from_the_pool(mode: str, filled: str) -> None:
    schema = PoolSchema(SMALL.header, SMALL.required, SMALL.auto_verified, mode)
    _, out = run("cognito:username,email,email_verified\na,a@x.org,true\n", schema)
    assert out.splitlines()[1] == f"a@x.org,true,,{filled},a"


def test_bom_dropped_crlf_read_utf8_written_without_bom() -> None:
    data = "\ufeffusername,email,email_verified,name\r\nzoë,z@x.org,true,Zoë 🙂 Ωμέγα\r\n".encode()
    result, out = run(data)
    assert result.ok
    assert not out.startswith("\ufeff") and "\r" not in out
    assert out.splitlines()[1] == "z@x.org,true,Zoë 🙂 Ωμέγα,false,zoë"


def test_values_trimmed_as_cognito_trims_them() -> None:
    result, out = run("cognito:username,email,email_verified,name\n  ann , ann@x.org ,true,\t Ann \n")
    assert result.ok, messages(result)
    assert out.splitlines()[1] == "ann@x.org,true,Ann,false,ann"


def test_line_numbers_count_physical_lines() -> None:
    text = (
        "cognito:username,email,email_verified,name\n"
        "a,a@x.org,true,A\n"
        "\n"  # a blank line is skipped but counted
        'b,b@x.org,true,"two\nlines"\n'  # refused, and takes the number of the line it starts on
        "c,bad,true,C\n"
    )
    result, _ = run(text)
    assert [(p.line, p.username, p.column) for p in result.problems] == [(4, "b", "name"), (6, "c", "email")]
    assert result.rows == 3


def test_keep_leaves_rows_out_but_still_checks_them() -> None:
    text = "cognito:username,email,email_verified\na,a@x.org,true\nb,b@x.org,true\nc,c@x.org,true\n"
    result, out = run(text, keep=lambda name: name != "b")
    assert result.ok and result.rows == 3 and result.written == 2
    assert [line.split(",")[-1] for line in out.splitlines()[1:]] == ["a", "c"]
    assert "b" in result.usernames
    bad, _ = run(text.replace("b@x.org", "nope"), keep=lambda name: name != "b")
    assert bad.problem_count == 1


def test_problems_capped_but_all_counted() -> None:
    rows = "".join(f"u{i},bad,true\n" for i in range(50))
    result, out = run("cognito:username,email,email_verified\n" + rows, max_problems=5)
    assert len(result.problems) == 5 and result.problem_count == 50
    assert out.count("\n") == 1  # nothing but the header once a problem is found


def test_unknown_column_is_one_problem_not_one_per_row() -> None:
    rows = "".join(f"u{i},u{i}@x.org,true,x\n" for i in range(10))
    result, _ = run("cognito:username,email,email_verified,shoe\n" + rows)
    assert result.problem_count == 1
    assert result.problems[0].line == 1 and result.problems[0].column == "shoe"
    assert (
        "allowed: email, email_verified, name, cognito:mfa_enabled, cognito:username" in messages(result)[0]
    )


def test_row_length_limit() -> None:
    schema = PoolSchema((*SMALL.header, "custom:blob"), SMALL.required, SMALL.auto_verified, SMALL.mfa)
    ok, _ = run(f"cognito:username,email,email_verified,custom:blob\na,a@x.org,true,{'x' * 15_000}\n", schema)
    assert ok.ok
    long, _ = run(
        f"cognito:username,email,email_verified,custom:blob\na,a@x.org,true,{'x' * 16_000}\n", schema
    )
    assert long.problem_count == 1
    assert "characters long in Cognito's format; allowed: at most 16,000" in messages(long)[0]


def test_standard_attribute_length_limit() -> None:
    result, _ = run(f"cognito:username,email,email_verified,name\na,a@x.org,true,{'n' * 2049}\n")
    assert [p.column for p in result.problems] == ["name"]


def test_user_and_byte_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writing, "MAX_USERS", 2)
    text = "cognito:username,email,email_verified\n" + "".join(f"u{i},u{i}@x.org,true\n" for i in range(4))
    result, _ = run(text)
    assert result.problem_count == 1  # reported once, at the first user too many
    assert result.problems[0].line == 4 and "at most 2" in result.problems[0].message
    # Left-out rows are not uploaded, so they do not count.
    assert run(text, keep=lambda name: name in ("u0", "u1"))[0].ok
    monkeypatch.setattr(writing, "MAX_USERS", 500_000)
    monkeypatch.setattr(writing, "MAX_FILE_BYTES", 150)
    result, _ = run(text)
    assert result.problem_count == 1 and "past 150 bytes" in result.problems[0].message


def test_invalid_utf8_reports_the_line_and_goes_on() -> None:
    data = b"cognito:username,email,email_verified\na,a@x.org,true\nb,b\xff@x.org,true\nc,bad,true\n"
    result, _ = run(data)
    assert [(p.line, p.username) for p in result.problems] == [(3, "b"), (4, "c")]
    assert "not valid UTF-8" in result.problems[0].message


def test_empty_and_header_only_files() -> None:
    empty, _ = run(b"")
    assert empty.problem_count == 1 and "empty" in empty.problems[0].message
    only, out = run("cognito:username,email,email_verified\n")
    assert (
        only.ok
        and only.rows == 0
        and out == "email,email_verified,name,cognito:mfa_enabled,cognito:username\n"
    )


def test_unclosed_quote_is_refused() -> None:
    result, _ = run('cognito:username,email,email_verified,name\na,a@x.org,true,"open\nb,b@x.org,true,B\n')
    assert result.problem_count >= 1 and result.problems[0].line == 2


def test_source_with_only_read() -> None:
    class Body:  # botocore's StreamingBody has read(n) but no readline()
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def read(self, size: int = -1, /) -> bytes:
            return self._data.read(size)

    out = io.StringIO()
    data = "cognito:username,email,email_verified\n" + "".join(f"u{i},u{i}@x.org,true\n" for i in range(3000))
    result = convert(Body(data.encode()), out, schema=SMALL, file_name="s3://b/k")
    assert result.ok and result.rows == 3000 and out.getvalue().count("\n") == 3001


def test_validate_file_writes_nothing(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "u.csv"
    path.write_text("cognito:username,email,email_verified\na,a@x.org,true\n", encoding="utf-8")
    result = validate_file(path, schema=SMALL, display_name="seed/u.csv")
    assert result.ok and result.rows == 1 and result.file_name == "seed/u.csv"
    path.write_text("cognito:username,email,email_verified\na,a,true\n", encoding="utf-8")
    assert str(validate_file(path, schema=SMALL).problems[0]).startswith(f"{path}:2 (a): column email")


def test_iter_usernames_reads_both_dialects() -> None:
    cognito = "name,cognito:username\nx\\, y,a\\,b\n\nC,c\n"
    assert list(iter_usernames(io.BytesIO(cognito.encode()))) == [(2, "a,b"), (4, "c")]
    ordinary = '\ufeffname,username\n"x, y",a\nC,"c"\r\n'
    assert list(iter_usernames(io.BytesIO(ordinary.encode()))) == [(2, "a"), (3, "c")]
    with pytest.raises(ValueError, match="cognito:username"):
        list(iter_usernames(io.BytesIO(b"email\nx\n")))


def test_read_cognito_rows_inverts_the_writer() -> None:
    result, out = run('cognito:username,email,email_verified,name\nann,ann@x.org,True,"Lee, Ann, Jr."\n')
    assert result.ok
    rows = list(read_cognito_rows(io.BytesIO(out.encode())))
    assert rows == [
        (
            2,
            {
                "email": "ann@x.org",
                "email_verified": "true",
                "name": "Lee, Ann, Jr.",
                MFA_ENABLED: "false",
                USERNAME: "ann",
            },
        )
    ]


def test_username_index_grows_and_remembers_lines() -> None:
    index = UsernameIndex()
    for i in range(5000):
        assert index.add(f"user{i}", i + 2) == 0
    assert len(index) == 5000
    assert index.add("user42", 9999) == 44
    assert index.line_of("user4999") == 5001
    assert index.line_of("nobody") is None
    assert "user0" in index and "nobody" not in index and 3 not in index


@pytest.mark.parametrize(
    ("header", "looks"),
    [
        ("cognito:username;email;email_verified", "semicolon"),
        ("cognito:username\temail\temail_verified", "tab"),
    ],
)
def test_a_header_separated_otherwise_says_to_save_as_comma_separated(header: str, looks: str) -> None:
    row = (
        header.replace("cognito:username", "ann")
        .replace("email_verified", "true")
        .replace("email", "a@x.org")
    )
    result, out = run(f"{header}\n{row}\n")
    assert messages(result) == [f"f.csv:1: this file looks {looks}-separated; save it as comma-separated CSV"]
    assert out == ""


def test_too_few_fields_are_counted_not_blamed_on_commas() -> None:
    result, _ = run(
        "cognito:username,email,email_verified,name\nann,a@x.org,true\nbob,b@x.org,true,B,extra\n"
    )
    assert messages(result) == [
        "f.csv:2 (ann): has 3 fields, the header has 4; every row needs a value (maybe empty) for each "
        "column",
        "f.csv:3 (bob): has 5 fields but the header has 4 columns; a value containing a comma must be "
        'quoted ("a,b")',
    ]


CASE_INSENSITIVE = PoolSchema(
    SMALL.header, SMALL.required, SMALL.auto_verified, SMALL.mfa, case_sensitive=False
)


def test_usernames_differing_in_case_are_duplicates_in_a_case_insensitive_pool() -> None:
    text = "cognito:username,email,email_verified\nbob,b1@x.org,true\nalice,a@x.org,true\nBOB,b2@x.org,true\n"
    assert run(text)[0].ok  # a case-sensitive pool holds both
    result, _ = run(text, CASE_INSENSITIVE)
    assert messages(result) == [
        "f.csv:4 (BOB): column cognito:username: value 'BOB' is a duplicate of line 2 when case is ignored "
        "(the pool's usernames are case-insensitive); usernames must be unique"
    ]


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        ({"alias_attributes": frozenset({"email"})}, "the pool uses email as a sign-in alias"),
        ({"username_attributes": frozenset({"email"})}, "the pool uses email as the username"),
    ],
)
def test_a_sign_in_attribute_must_differ_between_users(settings: dict[str, frozenset[str]], why: str) -> None:
    schema = PoolSchema(SMALL.header, SMALL.required, SMALL.auto_verified, SMALL.mfa, **settings)  # type: ignore[arg-type]
    text = (
        "cognito:username,email,email_verified\nann,ann@x.org,true\nbob,bob@x.org,true\nann2,Ann@X.org,true\n"
    )
    assert run(text)[0].ok  # without the setting, two users may share an email
    result, _ = run(text, schema)
    assert messages(result) == [
        f"f.csv:4 (ann2): column email: value 'Ann@X.org' is also on line 2; {why}, so each user needs a "
        "different one"
    ]


def test_empty_sign_in_attributes_are_not_duplicates() -> None:
    header = ("email", "email_verified", "phone_number", "phone_number_verified", MFA_ENABLED, USERNAME)
    schema = PoolSchema(
        header,
        frozenset(),
        frozenset({"email", "phone_number"}),
        "OFF",
        alias_attributes=frozenset({"phone_number"}),
    )
    text = "cognito:username,email,email_verified,phone_number\na,a@x.org,true,\nb,b@x.org,true,\n"
    assert run(text, schema)[0].ok


def test_password_hash_is_written_only_for_a_job_with_an_algorithm() -> None:
    text = "cognito:username,email,email_verified,password_hash\nann,ann@x.org,true,$2b$12$abc\n"
    refused, out = run(text)
    assert [p.column for p in refused.problems] == ["password_hash"]
    result, out = run(text, password_hashing_algorithm="BCRYPT")
    assert result.ok
    assert out.splitlines() == [
        "email,email_verified,name,cognito:mfa_enabled,cognito:username,password_hash",
        "ann@x.org,true,,false,ann,$2b$12$abc",
    ]


def test_a_zero_width_space_in_a_username_is_refused() -> None:
    result, _ = run("cognito:username,email,email_verified\nzero\u200bwidth,z@x.org,true\n")
    assert [(p.line, p.column) for p in result.problems] == [(2, USERNAME)]
    assert "U+200B, an invisible format character (Unicode category Cf)" in messages(result)[0]


def test_in_a_pool_signing_in_with_email_a_username_may_not_be_another_users_email() -> None:
    schema = PoolSchema(
        SMALL.header, SMALL.required, SMALL.auto_verified, SMALL.mfa, username_attributes=frozenset({"email"})
    )
    own = "cognito:username,email,email_verified\nann@x.org,ann@x.org,true\nbob@x.org,bob@x.org,true\n"
    assert run(own, schema)[0].ok  # the usual file: each username is the user's own email
    text = "cognito:username,email,email_verified\nann,Zoe@x.org,true\nzoe@x.org,zed@x.org,true\n"
    assert run(text)[0].ok  # a pool with plain usernames holds both
    result, _ = run(text, schema)
    assert messages(result) == [
        "f.csv:3 (zoe@x.org): column cognito:username: value 'zoe@x.org' is also on line 2; the pool uses "
        "email as the username, so a username may not be another user's email or username"
    ]
