"""UserImport: seed a Cognito user pool from a CSV file through a user import job during `cdk deploy`."""

from __future__ import annotations

import hashlib
import re

from aws_cdk import CustomResource, Duration, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from cognito_user_import.handler_function import UserImportHandler
from cognito_user_import.logs_role import ImportLogsRole, cognito_log_group_arns
from cognito_user_import.nag import acknowledge_wildcard_resources
from cognito_user_import.sources import UserCsv, UserCsvConfig
from cognito_user_import.synth_validation import validate_source
from cognito_user_import_handler.properties import RESOURCE_TYPE, ExistingUsers
from constructs import Construct

#: CreateUserImportJob's JobName: 1-128 characters of [\w\s+=,.@-] (ASCII, as the service reads it).
JOB_NAME_PATTERN = re.compile(r"[\w\s+=,.@-]+", re.ASCII)
JOB_NAME_MAX = 128
#: CloudFormation's ServiceTimeout range for a custom resource.
TIMEOUT_MIN_SECONDS = 1
TIMEOUT_MAX_SECONDS = 3600

#: The job operations, and what the handler reads about the pool and its users.
POOL_ACTIONS = (
    "cognito-idp:GetCSVHeader",
    "cognito-idp:CreateUserImportJob",
    "cognito-idp:StartUserImportJob",
    "cognito-idp:DescribeUserImportJob",
    "cognito-idp:ListUserImportJobs",
    "cognito-idp:StopUserImportJob",
    "cognito-idp:DescribeUserPool",
    "cognito-idp:ListUsers",
)
#: Reading an import job's log stream, to name the rows that failed.
JOB_LOG_ACTIONS = ("logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents")


def default_job_name(path: str) -> str:
    """A job name from the construct path: invalid characters become '.', and a long path keeps its end
    plus a hash of the whole, so two long paths that differ early still get different names."""
    name = re.sub(r"[^\w\s+=,.@-]", ".", path, flags=re.ASCII).strip(".") or "UserImport"
    if len(name) <= JOB_NAME_MAX:
        return name
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:8]
    return f"{digest}.{name[-(JOB_NAME_MAX - len(digest) - 1) :]}"


def _check_job_name(job_name: str) -> None:
    if Token.is_unresolved(job_name):
        return
    if not 1 <= len(job_name) <= JOB_NAME_MAX or not JOB_NAME_PATTERN.fullmatch(job_name):
        bad = sorted({c for c in job_name if not JOB_NAME_PATTERN.fullmatch(c)})
        detail = f"characters {''.join(bad)!r} are not allowed; " if bad else ""
        raise ValueError(
            f"UserImport: job_name {job_name!r} ({len(job_name)} characters) is invalid: {detail}"
            f"allowed: 1-{JOB_NAME_MAX} characters of letters, digits, whitespace and _+=,.@-"
        )


