"""UserImport: seed a Cognito user pool from a CSV file through a user import job during `cdk deploy`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from aws_cdk import CustomResource, Duration, Stack, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from cognito_user_csv.account_rows import has_groups_column
from cognito_user_csv.facts import PASSWORD_HASHING_ALGORITHMS
from cognito_user_import import prop_checks as checks
from cognito_user_import.grants import sid_suffix, statements
from cognito_user_import.handler_function import UserImportHandler
from cognito_user_import.logs_role import ImportLogsRole, cognito_log_group_arns
from cognito_user_import.logs_role_trust import check_logs_role_trust
from cognito_user_import.nag import acknowledge_wildcard_resources
from cognito_user_import.passwords_check import check_generated_passwords
from cognito_user_import.sources import UserCsv, UserCsvConfig
from cognito_user_import.synth_validation import validate_source
from cognito_user_import_handler.aws_operations import Option, Resource, operations_for
from cognito_user_import_handler.properties import RESOURCE_TYPE, ExistingUsers, ImportProperties
from constructs import Construct

#: CreateUserImportJob's JobName: 1-128 characters of [\w\s+=,.@-] (ASCII, as the service reads it).
JOB_NAME_PATTERN = re.compile(r"[\w\s+=,.@-]+", re.ASCII)
JOB_NAME_MAX = 128
#: CloudFormation's ServiceTimeout range for a custom resource.
TIMEOUT_MIN_SECONDS = 1
TIMEOUT_MAX_SECONDS = 3600
DEFAULT_TIMEOUT_MINUTES = 30
DEFAULT_QUOTA_SHARE = 0.5
#: How messages name the construct.
OWNER = "UserImport"


def default_job_name(path: str) -> str:
    """A job name from the construct path: invalid characters become '.', and a long path keeps its end
    plus a hash of the whole, so two long paths that differ early still get different names."""
    name = re.sub(r"[^\w\s+=,.@-]", ".", path, flags=re.ASCII).strip(".") or "UserImport"
    if len(name) <= JOB_NAME_MAX:
        return name
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:8]
    return f"{digest}.{name[-(JOB_NAME_MAX - len(digest) - 1) :]}"


def _token_text(value: Any) -> Any:
    """A token for a setting known only at deploy time, as a string token: ImportProperties.to_properties
    writes ``str(value)``, which keeps a string token (a number token's ``str`` would not)."""
    return Token.as_string(value)


def _check_job_name(job_name: object) -> str:
    checks.require_str(OWNER, "job_name", job_name)
    assert isinstance(job_name, str)
    if Token.is_unresolved(job_name):
        return job_name
    if not 1 <= len(job_name) <= JOB_NAME_MAX or not JOB_NAME_PATTERN.fullmatch(job_name):
        bad = sorted({c for c in job_name if not JOB_NAME_PATTERN.fullmatch(c)})
        detail = f"characters {''.join(bad)!r} are not allowed; " if bad else ""
        raise ValueError(
            f"UserImport: job_name {job_name!r} ({len(job_name)} characters) is invalid: {detail}"
            f"allowed: 1-{JOB_NAME_MAX} characters of letters, digits, whitespace and _+=,.@-"
        )
    return job_name


def _timeout_seconds(timeout: Duration) -> Any:
    """Whole seconds (an int), or a string token when the duration is a token."""
    if timeout.is_unresolved():
        return _token_text(timeout.to_seconds())
    millis = timeout.to_milliseconds()
    if not TIMEOUT_MIN_SECONDS * 1000 <= millis <= TIMEOUT_MAX_SECONDS * 1000 or millis % 1000:
        raise ValueError(
            f"UserImport: timeout {timeout.to_human_string()} is invalid: "
            f"allowed: whole seconds from {TIMEOUT_MIN_SECONDS} s to {TIMEOUT_MAX_SECONDS} s (1 hour), "
            "CloudFormation's range for a custom resource"
        )
    return int(millis // 1000)


def _max_failed_users(value: object) -> Any:
    checks.require_number(OWNER, "max_failed_users", value, whole=True)
    if checks.is_token(value):
        return _token_text(value)
    assert isinstance(value, int)
    if value < 0:
        raise ValueError(f"UserImport: max_failed_users {value!r} is invalid: allowed: a whole number >= 0")
    return value


def _existing_users(value: object) -> Any:
    allowed = [e.value for e in ExistingUsers]
    checks.require_str(OWNER, "existing_users", value)
    if checks.is_token(value):
        return _token_text(value)
    if value in allowed:
        return ExistingUsers(value)
    raise ValueError(f"UserImport: existing_users {value!r} is invalid: allowed: {', '.join(allowed)}")


def _quota_share(value: object) -> Any:
    checks.require_number(OWNER, "quota_share", value)
    if checks.is_token(value):
        return _token_text(value)
    assert isinstance(value, int | float)
    if not 0 < value <= 1:
        raise ValueError(
            f"UserImport: quota_share {value!r} is invalid: allowed: a number with 0 < share <= 1 "
            "(1 lets the resource use each whole Cognito request-rate quota)"
        )
    return float(value)


def _password_hashing_algorithm(value: object) -> str | None:
    checks.require_str(OWNER, "password_hashing_algorithm", value, optional=True)
    if value is None:
        return None
    assert isinstance(value, str)
    if checks.is_token(value):
        return value  # known at deploy time only; CreateUserImportJob checks it then
    if value not in PASSWORD_HASHING_ALGORITHMS:
        raise ValueError(
            f"UserImport: password_hashing_algorithm {value!r} is invalid: "
            f"allowed: {', '.join(PASSWORD_HASHING_ALGORITHMS)}, or None (no password hashes)"
        )
    return str(value)


@dataclass(frozen=True)
class _Settings:
    """The checked settings, as ImportProperties takes them (a token where the value is one)."""

    job_name: str
    timeout: Duration
    timeout_seconds: Any
    existing_users: Any
    max_failed_users: Any
    remove_users_on_delete: bool
    password_hashing_algorithm: str | None
    quota_share: Any


def _check_resources(user_pool: object, source: object, logs_role: object, passwords: object) -> None:
    checks.require_interface(
        OWNER,
        "user_pool",
        user_pool,
        cognito.IUserPool,
        "a cognito.IUserPool (a cognito.UserPool, or cognito.UserPool.from_user_pool_id(scope, id, pool_id))",
    )
    checks.require_instance(
        OWNER,
        "source",
        source,
        UserCsv,
        "a UserCsv (UserCsv.from_file(path), UserCsv.from_users([...]) or UserCsv.from_bucket(bucket, key))",
    )
    if logs_role is not None:
        checks.require_interface(
            OWNER,
            "logs_role",
            logs_role,
            iam.IRole,
            "an iam.IRole or None (an iam.Role, or iam.Role.from_role_arn(scope, id, role_arn))",
        )
        check_logs_role_trust(OWNER, logs_role)
    if passwords is not None:
        checks.require_interface(
            OWNER,
            "passwords",
            passwords,
            secretsmanager.ISecret,
            "a secretsmanager.ISecret or None (a secretsmanager.Secret, or Secret.from_secret_complete_arn)",
        )


def _check_settings(
    path: str,
    *,
    job_name: object,
    timeout: object,
    existing_users: object,
    max_failed_users: object,
    remove_users_on_delete: object,
    password_hashing_algorithm: object,
    quota_share: object,
) -> _Settings:
    """Every setting's type and value, in the order of the signature; raise at the first bad one."""
    name = _check_job_name(job_name if job_name is not None else default_job_name(path))
    if timeout is not None:
        checks.require_instance(OWNER, "timeout", timeout, Duration, "a Duration (e.g. Duration.minutes(10))")
    duration = timeout if isinstance(timeout, Duration) else Duration.minutes(DEFAULT_TIMEOUT_MINUTES)
    return _Settings(
        job_name=name,
        timeout=duration,
        timeout_seconds=_timeout_seconds(duration),
        existing_users=_existing_users(existing_users),
        max_failed_users=_max_failed_users(max_failed_users),
        remove_users_on_delete=checks.require_bool(OWNER, "remove_users_on_delete", remove_users_on_delete),
        password_hashing_algorithm=_password_hashing_algorithm(password_hashing_algorithm),
        quota_share=_quota_share(quota_share),
    )


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
        existing_users: ExistingUsers | str = ExistingUsers.SKIP,
        max_failed_users: int = 0,
        remove_users_on_delete: bool = False,
        password_hashing_algorithm: str | None = None,
        quota_share: float = DEFAULT_QUOTA_SHARE,
        passwords: secretsmanager.ISecret | None = None,
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
        :param existing_users: what rows whose username already exists in the pool do (an
            ``ExistingUsers`` or its string value). Default: ``ExistingUsers.SKIP``: they are left out and
            reported as skipped (their changed attributes named in ``NotApplied``). ``UPDATE``: left out
            of the job, then given the file's attribute values where they differ
            (``AdminUpdateUserAttributes``; an empty value leaves the attribute alone). ``FAIL``: the
            deployment fails, naming them, before any job.
        :param max_failed_users: how many rows may fail before the deployment fails. Default: 0.
        :param remove_users_on_delete: delete the users this resource imported when it is deleted (the
            handler then also gets ``cognito-idp:AdminDeleteUser``). Default: False, users are kept.
        :param password_hashing_algorithm: the algorithm the file's password hashes were made with, one of
            ``BCRYPT``, ``SCRYPT``, ``ARGON2ID``, ``PBKDF2_SHA256``; sent as CreateUserImportJob's
            ``PasswordHashingAlgorithm``. Only with it set may the file have a ``password_hash`` column.
            Unconfirmed (the API model documents only the parameter, no guide page describes it): the
            column's name (``password_hash`` is this library's assumption), the hash format each algorithm
            accepts, and the status the imported users get. The parameter needs botocore 1.43.51 (July
            2026) or later; the boto3 inside the Lambda runtime may be older. Default: None, no hashes:
            imported users get status ``RESET_REQUIRED``.
        :param quota_share: the share (0 < share <= 1) of each Cognito request-rate quota (per account
            and region, shared with every other caller in the account) the handler may use for this
            resource's calls. Default: 0.5, half of each quota, leaving the rest to the account's other
            callers.
        :param passwords: a secret whose value is a JSON object ``{"<username>": "<password>", ...}``:
            after the import each listed user gets that password as permanent
            (``AdminSetUserPassword``) and ends ``CONFIRMED``. A username the file does not hold fails
            the deployment before any job. The handler may read this secret only (and decrypt it with
            its key); passwords never reach the template, logs or outputs. Setting passwords, groups
            and attributes counts toward monthly active users. Default: None, imported users keep
            Cognito's ``RESET_REQUIRED``.
        """
        _check_resources(user_pool, source, logs_role, passwords)
        super().__init__(scope, id)
        settings = _check_settings(
            self.node.path,
            job_name=job_name,
            timeout=timeout,
            existing_users=existing_users,
            max_failed_users=max_failed_users,
            remove_users_on_delete=remove_users_on_delete,
            password_hashing_algorithm=password_hashing_algorithm,
            quota_share=quota_share,
        )

        self.source: UserCsvConfig = self._bind_source(source, user_pool, settings, passwords)
        """Where the users are: bucket, key, hash and display name."""

        self.logs_role: iam.IRole = logs_role if logs_role is not None else ImportLogsRole(self, "LogsRole")
        """The role Cognito writes the job's logs with: the one given, or the ImportLogsRole made."""

        handler = UserImportHandler.of(self)
        self.handler: lambda_.IFunction = handler.function
        """The stack's shared handler function."""
        self.passwords = passwords
        """The passwords secret, if any."""
        self._grant(handler.role, user_pool, settings)

        self.resource: CustomResource = self._resource(handler, user_pool, settings)
        """The Custom::CognitoUserImport resource."""

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
        self.updated_users = self.resource.get_att_string("UpdatedUsers")
        """How many existing users got changed attribute values (``ExistingUsers.UPDATE``)."""
        self.passwords_set = self.resource.get_att_string("PasswordsSet")
        """How many users got their password from the ``passwords`` secret."""
        self.group_memberships = self.resource.get_att_string("GroupMemberships")
        """How many group memberships the groups column added or removed."""

    def _bind_source(
        self, source: UserCsv, user_pool: cognito.IUserPool, settings: _Settings, passwords: object
    ) -> UserCsvConfig:
        """The source bound to this construct; a file known at synth time is validated now (and the
        users a passwords secret generated in the app names)."""
        config = source.bind(self)
        if config.local_path is not None:
            validate_source(
                config.local_path,
                config.source_name,
                user_pool,
                password_hashing_algorithm=settings.password_hashing_algorithm,
            )
            check_generated_passwords(OWNER, passwords, config.local_path, config.source_name)
        return config

    def _options(self, settings: _Settings) -> frozenset[Option]:
        """The table's options this import uses; an option known only at deploy time counts as used."""
        options = {Option.ALWAYS, Option.JOB_LOG}
        if settings.remove_users_on_delete:
            options.add(Option.REMOVE_USERS_ON_DELETE)
        if (
            settings.existing_users is not ExistingUsers.SKIP
            and settings.existing_users is not ExistingUsers.FAIL
        ):
            options.add(Option.UPDATE)  # UPDATE, or a token: known at deploy
        if self.passwords is not None:
            options.add(Option.PASSWORDS)
            if self.passwords.encryption_key is not None:
                options.add(Option.KMS_SECRET)
        if self.source.local_path is None or has_groups_column(self.source.local_path):
            options.add(Option.GROUPS)
        if self.source.object_version is not None:
            options.add(Option.SOURCE_VERSION)
        if self.source.encryption_key is not None:
            options.add(Option.KMS_SOURCE)
        return frozenset(options)

    def _resource(
        self, handler: UserImportHandler, user_pool: cognito.IUserPool, settings: _Settings
    ) -> CustomResource:
        """The custom resource, its properties written by ImportProperties (the handler's own reader)."""
        properties = ImportProperties(
            user_pool_id=user_pool.user_pool_id,
            logs_role_arn=self.logs_role.role_arn,
            source_bucket=self.source.bucket_name,
            source_key=self.source.object_key,
            source_hash=self.source.source_hash,
            source_name=self.source.source_name,
            source_version=self.source.object_version,
            job_name=settings.job_name,
            timeout_seconds=settings.timeout_seconds,
            existing_users=settings.existing_users,
            max_failed_users=settings.max_failed_users,
            remove_users_on_delete=settings.remove_users_on_delete,
            password_hashing_algorithm=settings.password_hashing_algorithm,
            quota_share=settings.quota_share,
            ledger_bucket=handler.ledger.bucket_name,
            passwords_secret_arn=self.passwords.secret_arn if self.passwords is not None else None,
        ).to_properties()
        resource = CustomResource(
            self,
            "Resource",
            service_token=handler.function.function_arn,
            resource_type=RESOURCE_TYPE,
            service_timeout=settings.timeout,
            properties=properties,
        )
        resource.node.add_dependency(user_pool)
        # Cognito runs one import job at a time per account: the stack's imports run one after another
        # instead of racing for the slot (the handler still waits for jobs from outside the stack).
        if handler.last_import is not None:
            resource.node.add_dependency(handler.last_import)
        handler.last_import = resource
        # A role made in this app may carry its rights in separate policies: wait for them too.
        resource.node.add_dependency(self.logs_role)
        return resource

    def _grant(self, role: iam.IRole, user_pool: cognito.IUserPool, settings: _Settings) -> None:
        """Add to the handler's role the table's rows for this import's options, on its own pool, logs
        role, object, secret and keys only."""
        log_groups = cognito_log_group_arns(self, f"/aws/cognito/userpools/{user_pool.user_pool_id}/*")
        arns: dict[Resource, list[str]] = {
            Resource.USER_POOL: [user_pool.user_pool_arn],
            Resource.LOGS_ROLE: [self.logs_role.role_arn],
            Resource.SOURCE_OBJECT: [self.source.object_arn],
            Resource.JOB_LOG_GROUPS: log_groups,
        }
        conditions = {}
        if self.source.encryption_key is not None:
            arns[Resource.SOURCE_KEY] = [self.source.encryption_key.key_arn]
        if self.passwords is not None:
            full_arn = self.passwords.secret_full_arn
            # A secret known by name only: its ARN ends in six random characters (as CDK's grantRead).
            arns[Resource.SECRET] = [
                full_arn if full_arn is not None else f"{self.passwords.secret_arn}-??????"
            ]
            if self.passwords.encryption_key is not None:
                arns[Resource.SECRET_KEY] = [self.passwords.encryption_key.key_arn]
                via = f"secretsmanager.{Stack.of(self).region}.amazonaws.com"
                conditions[Resource.SECRET_KEY] = {"StringEquals": {"kms:ViaService": via}}
        rows = [row for row in operations_for(self._options(settings)) if row.resource.per_import]
        for statement in statements(rows, arns, suffix=sid_suffix(self.node.path), conditions=conditions):
            role.add_to_principal_policy(statement)
        acknowledge_wildcard_resources(
            role,
            log_groups,
            reason=(
                "Reads the import job's log to name the failing rows: Cognito writes it to "
                "/aws/cognito/userpools/<pool id>/<pool name>, stream <job id>/<job name>, names not "
                "known at synth; the pattern is limited to this pool's id."
            ),
        )
