"""Every AWS operation the handler makes (and crhelper and the Lambda runtime make for it), the IAM action
each needs and the resource it is authorized on, by option.

The construct grants the handler's role from this table and from nothing else; tests check that every call
the handler makes has its row here, that every row's resource type is the one AWS's Service Authorization
Reference names for its action, and that removing any statement makes its scenario fail with
AccessDeniedException. Plain data: nothing here touches AWS or boto3.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Option(enum.Enum):
    """When a row applies: always, or only for a UserImport (or handler) using that option."""

    ALWAYS = "always"
    GROUPS = "a groups column (or a source known only at deploy time)"
    PASSWORDS = "a passwords secret"
    UPDATE = "ExistingUsers.UPDATE (or existing_users known only at deploy time)"
    REMOVE_USERS_ON_DELETE = "remove_users_on_delete"
    SOURCE_VERSION = "a bucket source with a version"
    KMS_SOURCE = "a source bucket encrypted with a KMS key"
    KMS_SECRET = "a passwords secret encrypted with a customer KMS key"
    POLLING = "polling a long job (crhelper's EventBridge schedule)"
    LEDGER = "the import ledger bucket"
    JOB_LOG = "reading the job's log to name failed rows"
    LAMBDA_RUNTIME = "the Lambda runtime writing the function's own logs"


class Resource(enum.Enum):
    """What a statement is scoped to. ``per_import`` resources are granted for each UserImport; the others
    once per stack's handler."""

    USER_POOL = ("the import's user pool", True)
    LOGS_ROLE = ("the import's logs role (passed to Cognito)", True)
    SOURCE_OBJECT = ("the import's source object", True)
    SOURCE_KEY = ("the source bucket's KMS key", True)
    SECRET = ("the import's passwords secret", True)
    SECRET_KEY = ("the passwords secret's KMS key", True)
    JOB_LOG_GROUPS = ("the pool's log groups /aws/cognito/userpools/<pool id>/* and their streams", True)
    ANY = ("* (the action names no resource type)", False)
    POLL_RULES = ("the handler's own rules, named with its prefix", False)
    FUNCTION = ("the handler function itself (by its name, not a reference: no cycle)", False)
    LEDGER_BUCKET = ("the ledger bucket", False)
    LEDGER_OBJECTS = ("the ledger bucket's objects", False)
    HANDLER_LOG_GROUP = ("the handler function's own log group", False)

    def __init__(self, description: str, per_import: bool) -> None:
        self.description = description
        self.per_import = per_import


@dataclass(frozen=True)
class Operation:
    """One row: ``service``/``operation`` as botocore names them, the IAM ``action`` the call needs (an
    implicit one, such as kms:Decrypt for a GetObject, has its own row), and where it is authorized."""

    service: str
    """botocore's service name (``client.meta.service_model.service_name``)."""
    operation: str
    """botocore's operation name, e.g. ``CreateUserImportJob``."""
    action: str
    resource: Resource
    resource_type: str
    """The resource type AWS's Service Authorization Reference authorizes ``action`` on (``*`` when it
    lists none)."""
    option: Option
    caller: str
    """The module that makes the call."""
    scenario: str
    """The smallest handler scenario that needs the row (tests/integration/handler/test_grants.py)."""


def _row(
    service: str,
    operation: str,
    resource: Resource,
    resource_type: str,
    option: Option,
    caller: str,
    scenario: str,
    *,
    action: str = "",
) -> Operation:
    prefix = {"secretsmanager": "secretsmanager", "cognito-idp": "cognito-idp"}.get(service, service)
    return Operation(
        service=service,
        operation=operation,
        action=action or f"{prefix}:{operation}",
        resource=resource,
        resource_type=resource_type,
        option=option,
        caller=caller,
        scenario=scenario,
    )


_POOL = Resource.USER_POOL
_COGNITO = "cognito-idp"
_ALWAYS = Option.ALWAYS

