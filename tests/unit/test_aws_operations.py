"""The handler's table of AWS operations against AWS's Service Authorization Reference (as policy_sentry ships
it): each row's action exists and is authorized on the resource type the row names."""

from __future__ import annotations

import pytest
from policy_sentry.querying.actions import get_action_data
from policy_sentry.querying.arns import get_resource_type_name_with_raw_arn

from cognito_user_import_handler.aws_operations import OPERATIONS, Operation, Resource, row_for


def reference_resource_types(action: str) -> set[str]:
    """The resource types the reference lists for ``action``; ``*`` where it lists none (or allows *)."""
    service, name = action.split(":")
    rows = get_action_data(service, name)
    assert rows and rows.get(service), f"{action} is not in the Service Authorization Reference"
    return {
        "*"
        if row["resource_arn_format"] == "*"
        else get_resource_type_name_with_raw_arn(row["resource_arn_format"])
        for row in rows[service]
    }


@pytest.mark.parametrize(
    "row", OPERATIONS, ids=lambda row: f"{row.operation}-{row.action}-{row.resource.name}"
)
def test_row_resource_type_is_the_references(row: Operation) -> None:
    types = reference_resource_types(row.action)
    assert row.resource_type in types, (row.action, row.resource_type, types)
    if row.resource is Resource.ANY:
        # Granted on * only where the reference names no resource type at all.
        assert types == {"*"}, (row.action, types)
    else:
        assert row.resource_type != "*"


def test_every_row_names_a_scenario_and_caller() -> None:
    for row in OPERATIONS:
        assert row.scenario and row.caller, row
    assert row_for("s3", "GetObject")  # several rows (source, version, key, ledger) for one call
    assert {r.action for r in row_for("cognito-idp", "CreateUserImportJob")} == {
        "cognito-idp:CreateUserImportJob",
        "iam:PassRole",
    }
