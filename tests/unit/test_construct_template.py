"""The synthesized template of a stack with two UserImports: IAM exactly, one shared handler, the resource."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest
from aws_cdk import App, CfnElement, Duration, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Capture, Match, Template

from cognito_user_import import ImportLogsRole, UserCsv, UserImport, UserRecord
from cognito_user_import.handler_function import UserImportHandler
from cognito_user_import_handler.aws_operations import OPERATIONS, Option, Resource
from cognito_user_import_handler.properties import RESOURCE_TYPE, ImportProperties

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

SECRET_EMAIL = "unique.person.7c1f@example.org"
CSV = f"cognito:username,email,email_verified,custom:tenant\nunique7c1f,{SECRET_EMAIL},true,acme\n"


def make_pool(stack: Stack, id: str) -> cognito.UserPool:
    return cognito.UserPool(
        stack,
        id,
        sign_in_aliases=cognito.SignInAliases(email=True),
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        custom_attributes={"tenant": cognito.StringAttribute(min_len=1, max_len=64)},
    )


class Synth:
    """One app synthesized once for the whole module: synthesis is the slow part."""

    def __init__(self, tmp: Path) -> None:
        csv_file = tmp / "users.csv"
        csv_file.write_text(CSV, encoding="utf-8")
        self.app = App(outdir=str(tmp / "cdk.out"))
        self.stack = Stack(self.app, "Main")
        self.pool_a = make_pool(self.stack, "PoolA")
        self.pool_b = make_pool(self.stack, "PoolB")
        self.bucket = s3.Bucket.from_bucket_name(self.stack, "Uploads", "my-uploads-bucket")
        self.own_role = iam.Role(
            self.stack, "MyLogsRole", assumed_by=iam.ServicePrincipal("cognito-idp.amazonaws.com")
        )
        self.import_a = UserImport(
            self.stack, "SeedA", user_pool=self.pool_a, source=UserCsv.from_file(str(csv_file))
        )
        self.import_b = UserImport(
            self.stack,
            "SeedB",
            user_pool=self.pool_b,
            source=UserCsv.from_bucket(self.bucket, "seed/users.csv"),
            logs_role=self.own_role,
            timeout=Duration.minutes(10),
            remove_users_on_delete=True,
        )
        self.template = Template.from_stack(self.stack)
        self.json: dict[str, Any] = dict(self.template.to_json())

    def ref(self, construct: Any) -> Any:
        return self.stack.resolve(construct)

    def logical_id(self, construct: Any) -> str:
        while not isinstance(construct, CfnElement):
            construct = construct.node.default_child
        return str(self.stack.resolve(self.stack.get_logical_id(construct)))

    def resources(self, type_: str) -> dict[str, Any]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == type_}

    def handler_statements(self) -> list[dict[str, Any]]:
        role_id = self.logical_id(self.import_a.handler.role)
        out: list[dict[str, Any]] = []
        for policy in self.resources("AWS::IAM::Policy").values():
            if {"Ref": role_id} in policy["Properties"]["Roles"]:
                out += policy["Properties"]["PolicyDocument"]["Statement"]
        return out


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    yield Synth(tmp_path_factory.mktemp("template"))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def arn_text(value: Any) -> str:
    """An ARN from the template as text, references written <LogicalId>: enough to compare patterns."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return "".join(arn_text(v) for v in value["Fn::Join"][1])
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return f"<{value['Fn::GetAtt'][0]}.{value['Fn::GetAtt'][1]}>"
    if "Fn::Sub" in value:
        return str(value["Fn::Sub"])
    raise AssertionError(f"unexpected value {value!r}")


def test_one_handler_function_for_two_imports(synth: Synth) -> None:
    synth.template.resource_count_is("AWS::Lambda::Function", 1)
    assert synth.import_a.handler is synth.import_b.handler
    prefix = Capture()
    name = Capture()
    synth.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": Match.string_like_regexp(r"^python3\.(1[3-9]|[2-9][0-9])$"),
            "Handler": "cognito_user_import_handler.index.handler",
            "Timeout": 300,
            "MemorySize": 256,
            "FunctionName": name,
            "Environment": {"Variables": {"POLL_RULE_PREFIX": prefix}},
            "LoggingConfig": {"LogGroup": {"Ref": Match.any_value()}},
        },
    )
    assert re.fullmatch(r"cui-[0-9a-f]{8}-", prefix.as_string())
    assert re.fullmatch(r"Main-CognitoUserImport-[0-9a-f]{8}", name.as_string())
    synth.template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})


