"""Update and Delete: repeated deployments are safe and never lose users."""

from __future__ import annotations

from cognito_user_import_emulator import Emulator

from cfn_harness import Deployment

HEADER = "cognito:username,email,email_verified,given_name\n"
FIRST = HEADER + "ana,ana@example.com,true,Ana\nbo,bo@example.com,true,Bo\n"
SECOND = FIRST + "cy,cy@example.com,true,Cy\ndee,dee@example.com,true,Dee\n"


def test_an_update_that_changes_nothing_relevant_creates_no_job(deployment: Deployment) -> None:
    props = deployment.put_source(FIRST)
    created = deployment.send("Create", props)

    updated = deployment.send(
        "Update",
        props | {"TimeoutSeconds": "300", "JobName": "renamed"},
        old_properties=props,
        physical_id=created["PhysicalResourceId"],
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["PhysicalResourceId"] == created["PhysicalResourceId"]
    assert updated["Data"] == created["Data"]
    assert len(deployment.jobs()) == 1


def test_an_update_with_added_rows_imports_only_those(deployment: Deployment) -> None:
    first = deployment.put_source(FIRST)
    created = deployment.send("Create", first)
    second = deployment.put_source(SECOND, key="users-v2.csv")

    updated = deployment.send(
        "Update", second, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"]["ImportedUsers"] == "2"
    assert updated["Data"]["SkippedUsers"] == "2"
    assert set(deployment.users()) == {"ana", "bo", "cy", "dee"}
    assert len(deployment.jobs()) == 2


def test_a_source_whose_users_all_exist_creates_no_job(deployment: Deployment) -> None:
    first = deployment.put_source(FIRST)
    created = deployment.send("Create", first)
    reordered = deployment.put_source(
        HEADER + "bo,bo@example.com,true,Bo\nana,ana@example.com,true,Ana\n", key="b.csv"
    )

    updated = deployment.send(
        "Update", reordered, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["PhysicalResourceId"] == created["PhysicalResourceId"]
    assert updated["Data"]["Status"] == "NothingToImport"
    assert updated["Data"]["ImportedUsers"] == "0"
    assert updated["Data"]["SkippedUsers"] == "2"
    assert updated["Data"]["JobId"] == created["Data"]["JobId"]  # the last job's, as documented
    assert len(deployment.jobs()) == 1


def test_a_header_only_file_says_it_holds_no_users(deployment: Deployment) -> None:
    response = deployment.send("Create", deployment.put_source(HEADER))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["Data"]["Status"] == "NothingToImport"
    assert response["Data"]["CompletionMessage"] == "The file holds no users; no job was created."
    assert deployment.jobs() == []


def test_existing_users_fail_mode_names_them_and_creates_no_job(deployment: Deployment) -> None:
    first = deployment.put_source(FIRST)
    deployment.send("Create", first)
    # Another resource (its own logical id and job name) whose file holds users the first one imported.
    second = deployment.put_source(SECOND, key="v2.csv") | {
        "ExistingUsers": "FAIL",
        "JobName": "other-import",
    }
    deployment.logical_id = "OtherUsers"

    response = deployment.send("Create", second)

    assert response["Status"] == "FAILED"
    assert "2 users of v2.csv already exist in pool" in response["Reason"]
    assert "ana, bo" in response["Reason"]
    assert len(deployment.jobs()) == 1


def test_delete_stops_a_running_job_and_keeps_users(deployment: Deployment, emulator: Emulator) -> None:
    deployment.send("Create", deployment.put_source(FIRST))
    emulator.settings.min_run_seconds = 60.0
    deployment.lambda_timeout = 12.0
    props = deployment.put_source(SECOND, key="v2.csv")
    # CloudFormation's Create is in flight (the job runs, polls are scheduled) when the stack is deleted.
    deployment.send_without_waiting("Create", props)
    running = deployment.jobs()[0]
    assert running["Status"] == "InProgress"

    response = deployment.send("Delete", props, physical_id=running["JobId"])

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert deployment.jobs()[0]["Status"] == "Stopped"
    assert {"ana", "bo"} <= set(deployment.users())


def test_a_changed_row_of_an_existing_user_is_reported_skipped_and_creates_no_job(
    deployment: Deployment,
) -> None:
    first = deployment.put_source(FIRST)
    created = deployment.send("Create", first)
    changed = deployment.put_source(
        FIRST.replace("bo,bo@example.com,true,Bo", "bo,bo@example.com,true,Bob"), key="c.csv"
    )

    updated = deployment.send(
        "Update", changed, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"]["Status"] == "NothingToImport"
    assert updated["Data"]["SkippedUsers"] == "2"
    assert updated["Data"]["NotApplied"] == "bo"  # named: its change was not applied
    assert deployment.users()["bo"]["given_name"] == "Bo"  # attributes of existing users are not updated
    assert len(deployment.jobs()) == 1


def test_one_added_row_is_looked_up_and_imported(deployment: Deployment) -> None:
    first = deployment.put_source(FIRST)
    created = deployment.send("Create", first)
    added = deployment.put_source(FIRST + "cy,cy@example.com,true,Cy\n", key="d.csv")

    updated = deployment.send(
        "Update", added, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"]["ImportedUsers"] == "1"
    assert updated["Data"]["SkippedUsers"] == "2"
    assert set(deployment.users()) == {"ana", "bo", "cy"}


def test_fail_mode_ignores_this_resources_own_imports_even_without_the_old_file(
    deployment: Deployment,
) -> None:
    first = deployment.put_source(FIRST) | {"ExistingUsers": "FAIL"}
    created = deployment.send("Create", first)
    # As on AWS after a policy update: the old asset can no longer be read.
    deployment.client("s3").delete_object(Bucket=deployment.bucket, Key=first["SourceKey"])
    second = deployment.put_source(SECOND, key="v2.csv") | {"ExistingUsers": "FAIL"}

    updated = deployment.send(
        "Update", second, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"]["ImportedUsers"] == "2"
    assert set(deployment.users()) == {"ana", "bo", "cy", "dee"}


def test_the_ledger_keeps_row_digests_of_the_applied_and_previous_files_only(deployment: Deployment) -> None:
    physical_id, old = "", None
    hashes = []
    for n, extra in enumerate(("", "cy,cy@example.com,true,Cy\n", "dee,dee@example.com,true,Dee\n")):
        props = deployment.put_source(FIRST + extra, key=f"v{n}.csv")
        hashes.append(props["SourceHash"])
        kind = "Update" if old else "Create"
        response = deployment.send(kind, props, old_properties=old, physical_id=physical_id or None)
        assert response["Status"] == "SUCCESS", response["Reason"]
        physical_id, old = response["PhysicalResourceId"], props

    listed = deployment.client("s3").list_objects_v2(
        Bucket=deployment.ledger_bucket, Prefix="SeedUsers/digests/"
    )
    kept = {item["Key"].rsplit("/", 1)[-1] for item in listed.get("Contents", [])}
    assert kept == {f"{hashes[1]}.bin", f"{hashes[2]}.bin"}
