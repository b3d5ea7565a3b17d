"""The pool's job budget, and remove_users_on_delete."""

from __future__ import annotations

import logging

import pytest

from cognito_user_import_handler.jobs import ImportJobs

from cfn_harness import Deployment

HEADER = "cognito:username,email,email_verified\n"
FILE = HEADER + "ana,ana@example.com,true\nbo,bo@example.com,true\nzed,zed@example.com,true\n"


def create_jobs(deployment: Deployment, count: int) -> None:
    cognito = deployment.client("cognito-idp")
    for number in range(count):
        cognito.create_user_import_job(
            JobName=f"earlier-{number}",
            UserPoolId=deployment.pool_id,
            CloudWatchLogsRoleArn=deployment.logs_role_arn,
        )


def test_the_job_budget_warns_at_900_and_fails_clearly_at_1000(
    deployment: Deployment, caplog: pytest.LogCaptureFixture
) -> None:
    create_jobs(deployment, 900)
    with caplog.at_level(logging.WARNING):
        ImportJobs(deployment.client("cognito-idp"), deployment.pool_id).check_budget()
    assert f"User pool {deployment.pool_id} has used 900 of its 1000 import jobs" in caplog.text

    create_jobs(deployment, 100)
    response = deployment.send("Create", deployment.put_source(FILE))

    assert response["Status"] == "FAILED"
    assert f"user pool {deployment.pool_id} has used all 1000 import jobs it is allowed" in response["Reason"]
    assert ImportJobs(deployment.client("cognito-idp"), deployment.pool_id).count_jobs(stop_at=2000) == 1000


def admin_create(deployment: Deployment, username: str) -> None:
    deployment.client("cognito-idp").admin_create_user(
        UserPoolId=deployment.pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        MessageAction="SUPPRESS",
    )


def test_remove_users_on_delete_removes_only_the_users_this_resource_imported(deployment: Deployment) -> None:
    admin_create(deployment, "zed")  # in the file, but there before the import
    admin_create(deployment, "other")  # not in the file
    props = deployment.put_source(FILE) | {"RemoveUsersOnDelete": "true"}
    created = deployment.send("Create", props)
    assert created["Data"]["ImportedUsers"] == "2"

    deleted = deployment.send("Delete", props, physical_id=created["PhysicalResourceId"])

    assert deleted["Status"] == "SUCCESS", deleted["Reason"]
    assert set(deployment.users()) == {"zed", "other"}


def test_the_delete_after_a_replacing_update_keeps_users(deployment: Deployment) -> None:
    first = deployment.put_source(HEADER + "ana,ana@example.com,true\n") | {"RemoveUsersOnDelete": "true"}
    created = deployment.send("Create", first)
    second = deployment.put_source(FILE, key="v2.csv") | {"RemoveUsersOnDelete": "true"}
    updated = deployment.send(
        "Update", second, old_properties=first, physical_id=created["PhysicalResourceId"]
    )
    assert updated["PhysicalResourceId"] != created["PhysicalResourceId"]

    # CloudFormation deletes the old physical id after an update that returned a new one.
    cleanup = deployment.send("Delete", first, physical_id=created["PhysicalResourceId"])

    assert cleanup["Status"] == "SUCCESS", cleanup["Reason"]
    assert set(deployment.users()) == {"ana", "bo", "zed"}