def test_handler_role_is_explicit_without_managed_policies(synth: Synth) -> None:
    roles = synth.resources("AWS::IAM::Role")
    lambda_roles = [
        r
        for r in roles.values()
        if r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "lambda.amazonaws.com"}
    ]
    assert len(lambda_roles) == 1
    assert "ManagedPolicyArns" not in lambda_roles[0]["Properties"]


def test_handler_statements_exactly(synth: Synth) -> None:
    statements = synth.handler_statements()
    pool_a, pool_b = synth.logical_id(synth.pool_a), synth.logical_id(synth.pool_b)
    logs_role_a = synth.logical_id(synth.import_a.logs_role)
    own_role = synth.logical_id(synth.own_role)
    handler = UserImportHandler.of(synth.stack)
    function_name, prefix = handler.function_name, handler.poll_rule_prefix
    log_group = synth.logical_id(handler.log_group)
    ledger = synth.logical_id(handler.ledger)

    found = sorted(
        (
            tuple(sorted(as_list(s["Action"]))),
            tuple(arn_text(r) for r in as_list(s["Resource"])),
            json.dumps(s.get("Condition")),
        )
        for s in statements
    )
    env = "arn:<AWS::Partition>:{service}:<AWS::Region>:<AWS::AccountId>:"
    logs = env.format(service="logs")
    asset_key = synth.ref(synth.import_a.source.object_key)
    asset_bucket = arn_text(synth.ref(synth.import_a.source.bucket_name))
    pass_condition = json.dumps({"StringEquals": {"iam:PassedToService": "cognito-idp.amazonaws.com"}})
    pool_a_arn, pool_b_arn = (f"<{pool_a}.Arn>",), (f"<{pool_b}.Arn>",)
    job_logs_a, job_logs_b = (
        (
            f"{logs}log-group:/aws/cognito/userpools/<{pool}>/*",
            f"{logs}log-group:/aws/cognito/userpools/<{pool}>/*:log-stream:*",
        )
        for pool in (pool_a, pool_b)
    )
    on_resources = {
        Resource.HANDLER_LOG_GROUP: [(f"<{log_group}.Arn>",)],
        Resource.POLL_RULES: [(env.format(service="events") + f"rule/{prefix}*",)],
        Resource.FUNCTION: [(env.format(service="lambda") + f"function:{function_name}",)],
        Resource.LEDGER_OBJECTS: [(f"<{ledger}.Arn>/*",)],
        Resource.LEDGER_BUCKET: [(f"<{ledger}.Arn>",)],
        Resource.ANY: [("*",)],
        # import_a: a local file without a groups column; import_b: a bucket (maybe groups) and removal.
        Resource.USER_POOL: [pool_a_arn, pool_b_arn],
        Resource.LOGS_ROLE: [(f"<{logs_role_a}.Arn>",), (f"<{own_role}.Arn>",)],
        Resource.SOURCE_OBJECT: [
            (f"arn:<AWS::Partition>:s3:::{asset_bucket}/{asset_key}",),
            ("arn:<AWS::Partition>:s3:::my-uploads-bucket/seed/users.csv",),
        ],
        Resource.JOB_LOG_GROUPS: [job_logs_a, job_logs_b],
    }
    options_of = {
        pool_a_arn: {Option.ALWAYS, Option.JOB_LOG},
        pool_b_arn: {Option.ALWAYS, Option.JOB_LOG, Option.GROUPS, Option.REMOVE_USERS_ON_DELETE},
    }
    own = {Option.ALWAYS, Option.JOB_LOG, Option.POLLING, Option.LEDGER, Option.LAMBDA_RUNTIME}
    expected = []
    for resource, arns_list in on_resources.items():
        for index, arns in enumerate(arns_list):
            options = own if not resource.per_import else list(options_of.values())[index]
            for option in sorted(options, key=lambda o: o.name):
                actions = sorted(
                    {r.action for r in OPERATIONS if (r.resource, r.option) == (resource, option)}
                )
                if actions:
                    condition = pass_condition if resource is Resource.LOGS_ROLE else "null"
                    expected.append((tuple(actions), arns, condition))
    # What the table's scoping must keep: nothing for Cognito, PassRole or S3 on *, only DescribeLogGroups.
    assert {a for a, r, _ in expected if r == ("*",)} == {("logs:DescribeLogGroups",)}
    expected.sort()
    assert found == expected


