"""Property: any records UserCsv.from_users accepts arrive in the pool with the same attribute values."""

from __future__ import annotations

import io

from handler_world import create_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognito_user_csv.conversion import convert
from cognito_user_csv.schema import PoolSchema
from cognito_user_csv.users import UserRecord, render_users
from cognito_user_import_emulator import Emulator

from cfn_harness import Deployment

# What the rules accept: no double quotes, backslashes or line breaks, nothing Cognito trims around.
_VALUE = st.text(
    st.characters(codec="utf-8", exclude_characters='"\\', exclude_categories=["Cc", "Cs"]),
    min_size=1,
    max_size=30,
).map(lambda value: value.strip())
_USERNAME = st.text(st.characters(categories=["L", "M", "N", "P", "S"]), min_size=1, max_size=20).filter(
    lambda value: '"' not in value and "\\" not in value
)
_COLUMNS = ("name", "given_name", "family_name", "address", "locale", "custom:tenant", "custom:plan")


@st.composite
def _records(draw: st.DrawFn) -> list[UserRecord]:
    names = draw(st.lists(_USERNAME, min_size=1, max_size=6, unique_by=str.casefold))
    records = []
    for number, name in enumerate(names):
        attributes = draw(st.dictionaries(st.sampled_from(_COLUMNS), _VALUE, max_size=len(_COLUMNS)))
        attributes = {column: value for column, value in attributes.items() if value}
        records.append(
            UserRecord(name, {**attributes, "email": f"user{number}@example.com"}, email_verified=True)
        )
    return records


def _accepted(deployment: Deployment, records: list[UserRecord]) -> bool:
    """Whether the pool's own rules accept the records (as the construct checks them at synth)."""
    cognito = deployment.client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=deployment.pool_id)["UserPool"]
    schema = PoolSchema.from_describe_user_pool(
        pool, cognito.get_csv_header(UserPoolId=deployment.pool_id)["CSVHeader"]
    )
    result = convert(
        io.BytesIO(render_users(records).encode()), io.StringIO(), schema=schema, file_name="users"
    )
    return bool(result.ok)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=_records())
def test_records_arrive_with_their_attribute_values(emulator: Emulator, records: list[UserRecord]) -> None:
    emulator.settings.pending_seconds = 0.1
    emulator.settings.min_run_seconds = 0.2
    world = create_world(emulator.url, pool_name="property-pool")
    deployment = Deployment(world)
    try:
        if not _accepted(deployment, records):
            return  # from_users would have refused them at synth: nothing to compare
        response = deployment.send("Create", world.put_source(render_users(records)))

        assert response["Status"] == "SUCCESS", response["Reason"]
        assert response["Data"]["ImportedUsers"] == str(len(records))
        users = world.users()
        for record in records:
            assert record.username in users
            for column, value in record.attributes.items():
                assert users[record.username][column] == value
    finally:
        world.close()
