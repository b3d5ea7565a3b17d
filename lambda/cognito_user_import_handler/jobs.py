"""One import job's life on the Cognito API: create, start, watch, stop."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import UserImportJobTypeTypeDef

from .progress_line import job_progress_line

logger = logging.getLogger(__name__)

TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Stopped", "Expired"})
PROGRESS_LOG_SECONDS = 4.0
"""A running job's figures are logged when its status changes, and at most this often while they move."""
RUNNING_STATUSES = frozenset({"Pending", "InProgress"})
JOB_QUOTA = 1000
JOB_QUOTA_WARNING = 900
# Cognito allows one active job per account; the error a second start gets is unconfirmed, so
# every answer that can mean "another job is running" is waited out rather than failed on.
BUSY_ERRORS = frozenset({"LimitExceededException", "PreconditionNotMetException"})
NO_UPLOAD_MARKER = "No csv file was uploaded"


class JobBudgetExhausted(RuntimeError):
    """The pool has used every import job it is allowed."""


class JobNotStartable(RuntimeError):
    """The job can never start: it expired, or Cognito has no file for it."""


class DeadlineReached(RuntimeError):
    """The resource's own deadline passed before the job ended."""


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _retryable(error: Exception) -> bool:
    if isinstance(error, ClientError):
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        return error_code(error) in ("TooManyRequestsException", "InternalErrorException") or status >= 500
    return True  # connection and read errors