OPERATIONS: tuple[Operation, ...] = (
    # The job, and what the handler reads about the pool and its users.
    _row(_COGNITO, "DescribeUserPool", _POOL, "userpool", _ALWAYS, "planning.py", "create"),
    _row(_COGNITO, "GetCSVHeader", _POOL, "userpool", _ALWAYS, "planning.py", "create"),
    _row(_COGNITO, "ListUsers", _POOL, "userpool", _ALWAYS, "existing_users.py", "create"),
    _row(_COGNITO, "ListUserImportJobs", _POOL, "userpool", _ALWAYS, "jobs.py", "create"),
    _row(_COGNITO, "CreateUserImportJob", _POOL, "userpool", _ALWAYS, "jobs.py", "create"),
    _row(
        _COGNITO,
        "CreateUserImportJob",
        Resource.LOGS_ROLE,
        "role",
        _ALWAYS,
        "jobs.py",
        "create",
        action="iam:PassRole",
    ),
    _row(_COGNITO, "StartUserImportJob", _POOL, "userpool", _ALWAYS, "jobs.py", "create"),
    _row(_COGNITO, "DescribeUserImportJob", _POOL, "userpool", _ALWAYS, "jobs.py", "create"),
    _row(_COGNITO, "StopUserImportJob", _POOL, "userpool", _ALWAYS, "jobs.py", "delete_during_job"),
    # The source.
    _row("s3", "GetObject", Resource.SOURCE_OBJECT, "object", _ALWAYS, "planning.py", "create"),
    _row(
        "s3",
        "GetObject",
        Resource.SOURCE_OBJECT,
        "object",
        Option.SOURCE_VERSION,
        "planning.py",
        "source_version",
        action="s3:GetObjectVersion",
    ),
    _row(
        "s3",
        "GetObject",
        Resource.SOURCE_KEY,
        "key",
        Option.KMS_SOURCE,
        "planning.py",
        "kms_source",
        action="kms:Decrypt",
    ),
    # The options.
    _row(_COGNITO, "ListGroups", _POOL, "userpool", Option.GROUPS, "account_plan.py", "groups"),
    _row(_COGNITO, "AdminAddUserToGroup", _POOL, "userpool", Option.GROUPS, "account_steps.py", "groups"),
    _row(
        _COGNITO,
        "AdminRemoveUserFromGroup",
        _POOL,
        "userpool",
        Option.GROUPS,
        "account_steps.py",
        "groups_update",
    ),
    _row(
        _COGNITO,
        "AdminUpdateUserAttributes",
        _POOL,
        "userpool",
        Option.UPDATE,
        "account_steps.py",
        "update_existing",
    ),
    _row(
        _COGNITO, "AdminSetUserPassword", _POOL, "userpool", Option.PASSWORDS, "account_steps.py", "passwords"
    ),
    _row(
        "secretsmanager",
        "GetSecretValue",
        Resource.SECRET,
        "Secret",
        Option.PASSWORDS,
        "passwords.py",
        "passwords",
    ),
    _row(
        "secretsmanager",
        "GetSecretValue",
        Resource.SECRET_KEY,
        "key",
        Option.KMS_SECRET,
        "passwords.py",
        "kms_secret",
        action="kms:Decrypt",
    ),
    _row(
        _COGNITO,
        "AdminDeleteUser",
        _POOL,
        "userpool",
        Option.REMOVE_USERS_ON_DELETE,
        "service.py",
        "remove_users_on_delete",
    ),
    # The job's log, read to name the rows that failed.
    _row(
        "logs",
        "DescribeLogStreams",
        Resource.JOB_LOG_GROUPS,
        "log-group",
        Option.JOB_LOG,
        "job_log.py",
        "failed_rows",
    ),
    _row(
        "logs",
        "GetLogEvents",
        Resource.JOB_LOG_GROUPS,
        "log-stream",
        Option.JOB_LOG,
        "job_log.py",
        "failed_rows",
    ),
    # Only when the group is not where it is expected. The reference lists no resource type (``*``);
    # whether a prefix narrows it to the log groups is unconfirmed, and ``*`` covers both readings.
    _row("logs", "DescribeLogGroups", Resource.ANY, "*", Option.JOB_LOG, "job_log.py", "log_group_elsewhere"),
    # The import ledger.
    _row("s3", "GetObject", Resource.LEDGER_OBJECTS, "object", Option.LEDGER, "ledger.py", "create"),
    _row("s3", "PutObject", Resource.LEDGER_OBJECTS, "object", Option.LEDGER, "ledger.py", "create"),
    _row(
        "s3",
        "DeleteObjects",
        Resource.LEDGER_OBJECTS,
        "object",
        Option.LEDGER,
        "ledger.py",
        "delete",
        action="s3:DeleteObject",
    ),
    _row(
        "s3",
        "ListObjectsV2",
        Resource.LEDGER_BUCKET,
        "bucket",
        Option.LEDGER,
        "ledger.py",
        "delete",
        action="s3:ListBucket",
    ),
    # Polling: crhelper's schedule, and resource.py's clean-up of what an earlier delivery left.
    _row(
        "events",
        "DescribeRule",
        Resource.POLL_RULES,
        "rule-on-default-event-bus",
        Option.POLLING,
        "resource.py",
        "create",
    ),
    _row(
        "events",
        "PutRule",
        Resource.POLL_RULES,
        "rule-on-default-event-bus",
        Option.POLLING,
        "resource.py",
        "polling",
    ),
    _row(
        "events",
        "PutTargets",
        Resource.POLL_RULES,
        "rule-on-default-event-bus",
        Option.POLLING,
        "crhelper",
        "polling",
    ),
    _row(
        "events",
        "RemoveTargets",
        Resource.POLL_RULES,
        "rule-on-default-event-bus",
        Option.POLLING,
        "crhelper",
        "polling",
    ),
    _row(
        "events",
        "DeleteRule",
        Resource.POLL_RULES,
        "rule-on-default-event-bus",
        Option.POLLING,
        "crhelper",
        "polling",
    ),
    _row("lambda", "AddPermission", Resource.FUNCTION, "function", Option.POLLING, "resource.py", "polling"),
    _row("lambda", "RemovePermission", Resource.FUNCTION, "function", Option.POLLING, "crhelper", "polling"),
    # The Lambda runtime writes the function's log with the function's role.
    _row(
        "logs",
        "CreateLogStream",
        Resource.HANDLER_LOG_GROUP,
        "log-stream",
        Option.LAMBDA_RUNTIME,
        "Lambda",
        "deploy_local",
    ),
    _row(
        "logs",
        "PutLogEvents",
        Resource.HANDLER_LOG_GROUP,
        "log-stream",
        Option.LAMBDA_RUNTIME,
        "Lambda",
        "deploy_local",
    ),
)


def operations_for(options: frozenset[Option]) -> tuple[Operation, ...]:
    """The rows that apply to a UserImport (or handler) with ``options`` (ALWAYS is implied)."""
    wanted = options | {Option.ALWAYS}
    return tuple(row for row in OPERATIONS if row.option in wanted)


def row_for(service: str, operation: str) -> tuple[Operation, ...]:
    """The rows of one botocore call (several when it needs implicit actions too)."""
    return tuple(row for row in OPERATIONS if (row.service, row.operation) == (service, operation))