def test_nothing_on_star_for_cognito_passrole_or_s3(synth: Synth) -> None:
    # The one exception: the handler's own ledger bucket's objects (a prefix per import, named at run time).
    ledger_objects = f"<{synth.logical_id(UserImportHandler.of(synth.stack).ledger)}.Arn>/*"
    for policy in [
        *synth.resources("AWS::IAM::Policy").values(),
        *synth.resources("AWS::IAM::Role").values(),
    ]:
        documents = [policy["Properties"].get("PolicyDocument")] + [
            p["PolicyDocument"] for p in policy["Properties"].get("Policies", [])
        ]
        for document in filter(None, documents):
            for statement in document["Statement"]:
                resources = [arn_text(r) for r in as_list(statement.get("Resource", []))]
                actions = as_list(statement["Action"])
                if "*" in resources:
                    # Only the actions AWS authorizes on * alone (the Service Authorization Reference lists
                    # no resource type for them): the table's rows on Resource.ANY.
                    star_actions = {r.action for r in OPERATIONS if r.resource is Resource.ANY}
                    assert resources == ["*"] and set(actions) <= star_actions, statement
                if any(a.split(":")[0] in ("cognito-idp", "iam", "s3") for a in actions):
                    wild = [r for r in resources if r != ledger_objects]
                    assert not any(r.endswith("*") or "*" in r.split(":")[-1] for r in wild), statement


