"""IAM for role sessions: what a role's identity policies allow, the emulator allows; the rest is refused
in AWS's wording and shape, per protocol. Real boto3 with credentials from sts:AssumeRole."""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cognito_user_import_emulator import Emulator

if TYPE_CHECKING:
    from conftest import EmulatorKit

ACCOUNT = "123456789012"
REGION = "us-east-1"
SESSION = "iam-test"
ANYONE_MAY_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def allow(actions: str | list[str], resources: str | list[str], effect: str = "Allow") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Action": actions, "Resource": resources}],
    }


class World:
    """Plain-credential clients to set things up, and role sessions to try them under."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.plain = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        self.iam = self.client(self.plain, "iam")
        self._roles = 0

    def client(self, session: boto3.session.Session, service: str) -> Any:
        config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
        return session.client(service, endpoint_url=self.emulator.url, config=config)

    def role_session(
        self, *inline: dict[str, Any], managed: tuple[dict[str, Any], ...] = ()
    ) -> tuple[str, boto3.session.Session]:
        """A new role with these inline and managed policies, and a session with its credentials."""
        self._roles += 1
        name = f"Caller{self._roles}"
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ANYONE_MAY_ASSUME))
        for index, document in enumerate(inline):
            self.iam.put_role_policy(
                RoleName=name, PolicyName=f"p{index}", PolicyDocument=json.dumps(document)
            )
        for index, document in enumerate(managed):
            arn = self.iam.create_policy(PolicyName=f"{name}m{index}", PolicyDocument=json.dumps(document))[
                "Policy"
            ]["Arn"]
            self.iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        sts = self.client(self.plain, "sts")
        credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}", RoleSessionName=SESSION)[
            "Credentials"
        ]
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=REGION,
        )
        return name, session


@pytest.fixture
def world(emulator: Emulator) -> World:
    return World(emulator)


def denied_message(role: str, action: str, resource: str, explicit: bool = False) -> str:
    why = (
        "with an explicit deny in an identity-based policy"
        if explicit
        else f"because no identity-based policy allows the {action} action"
    )
    principal = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{SESSION}"
    return f"User: {principal} is not authorized to perform: {action} on resource: {resource} {why}"


def assert_denied(error: pytest.ExceptionInfo[ClientError], code: str, status: int, message: str) -> None:
    response = error.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["Error"]["Message"] == message


def pool_arn(pool_id: str) -> str:
    return f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{pool_id}"


# ---- cognito-idp ---------------------------------------------------------------------------------


def test_a_scoped_grant_allows_its_pool_and_refuses_another(world: World) -> None:
    cognito = world.client(world.plain, "cognito-idp")
    mine = cognito.create_user_pool(PoolName="mine")["UserPool"]["Id"]
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    role, session = world.role_session(allow("cognito-idp:DescribeUserPool", pool_arn(mine)))
    caller = world.client(session, "cognito-idp")

    assert caller.describe_user_pool(UserPoolId=mine)["UserPool"]["Id"] == mine
    with pytest.raises(ClientError) as error:
        caller.describe_user_pool(UserPoolId=other)
    assert_denied(
        error,
        "AccessDeniedException",
        400,
        denied_message(role, "cognito-idp:DescribeUserPool", pool_arn(other)),
    )
    with pytest.raises(ClientError) as error:
        caller.list_users(UserPoolId=mine)
    assert_denied(
        error, "AccessDeniedException", 400, denied_message(role, "cognito-idp:ListUsers", pool_arn(mine))
    )


def test_plain_credentials_are_not_checked(world: World) -> None:
    cognito = world.client(world.plain, "cognito-idp")
    pool = cognito.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    world.role_session(allow("s3:GetObject", "*"))  # a role session exists, but these are not its keys

    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Id"] == pool


def test_an_explicit_deny_beats_an_allow(world: World) -> None:
    cognito = world.client(world.plain, "cognito-idp")
    pool = cognito.create_user_pool(PoolName="denied")["UserPool"]["Id"]
    role, session = world.role_session(
        allow("cognito-idp:*", "*"), allow("cognito-idp:ListUsers", pool_arn(pool), effect="Deny")
    )
    caller = world.client(session, "cognito-idp")

    assert caller.describe_user_pool(UserPoolId=pool)["UserPool"]["Id"] == pool
    with pytest.raises(ClientError) as error:
        caller.list_users(UserPoolId=pool)
    assert_denied(
        error,
        "AccessDeniedException",
        400,
        denied_message(role, "cognito-idp:ListUsers", pool_arn(pool), explicit=True),
    )


def test_an_attached_managed_policy_counts(world: World) -> None:
    cognito = world.client(world.plain, "cognito-idp")
    pool = cognito.create_user_pool(PoolName="managed")["UserPool"]["Id"]
    _, session = world.role_session(managed=(allow("cognito-idp:ListUsers", pool_arn(pool)),))

    assert world.client(session, "cognito-idp").list_users(UserPoolId=pool)["Users"] == []


def test_enforcement_can_be_switched_off(world: World) -> None:
    cognito = world.client(world.plain, "cognito-idp")
    pool = cognito.create_user_pool(PoolName="off")["UserPool"]["Id"]
    _, session = world.role_session(allow("s3:GetObject", "*"))
    world.emulator.update_settings(enforce_iam=False)

    assert world.client(session, "cognito-idp").list_users(UserPoolId=pool)["Users"] == []


def test_create_user_import_job_needs_pass_role_on_the_logs_role(world: World, emu_kit: EmulatorKit) -> None:
    pool = emu_kit.pool()
    logs_role = emu_kit.role()
    role, session = world.role_session(allow("cognito-idp:CreateUserImportJob", pool_arn(pool)))
    caller = world.client(session, "cognito-idp")

    with pytest.raises(ClientError) as error:
        caller.create_user_import_job(JobName="j", UserPoolId=pool, CloudWatchLogsRoleArn=logs_role)
    assert_denied(error, "AccessDeniedException", 400, denied_message(role, "iam:PassRole", logs_role))

    world.iam.put_role_policy(
        RoleName=role, PolicyName="pass", PolicyDocument=json.dumps(allow("iam:PassRole", logs_role))
    )
    job = caller.create_user_import_job(JobName="j", UserPoolId=pool, CloudWatchLogsRoleArn=logs_role)
    assert job["UserImportJob"]["Status"] == "Created"


# ---- iam / sts (query protocol) ------------------------------------------------------------------


def test_get_caller_identity_is_always_allowed_and_iam_refuses_in_xml(world: World) -> None:
    role, session = world.role_session(allow("cognito-idp:ListUserPools", "*"))

    identity = world.client(session, "sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{SESSION}"
    with pytest.raises(ClientError) as error:
        world.client(session, "iam").list_roles()
    assert_denied(error, "AccessDenied", 403, denied_message(role, "iam:ListRoles", "*"))


# ---- s3 ------------------------------------------------------------------------------------------


def test_s3_objects_and_versions_are_authorized_on_their_arn(world: World) -> None:
    s3 = world.client(world.plain, "s3")
    s3.create_bucket(Bucket="ledger")
    s3.put_bucket_versioning(Bucket="ledger", VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket="ledger", Key="jobs/a", Body=b"a")["VersionId"]
    s3.put_object(Bucket="ledger", Key="other/b", Body=b"b")
    role, session = world.role_session(
        allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::ledger/jobs/*"),
        allow("s3:ListBucket", "arn:aws:s3:::ledger"),
    )
    caller = world.client(session, "s3")

    assert caller.get_object(Bucket="ledger", Key="jobs/a")["Body"].read() == b"a"
    caller.put_object(Bucket="ledger", Key="jobs/c", Body=b"c")
    assert {o["Key"] for o in caller.list_objects_v2(Bucket="ledger")["Contents"]} == {
        "jobs/a",
        "jobs/c",
        "other/b",
    }
    with pytest.raises(ClientError) as error:
        caller.get_object(Bucket="ledger", Key="other/b")
    assert_denied(
        error, "AccessDenied", 403, denied_message(role, "s3:GetObject", "arn:aws:s3:::ledger/other/b")
    )
    with pytest.raises(ClientError) as error:
        caller.get_object(Bucket="ledger", Key="jobs/a", VersionId=version)
    assert_denied(
        error, "AccessDenied", 403, denied_message(role, "s3:GetObjectVersion", "arn:aws:s3:::ledger/jobs/a")
    )
    with pytest.raises(ClientError) as error:
        caller.delete_object(Bucket="ledger", Key="jobs/a")
    assert_denied(
        error, "AccessDenied", 403, denied_message(role, "s3:DeleteObject", "arn:aws:s3:::ledger/jobs/a")
    )


def test_a_missing_key_is_403_without_list_bucket_and_404_with_it(world: World) -> None:
    world.client(world.plain, "s3").create_bucket(Bucket="sparse")
    role, session = world.role_session(allow("s3:GetObject", "arn:aws:s3:::sparse/*"))
    caller = world.client(session, "s3")

    with pytest.raises(ClientError) as error:
        caller.get_object(Bucket="sparse", Key="missing")
    assert_denied(error, "AccessDenied", 403, denied_message(role, "s3:ListBucket", "arn:aws:s3:::sparse"))

    world.iam.put_role_policy(
        RoleName=role,
        PolicyName="list",
        PolicyDocument=json.dumps(allow("s3:ListBucket", "arn:aws:s3:::sparse")),
    )
    with pytest.raises(ClientError) as error:
        caller.get_object(Bucket="sparse", Key="missing")
    assert error.value.response["Error"]["Code"] == "NoSuchKey"


def test_delete_objects_needs_delete_object_on_each_key(world: World) -> None:
    s3 = world.client(world.plain, "s3")
    s3.create_bucket(Bucket="many")
    role, session = world.role_session(allow("s3:DeleteObject", "arn:aws:s3:::many/jobs/*"))
    caller = world.client(session, "s3")

    caller.delete_objects(Bucket="many", Delete={"Objects": [{"Key": "jobs/a"}]})
    with pytest.raises(ClientError) as error:
        caller.delete_objects(Bucket="many", Delete={"Objects": [{"Key": "jobs/a"}, {"Key": "x"}]})
    assert_denied(error, "AccessDenied", 403, denied_message(role, "s3:DeleteObject", "arn:aws:s3:::many/x"))


def test_sse_kms_objects_need_the_key(world: World) -> None:
    key = world.client(world.plain, "kms").create_key()["KeyMetadata"]["Arn"]
    s3 = world.client(world.plain, "s3")
    s3.create_bucket(Bucket="sealed")
    s3.put_object(Bucket="sealed", Key="a", Body=b"a", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    s3.put_bucket_encryption(
        Bucket="sealed",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}
            ]
        },
    )
    role, session = world.role_session(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::sealed/*"))
    caller = world.client(session, "s3")

    with pytest.raises(ClientError) as error:
        caller.get_object(Bucket="sealed", Key="a")
    assert_denied(error, "AccessDenied", 403, denied_message(role, "kms:Decrypt", key))
    with pytest.raises(ClientError) as error:
        caller.put_object(Bucket="sealed", Key="b", Body=b"b")  # the bucket's default: SSE-KMS
    assert_denied(error, "AccessDenied", 403, denied_message(role, "kms:GenerateDataKey", key))

    world.iam.put_role_policy(
        RoleName=role,
        PolicyName="key",
        PolicyDocument=json.dumps(allow(["kms:Decrypt", "kms:GenerateDataKey"], key)),
    )
    assert caller.get_object(Bucket="sealed", Key="a")["Body"].read() == b"a"
    caller.put_object(Bucket="sealed", Key="b", Body=b"b")


# ---- logs ----------------------------------------------------------------------------------------


def test_logs_are_authorized_on_the_group_and_stream(world: World) -> None:
    logs = world.client(world.plain, "logs")
    for group in ("/aws/cognito/userpools/p1/pool", "/elsewhere"):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
    base = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
    role, session = world.role_session(
        allow(["logs:DescribeLogStreams", "logs:GetLogEvents"], f"{base}:/aws/cognito/userpools/p1/*")
    )
    caller = world.client(session, "logs")

    streams = caller.describe_log_streams(logGroupName="/aws/cognito/userpools/p1/pool")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["s"]
    caller.get_log_events(logGroupName="/aws/cognito/userpools/p1/pool", logStreamName="s")
    with pytest.raises(ClientError) as error:
        caller.get_log_events(logGroupName="/elsewhere", logStreamName="s")
    assert_denied(
        error,
        "AccessDeniedException",
        400,
        denied_message(role, "logs:GetLogEvents", f"{base}:/elsewhere:log-stream:s"),
    )
    with pytest.raises(ClientError) as error:
        caller.describe_log_groups(logGroupNamePrefix="/aws/cognito/userpools/p1/")
    assert_denied(
        error,
        "AccessDeniedException",
        400,
        denied_message(role, "logs:DescribeLogGroups", f"{base}::log-stream:"),
    )


def test_describe_log_groups_is_authorized_on_no_group_and_a_prefix_grant_is_not_enough(world: World) -> None:
    world.client(world.plain, "logs").create_log_group(logGroupName="/aws/cognito/userpools/p1/pool")
    base = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
    _, by_empty_stream = world.role_session(allow("logs:DescribeLogGroups", f"{base}::log-stream:"))
    _, by_any_group = world.role_session(allow("logs:DescribeLogGroups", f"{base}:*"))
    _, by_anything = world.role_session(allow("logs:DescribeLogGroups", "*"))
    role, by_prefix = world.role_session(
        allow("logs:DescribeLogGroups", f"{base}:/aws/cognito/userpools/p1/*")
    )

    for session in (by_empty_stream, by_any_group, by_anything):
        found = world.client(session, "logs").describe_log_groups(
            logGroupNamePrefix="/aws/cognito/userpools/p1/"
        )
        assert [g["logGroupName"] for g in found["logGroups"]] == ["/aws/cognito/userpools/p1/pool"]
    with pytest.raises(ClientError) as error:
        world.client(by_prefix, "logs").describe_log_groups(logGroupNamePrefix="/aws/cognito/userpools/p1/")
    assert_denied(
        error,
        "AccessDeniedException",
        400,
        denied_message(role, "logs:DescribeLogGroups", f"{base}::log-stream:"),
    )


# ---- events, lambda, secretsmanager --------------------------------------------------------------


def test_events_rules_are_authorized_on_the_rule_arn(world: World) -> None:
    events = world.client(world.plain, "events")
    for name in ("mine-poll", "theirs"):
        events.put_rule(Name=name, ScheduleExpression="rate(1 minute)", State="DISABLED")
    rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule"
    role, session = world.role_session(allow("events:DescribeRule", f"{rule}/mine-*"))
    caller = world.client(session, "events")

    assert caller.describe_rule(Name="mine-poll")["Name"] == "mine-poll"
    with pytest.raises(ClientError) as error:
        caller.describe_rule(Name="theirs")
    assert_denied(
        error, "AccessDeniedException", 400, denied_message(role, "events:DescribeRule", f"{rule}/theirs")
    )


def test_crhelper_polling_calls_are_authorized_on_the_rule_and_function(world: World) -> None:
    function = _function(world, "handler")
    rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule"
    role, session = world.role_session(
        allow(
            ["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule"],
            f"{rule}/handler*",
        ),
        allow(["lambda:AddPermission", "lambda:RemovePermission"], function),
    )
    events, lambda_client = world.client(session, "events"), world.client(session, "lambda")

    rule_arn = events.put_rule(Name="handlerPoll", ScheduleExpression="rate(2 minutes)", State="ENABLED")[
        "RuleArn"
    ]
    lambda_client.add_permission(
        FunctionName=function,
        StatementId="handlerPoll",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=rule_arn,
    )
    events.put_targets(Rule="handlerPoll", Targets=[{"Id": "1", "Arn": function}])
    events.remove_targets(Rule="handlerPoll", Ids=["1"])
    events.delete_rule(Name="handlerPoll")
    lambda_client.remove_permission(FunctionName=function, StatementId="handlerPoll")
    with pytest.raises(ClientError) as error:
        events.put_rule(Name="otherPoll", ScheduleExpression="rate(2 minutes)")
    assert_denied(
        error, "AccessDeniedException", 400, denied_message(role, "events:PutRule", f"{rule}/otherPoll")
    )


def _function(world: World, name: str) -> str:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", "def handler(event, context):\n    pass\n")
    role = world.iam.create_role(
        RoleName=f"{name}Role", AssumeRolePolicyDocument=json.dumps(ANYONE_MAY_ASSUME)
    )["Role"]["Arn"]
    created = world.client(world.plain, "lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": archive.getvalue()},
    )
    return str(created["FunctionArn"])


def test_lambda_is_authorized_on_the_function_arn(world: World) -> None:
    mine, theirs = _function(world, "mine"), _function(world, "theirs")
    role, session = world.role_session(allow("lambda:GetFunction", mine))
    caller = world.client(session, "lambda")

    assert caller.get_function(FunctionName="mine")["Configuration"]["FunctionArn"] == mine
    with pytest.raises(ClientError) as error:
        caller.get_function(FunctionName="theirs")
    assert_denied(error, "AccessDeniedException", 403, denied_message(role, "lambda:GetFunction", theirs))


def test_secrets_are_authorized_on_their_arn_and_a_customer_key_needs_decrypt(world: World) -> None:
    secrets = world.client(world.plain, "secretsmanager")
    key = world.client(world.plain, "kms").create_key()["KeyMetadata"]["Arn"]
    plain = secrets.create_secret(Name="plain", SecretString="p")["ARN"]
    sealed = secrets.create_secret(Name="sealed", SecretString="s", KmsKeyId=key)["ARN"]
    role, session = world.role_session(allow("secretsmanager:GetSecretValue", plain))
    caller = world.client(session, "secretsmanager")

    assert caller.get_secret_value(SecretId="plain")["SecretString"] == "p"
    with pytest.raises(ClientError) as error:
        caller.get_secret_value(SecretId="sealed")
    assert_denied(
        error, "AccessDeniedException", 400, denied_message(role, "secretsmanager:GetSecretValue", sealed)
    )

    world.iam.put_role_policy(
        RoleName=role,
        PolicyName="sealed",
        PolicyDocument=json.dumps(allow("secretsmanager:GetSecretValue", sealed)),
    )
    with pytest.raises(ClientError) as error:
        caller.get_secret_value(SecretId=sealed)
    assert_denied(error, "AccessDeniedException", 400, denied_message(role, "kms:Decrypt", key))

    world.iam.put_role_policy(
        RoleName=role, PolicyName="key", PolicyDocument=json.dumps(allow("kms:Decrypt", key))
    )
    assert caller.get_secret_value(SecretId="sealed")["SecretString"] == "s"


# ---- Cognito's side: the logs role ---------------------------------------------------------------


def test_a_logs_role_that_may_not_put_log_events_fails_the_job(emu_kit: EmulatorKit) -> None:
    pool = emu_kit.pool()
    header = emu_kit.header(pool)
    role = emu_kit.role(policy=allow("logs:CreateLogStream", "arn:aws:logs:*:*:log-group:/aws/cognito/*"))

    job = emu_kit.run(pool, emu_kit.csv(header, [emu_kit.user("ann")]), role_arn=role)

    assert job["Status"] == "Failed"
    assert role in job["CompletionMessage"]
    assert "logs:PutLogEvents" in job["CompletionMessage"]
    assert emu_kit.users(pool) == {}


def test_a_logs_role_without_policies_fails_the_job_naming_create_log_stream(emu_kit: EmulatorKit) -> None:
    pool = emu_kit.pool()
    role = emu_kit.role(policy=None)

    job = emu_kit.run(pool, emu_kit.csv(emu_kit.header(pool), [emu_kit.user("ann")]), role_arn=role)

    assert job["Status"] == "Failed"
    assert role in job["CompletionMessage"]
    assert "logs:CreateLogStream" in job["CompletionMessage"]


def test_kms_is_authorized_on_the_key_arn_an_alias_names(world: World) -> None:
    kms = world.client(world.plain, "kms")
    mine = kms.create_key()["KeyMetadata"]["Arn"]
    theirs = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/theirs", TargetKeyId=theirs)
    role, session = world.role_session(allow("kms:DescribeKey", mine))
    caller = world.client(session, "kms")

    assert caller.describe_key(KeyId=mine)["KeyMetadata"]["Arn"] == mine
    with pytest.raises(ClientError) as error:
        caller.describe_key(KeyId="alias/theirs")
    assert_denied(error, "AccessDeniedException", 400, denied_message(role, "kms:DescribeKey", theirs))


def test_kms_decrypt_without_key_id_is_authorized_on_the_ciphertexts_key(world: World) -> None:
    kms = world.client(world.plain, "kms")
    mine = kms.create_key()["KeyMetadata"]["Arn"]
    theirs = kms.create_key()["KeyMetadata"]["Arn"]
    sealed_mine = kms.encrypt(KeyId=mine, Plaintext=b"m")["CiphertextBlob"]
    sealed_theirs = kms.encrypt(KeyId=theirs, Plaintext=b"t")["CiphertextBlob"]
    role, session = world.role_session(allow("kms:Decrypt", mine))
    caller = world.client(session, "kms")

    assert caller.decrypt(CiphertextBlob=sealed_mine)["Plaintext"] == b"m"
    with pytest.raises(ClientError) as error:
        caller.decrypt(CiphertextBlob=sealed_theirs)
    assert_denied(error, "AccessDeniedException", 400, denied_message(role, "kms:Decrypt", theirs))


def test_a_copy_also_reads_its_source(world: World) -> None:
    s3 = world.client(world.plain, "s3")
    s3.create_bucket(Bucket="copies")
    s3.put_object(Bucket="copies", Key="in/a", Body=b"a")
    s3.put_object(Bucket="copies", Key="secret/b", Body=b"b")
    role, session = world.role_session(
        allow("s3:GetObject", "arn:aws:s3:::copies/in/*"), allow("s3:PutObject", "arn:aws:s3:::copies/out/*")
    )
    caller = world.client(session, "s3")

    caller.copy_object(Bucket="copies", Key="out/a", CopySource={"Bucket": "copies", "Key": "in/a"})
    with pytest.raises(ClientError) as error:
        caller.copy_object(Bucket="copies", Key="out/b", CopySource={"Bucket": "copies", "Key": "secret/b"})
    assert_denied(
        error, "AccessDenied", 403, denied_message(role, "s3:GetObject", "arn:aws:s3:::copies/secret/b")
    )


def test_a_logs_role_scoped_to_the_pools_group_and_its_streams_runs_the_job(emu_kit: EmulatorKit) -> None:
    pool = emu_kit.pool(name="scoped")
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/cognito/userpools/{pool}/scoped"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": group},
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": f"{group}:log-stream:*"},
        ],
    }
    role = emu_kit.role(policy=policy)

    job = emu_kit.run(pool, emu_kit.csv(emu_kit.header(pool), [emu_kit.user("ann")]), role_arn=role)

    assert job["Status"] == "Succeeded"
    assert set(emu_kit.users(pool)) == {"ann"}
