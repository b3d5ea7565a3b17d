"""The failing rows of a job, read from its CloudWatch log stream and mapped back to usernames.

The mapping comes from the ledger's upload-order list, so it works in a container that never saw the
converted file (a scheduled poll in a new container).
"""

from __future__ import annotations

import time

import pytest

from cognito_user_import_handler.clients import AwsClients
from cognito_user_import_handler.job_rows import read_job_rows
from cognito_user_import_handler.ledger import Ledger
from cognito_user_import_handler.properties import ImportProperties

from cfn_harness import Deployment

JOB_ID = "import-Fa1LedRows"
SOURCE = (
    "cognito:username,email,email_verified\n"
    "ana,ana@example.com,true\n"
    "zed,zed@example.com,true\n"  # already in the pool: left out of the uploaded file
    "bo,bo@example.com,true\n"
)
UPLOADED = ["ana", "bo"]  # the ledger's upload order: zed was left out


def write_job_log(deployment: Deployment, lines: list[str]) -> None:
    logs = deployment.client("logs")
    group = f"/aws/cognito/userpools/{deployment.pool_id}/seeded-pool"
    stream = f"{JOB_ID}/seed-users"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": line} for i, line in enumerate(lines)],
    )


@pytest.mark.parametrize("first_user_line", [2, 1], ids=["header-is-line-1", "first-user-is-line-1"])
def test_failing_rows_name_the_source_line_and_username(deployment: Deployment, first_user_line: int) -> None:
    props = ImportProperties.from_event(deployment.put_source(SOURCE))
    write_job_log(
        deployment,
        [
            "Cognito User Pools Import - Test Log",
            "Cognito User Pools Import - Test Log",
            f"[SUCCEEDED] Line Number {first_user_line} - The import succeeded.",
            f"[FAILED] Line Number {first_user_line + 1} - The attribute email is not valid.",
        ],
    )

    clients = AwsClients()
    ledger = Ledger(clients.s3, str(props.ledger_bucket), "SeedUsers")
    ledger.write_lines(Ledger.job_names_name(JOB_ID), UPLOADED)

    rows = read_job_rows(clients, ledger, props, "seeded-pool", {"JobId": JOB_ID, "Status": "Failed"})

    assert [str(row) for row in rows.failing] == ["line 4 (bo): The attribute email is not valid."]
    assert rows.created == ["ana"]