def _timeout_seconds(timeout: Duration) -> str:
    if timeout.is_unresolved():
        return Token.as_string(timeout.to_seconds())
    millis = timeout.to_milliseconds()
    if not TIMEOUT_MIN_SECONDS * 1000 <= millis <= TIMEOUT_MAX_SECONDS * 1000 or millis % 1000:
        raise ValueError(
            f"UserImport: timeout {timeout.to_human_string()} is invalid: "
            f"allowed: whole seconds from {TIMEOUT_MIN_SECONDS} s to {TIMEOUT_MAX_SECONDS} s (1 hour), "
            "CloudFormation's range for a custom resource"
        )
    return str(millis // 1000)


def _max_failed_users(value: int) -> str:
    if Token.is_unresolved(value):
        return Token.as_string(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"UserImport: max_failed_users {value!r} is invalid: allowed: a whole number >= 0")
    return str(value)


def _existing_users(value: ExistingUsers) -> str:
    allowed = [e.value for e in ExistingUsers]
    if isinstance(value, str) and value in allowed:
        return str(value)
    raise ValueError(f"UserImport: existing_users {value!r} is invalid: allowed: {', '.join(allowed)}")


class UserImport(Construct):
    """Imports users into a Cognito user pool with a user import job while the stack deploys.

    The deployment succeeds with the job's figures (see ``imported_users`` and friends) or fails with a
    reason that names the job, its figures and the first failing rows. Files known at synth time
    (``UserCsv.from_file``, ``UserCsv.from_users``) are validated at synth time, against the pool's own
    schema when ``user_pool`` is a ``cognito.UserPool`` of this app, with generic rules otherwise.

    Every UserImport in a stack shares one handler function (``handler``); each adds to the handler's role
    only what its pool, logs role and source need.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        user_pool: cognito.IUserPool,
        source: UserCsv,
        logs_role: iam.IRole | None = None,
        job_name: str | None = None,
        timeout: Duration | None = None,
        existing_users: ExistingUsers = ExistingUsers.SKIP,
        max_failed_users: int = 0,
        remove_users_on_delete: bool = False,
    ) -> None:
        """
        :param user_pool: the pool to import into. It needs at least one auto-verified attribute.
        :param source: the users, from ``UserCsv.from_file``, ``from_users`` or ``from_bucket``.
        :param logs_role: the role Cognito writes the job's CloudWatch Logs with; it must trust
            ``cognito-idp.amazonaws.com``. Default: a new ``ImportLogsRole`` (``LogsRole``) for this import.
        :param job_name: the import job's name (1-128 characters of letters, digits, whitespace, ``_+=,.@-``).
            Default: this construct's path with other characters replaced by ``.``.
        :param timeout: how long the deployment waits for the job before it stops the job and fails
            (CloudFormation's ServiceTimeout, 1 second to 1 hour). Default: 30 minutes.
        :param existing_users: what rows whose username already exists in the pool do. Default:
            ``ExistingUsers.SKIP``: they are left out and reported as skipped.
        :param max_failed_users: how many rows may fail before the deployment fails. Default: 0.
        :param remove_users_on_delete: delete the users this resource imported when it is deleted (the
            handler then also gets ``cognito-idp:AdminDeleteUser``). Default: False, users are kept.
        """
        super().__init__(scope, id)
        timeout = timeout if timeout is not None else Duration.minutes(30)
        job_name = job_name if job_name is not None else default_job_name(self.node.path)
        _check_job_name(job_name)
        timeout_seconds = _timeout_seconds(timeout)
        max_failed = _max_failed_users(max_failed_users)
        existing = _existing_users(existing_users)

        self.source: UserCsvConfig = source.bind(self)
        """Where the users are: bucket, key, hash and display name."""
        if self.source.local_path is not None:
            validate_source(self.source.local_path, self.source.source_name, user_pool)

        self.logs_role: iam.IRole = logs_role if logs_role is not None else ImportLogsRole(self, "LogsRole")
        """The role Cognito writes the job's logs with: the one given, or the ImportLogsRole made."""

        handler = UserImportHandler.of(self)
        self.handler: lambda_.IFunction = handler.function
        """The stack's shared handler function."""
        self._grant(handler.role, user_pool, remove_users_on_delete)

        properties = {
            "UserPoolId": user_pool.user_pool_id,
            "LogsRoleArn": self.logs_role.role_arn,
            "SourceBucket": self.source.bucket_name,
            "SourceKey": self.source.object_key,
            "SourceHash": self.source.source_hash,
            "SourceName": self.source.source_name,
            "JobName": job_name,
            "TimeoutSeconds": timeout_seconds,
            "ExistingUsers": existing,
            "MaxFailedUsers": max_failed,
            "RemoveUsersOnDelete": "true" if remove_users_on_delete else "false",
        }
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=handler.function.function_arn,
            resource_type=RESOURCE_TYPE,
            service_timeout=timeout,
            properties=properties,
        )
        """The Custom::CognitoUserImport resource."""
        self.resource.node.add_dependency(user_pool)
        # Cognito runs one import job at a time per account: the stack's imports run one after another
        # instead of racing for the slot (the handler still waits for jobs from outside the stack).
        if handler.last_import is not None:
            self.resource.node.add_dependency(handler.last_import)
        handler.last_import = self.resource
        # A role made in this app may carry its rights in separate policies: wait for them too.
        self.resource.node.add_dependency(self.logs_role)

        self.job_id = self.resource.get_att_string("JobId")
        """The import job's id (``import-...``); the last job's when an update created none."""
        self.status = self.resource.get_att_string("Status")
        """The job's final status, ``Succeeded`` when the deployment succeeds."""
        self.imported_users = self.resource.get_att_string("ImportedUsers")
        """How many users the job imported."""
        self.skipped_users = self.resource.get_att_string("SkippedUsers")
        """How many rows were skipped because the username already existed."""
        self.failed_users = self.resource.get_att_string("FailedUsers")
        """How many rows failed (at most ``max_failed_users``)."""
        self.completion_message = self.resource.get_att_string("CompletionMessage")
        """Cognito's CompletionMessage for the job."""

    def _grant(self, role: iam.IRole, user_pool: cognito.IUserPool, remove_users_on_delete: bool) -> None:
        """Add to the handler's role what this import needs, on its own pool, logs role and object only."""
        actions = [*POOL_ACTIONS, *(["cognito-idp:AdminDeleteUser"] if remove_users_on_delete else [])]
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=actions, resources=[user_pool.user_pool_arn])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.logs_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "cognito-idp.amazonaws.com"}},
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.source.object_arn])
        )
        if self.source.encryption_key is not None:
            self.source.encryption_key.grant_decrypt(role)
        log_groups = cognito_log_group_arns(self, f"/aws/cognito/userpools/{user_pool.user_pool_id}/*")
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(JOB_LOG_ACTIONS), resources=log_groups))
        acknowledge_wildcard_resources(
            role,
            log_groups,
            reason=(
                "Reads the import job's log to name the failing rows: Cognito writes it to "
                "/aws/cognito/userpools/<pool id>/<pool name>, stream <job id>/<job name>, names not "
                "known at synth; the pattern is limited to this pool's id."
            ),
        )
