"""The one handler function per stack that every UserImport in it shares (a singleton, as CDK's providers)."""

from __future__ import annotations

import hashlib
import re

from aws_cdk import Acknowledgment, ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from cognito_user_import.bundling import handler_code
from cognito_user_import.grants import statements
from cognito_user_import.nag import acknowledge_wildcard_resources
from cognito_user_import_handler.aws_operations import OPERATIONS, Resource
from cognito_user_import_handler.properties import POLL_RULE_PREFIX_VARIABLE
from constructs import Construct

HANDLER_ENTRY = "cognito_user_import_handler.index.handler"
# The fixed id the singleton is found by on its stack; the suffix keeps it clear of user ids.
SINGLETON_ID = "CognitoUserImportHandler7f3c9a"
_FUNCTION_NAME_MAX = 64
_NAME_MIDDLE = "-CognitoUserImport-"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def function_name_for(stack: Stack) -> str:
    """A deterministic function name, known at synth, so the role can name the function's ARN without a
    reference to the function (a reference makes a dependency cycle: aws-cdk #13982)."""
    suffix = _NAME_MIDDLE + _short_hash(stack.node.path)
    stack_name = "" if Token.is_unresolved(stack.stack_name) else stack.stack_name
    prefix = re.sub(r"[^A-Za-z0-9_-]", "", stack_name)[: _FUNCTION_NAME_MAX - len(suffix)]
    return (prefix + suffix) if prefix else suffix.lstrip("-")


def poll_rule_prefix_for(stack: Stack) -> str:
    """Prefix of the EventBridge rules the handler creates to poll long jobs. Short, because a rule name is
    at most 64 characters and the handler appends its own part."""
    return f"cui-{_short_hash('rules:' + stack.node.path)}-"


class UserImportHandler(Construct):
    """The Custom::CognitoUserImport handler: a Lambda function, its role and its log group.

    Use :meth:`of` rather than the constructor: it returns the stack's one instance. Each UserImport adds
    what its pool, logs role and source need to ``role`` itself.
    """

    @classmethod
    def of(cls, scope: Construct) -> UserImportHandler:
        """The handler of ``scope``'s stack, created on first use."""
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(SINGLETON_ID)
        if isinstance(existing, UserImportHandler):
            return existing
        if existing is not None:
            raise ValueError(f"construct id {SINGLETON_ID!r} is reserved by cdk-cognito-user-import")
        return cls(stack, SINGLETON_ID)

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.function_name = function_name_for(stack)
        self.poll_rule_prefix = poll_rule_prefix_for(stack)
        self.last_import: Construct | None = None
        """The stack's most recent import resource: the next one waits for it (one active job per account)."""

        # An explicit role: no AWSLambdaBasicExecutionRole, whose log rights reach every log group.
        self.role = iam.Role(
            self,
            "ServiceRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Runs the Custom::CognitoUserImport handler",
        )
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.ledger = self._ledger_bucket()
        """The import ledger: what each import applied and which users its jobs created."""

        self._grant(stack)

        self.function = lambda_.Function(
            self,
            "Function",
            function_name=self.function_name,
            description="Imports users into Cognito user pools for Custom::CognitoUserImport resources",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler=HANDLER_ENTRY,
            code=handler_code(),
            timeout=Duration.minutes(5),
            memory_size=256,
            role=self.role,
            log_group=self.log_group,
            environment={POLL_RULE_PREFIX_VARIABLE: self.poll_rule_prefix},
        )

    def _grant(self, stack: Stack) -> None:
        """The table's rows that are the handler's own, not an import's: polling, ledger, its log."""
        function_arn = stack.format_arn(
            service="lambda",
            resource="function",
            resource_name=self.function_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        rules_arn = stack.format_arn(
            service="events",
            resource="rule",
            resource_name=f"{self.poll_rule_prefix}*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        ledger_objects = self.ledger.arn_for_objects("*")
        arns = {
            Resource.POLL_RULES: [rules_arn],
            Resource.FUNCTION: [function_arn],
            Resource.LEDGER_BUCKET: [self.ledger.bucket_arn],
            Resource.LEDGER_OBJECTS: [ledger_objects],
            Resource.HANDLER_LOG_GROUP: [self.log_group.log_group_arn],
            Resource.ANY: ["*"],
        }
        own_rows = [row for row in OPERATIONS if not row.resource.per_import]
        for statement in statements(own_rows, arns):
            self.role.add_to_policy(statement)
        acknowledge_wildcard_resources(
            self.role,
            [ledger_objects],
            reason=(
                "The import ledger's records: one prefix per import resource, named at run time; the "
                "bucket is this handler's own and holds nothing else."
            ),
        )
        acknowledge_wildcard_resources(
            self.role,
            ["*"],
            reason=(
                "logs:DescribeLogGroups, only when a failed job's log group is not where it is expected: "
                "the Service Authorization Reference lists no resource type for it, so only * authorizes "
                "it; it lists group names, no log contents."
            ),
        )
        acknowledge_wildcard_resources(
            self.role,
            [rules_arn],
            reason=(
                "crhelper polls a long import job through EventBridge rules it creates and deletes at run "
                f"time, with random names; the handler names them {self.poll_rule_prefix}<random>, a "
                "prefix this stack's handler alone uses."
            ),
        )

    def _ledger_bucket(self) -> s3.Bucket:
        """Encrypted, private, TLS only; only the handler's role may read or write it. Each import keeps
        its records under its logical id and removes them on its final Delete, so the bucket is empty
        when the stack is deleted."""
        bucket = s3.Bucket(
            self,
            "Ledger",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        Validations.of(bucket).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1",
                reason="Written by the handler alone; CloudTrail data events can audit access to it.",
            )
        )
        return bucket
