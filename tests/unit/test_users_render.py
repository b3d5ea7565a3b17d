"""UserRecord and render_users, and the round trip render_users -> convert -> Cognito's dialect."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cognito_user_csv.conversion import convert
from cognito_user_csv.facts import MFA_ENABLED, USERNAME
from cognito_user_csv.reading import read_cognito_rows
from cognito_user_csv.schema import PoolSchema
from cognito_user_csv.users import UserRecord, render_users


def test_render_header_is_the_union_of_columns_used() -> None:
    text = render_users(
        [
            UserRecord(
                "ann", {"email": "ann@x.org", "name": "Lee, Ann"}, email_verified=True, mfa_enabled=True
            ),
            UserRecord(
                "bob", {"phone_number": "+12065550100"}, phone_number_verified=True, mfa_enabled=False
            ),
        ]
    )
    assert text.splitlines() == [
        "cognito:username,email,name,email_verified,cognito:mfa_enabled,phone_number,phone_number_verified",
        'ann,ann@x.org,"Lee, Ann",true,true,,',
        "bob,,,,false,+12065550100,true",
    ]


def test_render_refuses_mfa_set_on_some_records_only() -> None:
    with pytest.raises(ValueError, match="'bob' leaves mfa_enabled unset"):
        render_users([UserRecord("ann", mfa_enabled=True), UserRecord("bob")])


def test_render_no_records_is_a_header() -> None:
    assert render_users([]) == "cognito:username\n"


def test_record_refuses_flags_given_as_attributes() -> None:
    with pytest.raises(ValueError, match="email_verified"):
        UserRecord("ann", {"email_verified": "true"})
    with pytest.raises(ValueError, match="cognito:username"):
        UserRecord("ann", {USERNAME: "other"})
    with pytest.raises(TypeError):
        UserRecord("ann", {"custom:n": 3})  # type: ignore[dict-item]


def test_rendered_values_needing_quotes_are_then_refused_with_line_numbers() -> None:
    text = render_users(
        [UserRecord("ann", {"email": "ann@x.org"}, email_verified=True), UserRecord("bob", {"name": 'B "B"'})]
    )
    result = convert(
        io.BytesIO(text.encode()), io.StringIO(), schema=PoolSchema.generic(), file_name="app.py"
    )
    assert [(p.line, p.column) for p in result.problems] == [(3, "name"), (3, None)]


# Values the rules accept: no double quotes, backslashes or line breaks, no spaces around (Cognito trims).
_VALUE = st.text(
    st.characters(codec="utf-8", exclude_characters='"\\', exclude_categories=["Cc", "Cs"]), max_size=40
).map(lambda v: v.strip())
_USERNAME = st.text(st.characters(categories=["L", "M", "N", "P", "S"]), min_size=1, max_size=24).filter(
    lambda v: '"' not in v and "\\" not in v
)
_COLUMNS = ("name", "given_name", "address", "locale", "custom:team", "custom:note")


@st.composite
def _records(draw: st.DrawFn) -> list[UserRecord]:
    names = draw(st.lists(_USERNAME, min_size=1, max_size=8, unique=True))
    mfa = draw(st.sampled_from(["none", "all", "each"]))
    records = []
    for i, name in enumerate(names):
        attributes = draw(st.dictionaries(st.sampled_from(_COLUMNS), _VALUE, max_size=len(_COLUMNS)))
        records.append(
            UserRecord(
                name,
                {**attributes, "email": f"user{i}@example.com"},
                email_verified=True,
                mfa_enabled=None if mfa == "none" else (True if mfa == "all" else draw(st.booleans())),
            )
        )
    return records


@settings(max_examples=150, deadline=None)
@given(_records())
def test_render_then_convert_round_trips_values(records: list[UserRecord]) -> None:
    out = io.StringIO()
    rendered = render_users(records)
    result = convert(io.BytesIO(rendered.encode()), out, schema=PoolSchema.generic(), file_name="users")
    assert result.ok, [str(p) for p in result.problems]
    assert result.rows == len(records)
    rows = [values for _, values in read_cognito_rows(io.BytesIO(out.getvalue().encode("utf-8")))]
    assert len(rows) == len(records)
    for record, row in zip(records, rows, strict=True):
        assert row[USERNAME] == record.username
        assert row["email_verified"] == "true"
        assert row[MFA_ENABLED] == ("true" if record.mfa_enabled else "false")
        for column, value in record.attributes.items():
            assert row[column] == value
        for column, value in row.items():
            if column not in record.attributes and column not in (USERNAME, "email_verified", MFA_ENABLED):
                assert value == ""


@settings(max_examples=60, deadline=None)
@given(_records())
def test_rendered_csv_is_ordinary_csv(records: list[UserRecord]) -> None:
    parsed = list(csv.DictReader(io.StringIO(render_users(records))))
    assert [row[USERNAME] for row in parsed] == [r.username for r in records]