class ImportJobs:
    """The job operations for one pool, with the waiting rules this handler follows."""

    def __init__(
        self,
        cognito: CognitoIdentityProviderClient,
        user_pool_id: str,
        *,
        create_client: CognitoIdentityProviderClient | None = None,
        poll_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._cognito = cognito
        self._create_client = create_client or cognito
        self.user_pool_id = user_pool_id
        self._poll_seconds = poll_seconds
        self._sleep = sleep
        self._now = now

    def iter_jobs(self) -> Iterator[UserImportJobTypeTypeDef]:
        """Every job the pool has had, newest first (jobs are never deleted)."""
        request: dict[str, Any] = {"UserPoolId": self.user_pool_id, "MaxResults": 60}
        while True:
            page = self._cognito.list_user_import_jobs(**request)
            yield from page.get("UserImportJobs", [])
            token = page.get("PaginationToken")
            if not token:
                return
            request["PaginationToken"] = token

    def count_jobs(self, *, stop_at: int = JOB_QUOTA) -> int:
        """How many jobs the pool has had, counting no further than stop_at."""
        return sum(1 for _ in islice(self.iter_jobs(), stop_at))

    def check_budget(self) -> None:
        used = self.count_jobs()
        if used >= JOB_QUOTA:
            raise JobBudgetExhausted(
                f"user pool {self.user_pool_id} has used all {JOB_QUOTA} import jobs it is allowed"
                " (jobs cannot be deleted); ask AWS Support to raise the 'user import jobs' quota"
            )
        if used >= JOB_QUOTA_WARNING:
            logger.warning(
                "User pool %s has used %s of its %s import jobs; the quota cannot be reset",
                self.user_pool_id,
                used,
                JOB_QUOTA,
            )

    def create(
        self,
        job_name: str,
        logs_role_arn: str,
        password_hashing_algorithm: str | None,
        *,
        attempts: int = 6,
    ) -> tuple[str, str]:
        """Create a job; answers (job id, pre-signed upload URL). The URL is a secret: never log it.

        CreateUserImportJob has no idempotency token, so botocore must not resend it (a lost answer would
        make a second job): the call goes out once on a client without retries, and after any failure the
        job is looked for by its name (unique per request) before trying again.
        """
        request: dict[str, Any] = {
            "JobName": job_name,
            "UserPoolId": self.user_pool_id,
            "CloudWatchLogsRoleArn": logs_role_arn,
        }
        if password_hashing_algorithm:
            request["PasswordHashingAlgorithm"] = password_hashing_algorithm
        asked_at = self._now() - 60.0  # allow for clock skew between here and Cognito
        for attempt in range(1, attempts + 1):
            try:
                job = self._create_client.create_user_import_job(**request)["UserImportJob"]
                break
            except (ClientError, BotoCoreError) as error:
                found = self.find_by_name(job_name, not_before=asked_at)
                if found is not None:
                    logger.info(
                        "CreateUserImportJob failed (%s) after it created the job", type(error).__name__
                    )
                    job = found
                    break
                if attempt == attempts or not _retryable(error):
                    raise
                self._sleep(min(2.0**attempt, 20.0))
        logger.info("Created import job %s (%s) in pool %s", job["JobId"], job_name, self.user_pool_id)
        return job["JobId"], str(job.get("PreSignedUrl", ""))

    def find_by_name(self, job_name: str, *, not_before: float) -> UserImportJobTypeTypeDef | None:
        """The newest job called job_name created at or after not_before (epoch seconds), if any.

        Jobs are listed newest first, so the search stops at the first older job.
        """
        for job in self.iter_jobs():
            created = job.get("CreationDate")
            if created is not None and created.timestamp() < not_before:
                return None
            if job.get("JobName") == job_name:
                return job
        return None

    def start(self, job_id: str, *, deadline: float, keep_waiting: Callable[[], bool]) -> bool:
        """Start the job, waiting while another job in the account is active: True once it has started
        (by this call or an earlier one whose answer was lost), False when this invocation must hand over.
        """
        waited = False
        while True:
            try:
                self._cognito.start_user_import_job(UserPoolId=self.user_pool_id, JobId=job_id)
                logger.info("Started import job %s", job_id)
                return True
            except ClientError as error:
                # A refused start means "another job is active" or "already started" (a start whose
                # answer was lost): Cognito's error for each is unconfirmed, so read the job.
                if error_code(error) not in (*BUSY_ERRORS, "InvalidParameterException"):
                    raise
                if self._started_already(job_id, error):
                    return True
            if self._now() + self._poll_seconds >= deadline:
                raise DeadlineReached(
                    f"import job {job_id} could not start before the resource's deadline: another import"
                    " job stayed active in the account"
                )
            if not keep_waiting():
                return False
            if not waited:
                logger.info("Another import job is active in the account; waiting to start %s", job_id)
                waited = True
            self._sleep(self._poll_seconds)

    def _started_already(self, job_id: str, error: ClientError) -> bool:
        """Read the job to tell what a refused start means (the error alone does not say)."""
        job = self.describe(job_id)
        status = job["Status"]
        if status != "Created":
            if status == "Expired":
                raise JobNotStartable(f"import job {job_id} expired before it could start") from None
            return True  # a start whose answer was lost: the job runs or has run
        message = str(error.response.get("Error", {}).get("Message", ""))
        if NO_UPLOAD_MARKER in message:
            raise JobNotStartable(f"import job {job_id} has no uploaded file ({message})") from None
        return False  # still Created: another job in the account holds the slot

    def describe(self, job_id: str) -> UserImportJobTypeTypeDef:
        return self._cognito.describe_user_import_job(UserPoolId=self.user_pool_id, JobId=job_id)[
            "UserImportJob"
        ]

    def wait(
        self, job_id: str, *, deadline: float, keep_waiting: Callable[[], bool]
    ) -> UserImportJobTypeTypeDef | None:
        """Poll until the job ends (answers it), or keep_waiting() says stop (answers None).

        At the resource's deadline the job is stopped and DeadlineReached raised.
        """
        last_status, last_figures, logged_at = "", (-1, -1, -1), float("-inf")
        while True:
            job = self.describe(job_id)
            figures = (job.get("ImportedUsers", 0), job.get("SkippedUsers", 0), job.get("FailedUsers", 0))
            moved = figures != last_figures and self._now() - logged_at >= PROGRESS_LOG_SECONDS
            if job["Status"] != last_status or moved:
                last_status, last_figures, logged_at = job["Status"], figures, self._now()
                logger.info(
                    "Import job %s: %s (%s)", job_id, last_status, job_progress_line(job, self._now())
                )
            if job["Status"] in TERMINAL_STATUSES:
                return job
            if self._now() >= deadline:
                self.stop(job_id)
                raise DeadlineReached(
                    f"import job {job_id} was still {job['Status']} at the resource's deadline"
                    " and was stopped"
                    f" (imported {job.get('ImportedUsers', 0)} users so far); raise the construct's timeout"
                    " or import fewer users per deployment"
                )
            if not keep_waiting():
                return None
            self._sleep(min(self._poll_seconds, max(0.0, deadline - self._now())))

    def stop(self, job_id: str) -> None:
        """Stop a running job; a job that already ended (or never started) is left as it is."""
        try:
            self._cognito.stop_user_import_job(UserPoolId=self.user_pool_id, JobId=job_id)
            logger.info("Stopped import job %s", job_id)
        except ClientError as error:
            if error_code(error) not in ("InvalidParameterException", "PreconditionNotMetException"):
                raise
            logger.info("Import job %s was not running (%s)", job_id, error_code(error))

    def stop_and_wait(self, job_id: str, *, keep_waiting: Callable[[], bool]) -> str:
        """Stop the job if it runs and wait until it has ended, so the pool can be changed or deleted."""
        try:
            status = self.describe(job_id)["Status"]
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return "Gone"
            raise
        if status in RUNNING_STATUSES:
            self.stop(job_id)
        while status not in TERMINAL_STATUSES and status != "Created" and keep_waiting():
            self._sleep(self._poll_seconds)
            status = self.describe(job_id)["Status"]
        return status