def test_import_logs_role_least_privilege(synth: Synth) -> None:
    synth.template.resource_properties_count_is(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "cognito-idp.amazonaws.com"},
                    }
                ]
            }
        },
        2,  # SeedA's ImportLogsRole and the user's own; SeedB made none
    )
    role = synth.json["Resources"][synth.logical_id(synth.import_a.logs_role)]
    assert isinstance(synth.import_a.logs_role, ImportLogsRole)
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"}}
    ]
    assert "ManagedPolicyArns" not in role["Properties"]
    [policy] = role["Properties"]["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert "Condition" not in statement
    assert sorted(statement["Action"]) == sorted(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    )
    logs = "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/cognito/*"
    assert [arn_text(r) for r in statement["Resource"]] == [logs, f"{logs}:log-stream:*"]


def test_own_logs_role_is_used(synth: Synth) -> None:
    assert synth.import_b.logs_role is synth.own_role
    assert synth.import_b.node.try_find_child("LogsRole") is None
    resource = synth.json["Resources"][synth.logical_id(synth.import_b)]
    assert resource["Properties"]["LogsRoleArn"] == {"Fn::GetAtt": [synth.logical_id(synth.own_role), "Arn"]}


def test_custom_resource_type_properties_and_dependencies(synth: Synth) -> None:
    resources = synth.resources(RESOURCE_TYPE)
    assert len(resources) == 2
    a = resources[synth.logical_id(synth.import_a)]
    b = resources[synth.logical_id(synth.import_b)]
    function_id = synth.logical_id(synth.import_a.handler)
    names = set(
        ImportProperties(
            user_pool_id="p",
            logs_role_arn="r",
            source_bucket="b",
            source_key="k",
            source_hash="h",
            source_name="n",
            job_name="j",
            ledger_bucket="l",
            timeout_seconds=1,
        )
        .to_properties()
        .keys()
    )
    for resource, pool, timeout in ((a, synth.pool_a, "1800"), (b, synth.pool_b, "600")):
        properties = dict(resource["Properties"])
        assert properties.pop("ServiceToken") == {"Fn::GetAtt": [function_id, "Arn"]}
        assert properties.pop("ServiceTimeout") == timeout
        assert set(properties) == names
        assert properties["TimeoutSeconds"] == timeout
        assert properties["UserPoolId"] == {"Ref": synth.logical_id(pool)}
        assert synth.logical_id(pool) in resource["DependsOn"]
    assert a["Properties"]["SourceName"] == "users.csv"
    assert a["Properties"]["SourceKey"].endswith(".csv")
    assert re.fullmatch(r"[0-9a-f]{64}", a["Properties"]["SourceHash"])
    assert a["Properties"]["JobName"] == "Main.SeedA"
    assert (a["Properties"]["ExistingUsers"], a["Properties"]["MaxFailedUsers"]) == ("SKIP", "0")
    assert a["Properties"]["RemoveUsersOnDelete"] == "false"
    assert b["Properties"]["RemoveUsersOnDelete"] == "true"
    assert b["Properties"]["SourceBucket"] == "my-uploads-bucket"
    assert b["Properties"]["SourceKey"] == "seed/users.csv"
    assert (
        b["Properties"]["SourceHash"]
        == b["Properties"]["SourceName"]
        == "s3://my-uploads-bucket/seed/users.csv"
    )


def test_no_user_data_in_template(synth: Synth) -> None:
    text = json.dumps(synth.json)
    assert SECRET_EMAIL not in text
    assert "unique7c1f" not in text


def test_attributes_are_tokens_of_the_resource(synth: Synth) -> None:
    resource_id = synth.logical_id(synth.import_a)
    for attribute, name in (
        (synth.import_a.job_id, "JobId"),
        (synth.import_a.status, "Status"),
        (synth.import_a.imported_users, "ImportedUsers"),
        (synth.import_a.skipped_users, "SkippedUsers"),
        (synth.import_a.failed_users, "FailedUsers"),
        (synth.import_a.completion_message, "CompletionMessage"),
    ):
        assert synth.ref(attribute) == {"Fn::GetAtt": [resource_id, name]}


def test_source_object_asset_is_the_file(synth: Synth) -> None:
    asset = synth.import_a.node.find_child("Source")
    staged = Path(synth.app.outdir) / f"asset.{synth.import_a.source.source_hash}.csv"
    assert asset is not None
    assert staged.read_text(encoding="utf-8") == CSV


def test_handler_asset_hash_is_stable_across_runs_and_folders(
    synth: Synth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def code_key(template: Mapping[str, Any]) -> str:
        [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
        return str(function["Properties"]["Code"]["S3Key"])

    monkeypatch.chdir(tmp_path)
    app = App(outdir=str(tmp_path / "elsewhere"))
    stack = Stack(app, "Other")
    bucket = s3.Bucket.from_bucket_name(stack, "B", "other-bucket")
    UserImport(stack, "Seed", user_pool=make_pool(stack, "Pool"), source=UserCsv.from_bucket(bucket, "k.csv"))
    assert code_key(Template.from_stack(stack).to_json()) == code_key(synth.json)
    folder = tmp_path / "elsewhere" / f"asset.{code_key(synth.json).removesuffix('.zip')}"
    assert sorted(p.name for p in folder.iterdir()) == [
        "cognito_user_csv",
        "cognito_user_import_handler",
        "crhelper",
    ]
    assert not list(folder.rglob("__pycache__"))
    assert (folder / "cognito_user_import_handler" / "properties.py").is_file()


def test_imports_in_one_stack_run_one_after_another() -> None:
    app = App()
    stack = Stack(app, "Chain")
    pool = cognito.UserPool(stack, "Pool", auto_verify=cognito.AutoVerifiedAttrs(email=True))
    first = UserImport(
        stack,
        "First",
        user_pool=pool,
        source=UserCsv.from_users([UserRecord("a", {"email": "a@x.io"}, email_verified=True)]),
    )
    second = UserImport(
        stack,
        "Second",
        user_pool=pool,
        source=UserCsv.from_users([UserRecord("b", {"email": "b@x.io"}, email_verified=True)]),
    )
    template = Template.from_stack(stack).to_json()["Resources"]

    first_id = stack.get_logical_id(cast(CfnElement, first.resource.node.default_child))
    second_id = stack.get_logical_id(cast(CfnElement, second.resource.node.default_child))
    assert first_id in template[second_id]["DependsOn"]
    assert second_id not in template[first_id].get("DependsOn", [])
