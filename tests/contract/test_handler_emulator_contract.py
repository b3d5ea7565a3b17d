"""Contract: the handler's CSV rules (convert) never accept a file the emulator, the oracle, would not
import exactly.

Hypothesis draws a pool (custom String/Number/Boolean attributes with limits, required standard
attributes and length limits, MFA OFF/ON/OPTIONAL, auto-verified email and/or phone, case-(in)sensitive
usernames, sign-in aliases or username attributes, a job with or without a password hashing
algorithm) and a file for it (see ``contract_files``). The pool is created in the emulator through
boto3, then:

- when convert accepts the file, its output runs as a real import job (CreateUserImportJob, PUT with
  the SSE header, StartUserImportJob, wait): every row must be imported, with exactly its values;
- otherwise the same rows, written in Cognito's dialect by this test, run as a job: every row the
  emulator fails or skips must be one convert refused (a problem on that row's line).

The emulator's rules (``cognito_user_import_emulator.pool_rules``, ``csv_reader``) never import the
handler's checks: this test is where the two meet.
"""

from __future__ import annotations

import io
import json
import os
import time
import urllib.request
from typing import Any

import boto3
import pytest
from contract_files import (
    HASH,
    HASH_VALUE,
    USERNAME,
    Pool,
    UserFile,
    cognito_dialect,
    expected_attributes,
    pool_from_request,
    pools,
    render,
    user_files,
)
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from cognito_user_csv.conversion import convert
from cognito_user_csv.problems import Problem
from cognito_user_csv.schema import PoolSchema
from cognito_user_import_emulator import Emulator

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "150"))  # ~20 s here; raise it to search longer
TERMINAL = {"Succeeded", "Failed", "Stopped", "Expired"}
#: The logs role may write the import logs (the emulator checks it when a job starts).
LOGS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:*:*:log-group:/aws/cognito/*",
        }
    ],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


class Cognito:
    """The emulator through boto3, as a user of Cognito's job API would drive it."""

    def __init__(self, emulator: Emulator) -> None:
        kwargs: dict[str, Any] = {
            "endpoint_url": emulator.url,
            "region_name": emulator.region,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        self.idp = boto3.client("cognito-idp", **kwargs)
        self.logs = boto3.client("logs", **kwargs)
        iam = boto3.client("iam", **kwargs)
        role = iam.create_role(RoleName="ContractLogs", AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.put_role_policy(RoleName="ContractLogs", PolicyName="ImportLogs", PolicyDocument=json.dumps(LOGS))
        self.role = str(role["Role"]["Arn"])
        self.pools = 0

    def create_pool(self, pool: Pool) -> tuple[str, PoolSchema]:
        """The pool, and the schema the handler reads from it (DescribeUserPool, GetCSVHeader)."""
        self.pools += 1
        pool_id = self.idp.create_user_pool(PoolName=f"contract{self.pools}", **pool.request)["UserPool"][
            "Id"
        ]
        described = self.idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        return pool_id, PoolSchema.from_describe_user_pool(described, self.header(pool_id))

    def header(self, pool_id: str) -> list[str]:
        return list(self.idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"])

    def run(self, pool_id: str, data: bytes, algorithm: str | None) -> dict[str, Any]:
        """Create, upload (with the SSE header), start and wait: the finished job."""
        request: dict[str, Any] = {
            "JobName": "contract",
            "UserPoolId": pool_id,
            "CloudWatchLogsRoleArn": self.role,
        }
        if algorithm:
            request["PasswordHashingAlgorithm"] = algorithm
        job = self.idp.create_user_import_job(**request)["UserImportJob"]
        headers = {"Content-Type": "text/csv", "x-amz-server-side-encryption": "aws:kms"}
        put = urllib.request.Request(job["PreSignedUrl"], data=data, method="PUT", headers=headers)
        with urllib.request.urlopen(put, timeout=10) as response:
            assert response.status == 200
        self.idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
        deadline = time.monotonic() + 20
        while True:
            done = self.idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
            if done["Status"] in TERMINAL or time.monotonic() > deadline:
                return dict(done)
            time.sleep(0.01)

    def verdicts(self, pool_id: str, job_id: str) -> dict[int, str]:
        """Line number -> SUCCEEDED, SKIPPED or FAILED, from the job's log stream."""
        groups = self.logs.describe_log_groups(logGroupNamePrefix=f"/aws/cognito/userpools/{pool_id}/")
        group = groups["logGroups"][0]["logGroupName"]
        streams = self.logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job_id}/")
        stream = streams["logStreams"][0]["logStreamName"]
        events = self.logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
        found = {}
        for message in (e["message"] for e in events["events"]):
            if message.startswith("[") and "] Line Number " in message:
                outcome, rest = message[1:].split("] Line Number ", 1)
                found[int(rest.split(" ", 1)[0])] = outcome
        return found

    def users(self, pool_id: str) -> list[dict[str, Any]]:
        return [dict(user) for user in self.idp.list_users(UserPoolId=pool_id, Limit=60)["Users"]]


def short(values: Any) -> str:
    """A row or file for a failure message: long values cut, so the message stays readable."""
    if isinstance(values, dict):
        return repr({k: v if len(v) <= 40 else f"{v[:20]}...({len(v)} chars)" for k, v in values.items()})
    text = str(values)
    return text if len(text) <= 600 else text[:600] + "..."


def check_accepted(cognito: Cognito, pool_id: str, pool: Pool, file: UserFile, converted: str) -> None:
    """Every row imported, each user with exactly the row's values and the expected status."""
    job = cognito.run(pool_id, converted.encode("utf-8"), pool.algorithm)
    counts = (job["Status"], job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"])
    assert counts == ("Succeeded", len(file.rows), 0, 0), (
        f"convert accepted the file but the job says {counts} ({job.get('CompletionMessage')}); rows: "
        + "; ".join(short(row) for row in file.rows)
    )
    users = cognito.users(pool_id)
    got = sorted(
        json.dumps({a["Name"]: a["Value"] for a in user["Attributes"] if a["Name"] != "sub"}, sort_keys=True)
        for user in users
    )
    assert got == sorted(json.dumps(expected_attributes(pool, row), sort_keys=True) for row in file.rows)
    if pool.username_attributes:
        return  # such pools name their users by sub
    by_name = {user["Username"]: user for user in users}
    for row in file.rows:
        hashed = pool.algorithm is not None and bool(row.get(HASH, "").strip())
        assert by_name[row[USERNAME].strip(" \t")]["UserStatus"] == (
            "CONFIRMED" if hashed else "RESET_REQUIRED"
        )


def check_refused(
    cognito: Cognito, pool_id: str, pool: Pool, file: UserFile, problems: list[Problem], starts: list[int]
) -> None:
    """Every row the emulator fails or skips is a row convert refused."""
    refused = {p.line for p in problems}
    if HASH in file.columns and pool.algorithm is None:
        assert [p.column for p in problems if p.line == 1] == [HASH]
        event("refused: password_hash without an algorithm")
        return
    assert 1 not in refused, [str(p) for p in problems]  # the strategies write valid headers
    header = cognito.header(pool_id) + ([HASH] if HASH in file.columns else [])
    data, unwritable = cognito_dialect(header, file, pool)
    for index in unwritable:
        assert starts[index] in refused, f"row {index} has a line break in a value and was not refused"
    written = [i for i in range(len(file.rows)) if i not in unwritable]
    if not written:
        return
    job = cognito.run(pool_id, data, pool.algorithm)
    verdicts = cognito.verdicts(pool_id, job["JobId"])
    assert sorted(verdicts) == list(range(2, len(written) + 2)), job.get("CompletionMessage")
    for line, index in enumerate(written, start=2):
        if verdicts[line] != "SUCCEEDED":
            assert starts[index] in refused, (
                f"the emulator says {verdicts[line]} for row {index} {short(file.rows[index])}, "
                f"which convert accepted; its problems: {[str(p) for p in problems]}"
            )
        elif starts[index] in refused:
            event("a row the handler refuses and the emulator imports (the handler is stricter)")


@pytest.fixture
def cognito(emulator: Emulator) -> Cognito:
    emulator.update_settings(
        pending_seconds=0.01,
        min_run_seconds=0.02,
        seconds_per_row=0.0,
        tick_seconds=0.005,
        max_failed_or_skipped_ratio=1.0,  # every row's verdict, however many fail
    )
    return Cognito(emulator)


CASES = pools().flatmap(lambda pool: user_files(pool).map(lambda file: (pool, file)))
EMAIL = {"AutoVerifiedAttributes": ["email"]}


def case(
    request: dict[str, Any], *rows: dict[str, str], algorithm: str | None = None
) -> tuple[Pool, UserFile]:
    """A fixed case: a pool, and rows given as {column: value} on top of a verified email user."""
    full = [
        {USERNAME: f"user{n}", "email": f"user{n}@example.com", "email_verified": "true", **row}
        for n, row in enumerate(rows)
    ]
    columns = list(dict.fromkeys(c for row in full for c in row))
    return pool_from_request({**EMAIL, **request}, algorithm), UserFile(columns, columns, False, full)


# The disagreements this test found or was written for, checked first on every run.
@example(case=case({}, {"phone_number": "+1"}, {"phone_number": "+12"}), line_end="\n")
@example(case=case({}, {USERNAME: "zero\u200bwidth"}, {USERNAME: "soft\u00adhyphen"}), line_end="\n")
@example(
    case=case({"Schema": [{"Name": "note", "AttributeDataType": "String"}]}, {"custom:note": "x" * 2049}),
    line_end="\n",
)
@example(
    case=case(
        {
            "Schema": [
                {
                    "Name": "name",
                    "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"},
                }
            ]
        },
        {"name": "Bartholomew"},
    ),
    line_end="\r\n",
)
@example(
    case=case({"UsernameConfiguration": {"CaseSensitive": False}}, {USERNAME: "bob"}, {USERNAME: "BOB"}),
    line_end="\n",
)
@example(
    case=case({"AliasAttributes": ["email"]}, {"email": "ann@example.com"}, {"email": "ann@example.com"}),
    line_end="\n",
)
@example(
    case=case({"UsernameAttributes": ["email"]}, {"email": "zoe@example.com"}, {USERNAME: "zoe@example.com"}),
    line_end="\n",
)
@example(case=case({}, {HASH: HASH_VALUE}), line_end="\n")
@example(case=case({}, {HASH: HASH_VALUE}, algorithm="BCRYPT"), line_end="\n")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(case=CASES, line_end=st.sampled_from(["\n", "\r\n"]))
def test_what_the_handler_accepts_the_emulator_imports_exactly(
    cognito: Cognito, case: tuple[Pool, UserFile], line_end: str
) -> None:
    pool, file = case
    source, starts = render(file, line_end)
    pool_id, schema = cognito.create_pool(pool)
    out = io.StringIO()
    result = convert(
        io.BytesIO(source),
        out,
        schema=schema,
        file_name="users.csv",
        max_problems=1000,
        password_hashing_algorithm=pool.algorithm,
    )
    event(
        f"{'clean' if file.clean else 'mixed'} file {'accepted' if result.ok else 'refused'} by the handler"
    )
    if result.ok:
        check_accepted(cognito, pool_id, pool, file, out.getvalue())
    else:
        check_refused(cognito, pool_id, pool, file, result.problems, starts)
