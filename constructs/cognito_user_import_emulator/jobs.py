"""Import jobs: their record, the state machine driven by time, and the background runner thread.

Every method expects the caller to hold ``JobStore.lock`` (re-entrant), the same lock that guards
moto's state, because running a job writes moto users and logs.
"""

from __future__ import annotations

import logging
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from moto.cognitoidp.models import cognitoidp_backends

from . import pool_rules
from .cloudwatch import (
    TEST_LOG_LINE,
    JobLog,
    log_group_name,
    log_stream_name,
    logs_permission_problem,
    role_problem,
)
from .csv_reader import CsvFormatError, CsvRow, read_csv
from .errors import ACTIVE_JOB_LIMIT_ERROR, CognitoError, precondition_not_met
from .faults import Faults
from .settings import EmulatorSettings

LOGGER = logging.getLogger(__name__)

ACTIVE_STATUSES = frozenset({"Pending", "InProgress", "Stopping"})
TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Stopped", "Expired"})

MESSAGE_SUCCEEDED = "Import Job Completed Successfully."
MESSAGE_TOO_MANY_FAILED = "Too many users have failed or been skipped during the import."
MESSAGE_STOPPED = "The Import Job was stopped by the developer."
MESSAGE_EXPIRED = "The user import job has expired."
MESSAGE_FAULT = "The import job failed: the emulator was told to fail it (fault fail_next_jobs)."

_ID_ALPHABET = string.ascii_letters + string.digits


def new_job_id() -> str:
    # Ten characters as in AWS's samples (import-mAgUtd8PMm); the model allows up to 55 in all.
    return "import-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def _epoch(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass
class ImportJob:
    account_id: str
    region: str
    job_id: str
    job_name: str
    pool_id: str
    role_arn: str
    password_hashing_algorithm: str | None
    created_at: float
    upload_expires_at: float
    presigned_url: str = ""
    status: str = "Created"
    started_at: float | None = None
    completed_at: float | None = None
    completion_message: str | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    #: The last file PUT to the pre-signed URL (raw bytes), and the one the started job reads.
    uploaded: bytes | None = None
    file_at_start: bytes | None = None
    # Runner state.
    status_since: float = 0.0
    forced_failure: bool = False
    rows: list[CsvRow] = field(default_factory=list)
    next_row: int = 0
    #: Who the pool's users are, read once when the rows begin and kept up to date by them.
    names: pool_rules.PoolNames | None = None
    log: JobLog | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "JobName": self.job_name,
            "JobId": self.job_id,
            "UserPoolId": self.pool_id,
            "PreSignedUrl": self.presigned_url,
            "CreationDate": _epoch(self.created_at),
            "StartDate": _epoch(self.started_at),
            "CompletionDate": _epoch(self.completed_at),
            "Status": self.status,
            "CloudWatchLogsRoleArn": self.role_arn,
            "ImportedUsers": self.imported,
            "SkippedUsers": self.skipped,
            "FailedUsers": self.failed,
            "CompletionMessage": self.completion_message,
            "PasswordHashingAlgorithm": self.password_hashing_algorithm,
        }
        return {key: value for key, value in body.items() if value is not None}


class JobStore:
    def __init__(self, settings: EmulatorSettings, faults: Faults, lock: threading.RLock) -> None:
        self.settings = settings
        self.faults = faults
        self.lock = lock
        self.jobs: dict[str, ImportJob] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- lookups -------------------------------------------------------------------------------

    def find(self, account_id: str, region: str, pool_id: str, job_id: str) -> ImportJob | None:
        job = self.jobs.get(job_id)
        if job is None or (job.account_id, job.region, job.pool_id) != (account_id, region, pool_id):
            return None
        self.advance(job, time.time())
        return job

    def for_pool(self, account_id: str, region: str, pool_id: str) -> list[ImportJob]:
        """The pool's jobs, newest first."""
        now = time.time()
        found = [
            job
            for job in self.jobs.values()
            if (job.account_id, job.region, job.pool_id) == (account_id, region, pool_id)
        ]
        for job in found:
            self.advance(job, now)
        return sorted(found, key=lambda job: job.created_at, reverse=True)

    def active_on_pool(self, pool_id: str) -> ImportJob | None:
        self.advance_all()
        return next(
            (j for j in self.jobs.values() if j.pool_id == pool_id and j.status in ACTIVE_STATUSES), None
        )

    # ---- operations ----------------------------------------------------------------------------

    def add(self, job: ImportJob) -> None:
        job.status_since = job.created_at
        self.jobs[job.job_id] = job

    def start(self, job: ImportJob) -> None:
        now = time.time()
        self.advance(job, now)
        if job.status != "Created":
            raise precondition_not_met(
                f"Job {job.job_id} cannot be started: its status is {job.status}; "
                "only a Created job can be started."
            )
        if job.uploaded is None:
            raise precondition_not_met(f"No csv file was uploaded for {job.job_id}")
        self.advance_all()
        running = next(
            (j for j in self.jobs.values() if j.account_id == job.account_id and j.status in ACTIVE_STATUSES),
            None,
        )
        if running is not None:
            raise CognitoError(
                ACTIVE_JOB_LIMIT_ERROR,
                f"Only one import job can be active at a time per account: {running.job_id} "
                f"(user pool {running.pool_id}) is {running.status}. Wait for it to end or stop it first.",
            )
        job.forced_failure = self.faults.take_failed_job()
        job.file_at_start = job.uploaded
        job.started_at = now
        self._set_status(job, "Pending", now)

    def stop(self, job: ImportJob) -> None:
        now = time.time()
        self.advance(job, now)
        if job.status not in ("Pending", "InProgress"):
            raise precondition_not_met(
                f"Job {job.job_id} cannot be stopped: its status is {job.status}; "
                "only a Pending or InProgress job can be stopped."
            )
        self._set_status(job, "Stopping", now)

    def expire_unstarted(self) -> list[str]:
        now = time.time()
        expired = [job for job in self.jobs.values() if job.status == "Created"]
        for job in expired:
            self._finish(job, "Expired", MESSAGE_EXPIRED, now)
        return [job.job_id for job in expired]

    def clear(self) -> None:
        self.jobs.clear()

    # ---- the state machine ---------------------------------------------------------------------

    def advance_all(self) -> None:
        now = time.time()
        for job in list(self.jobs.values()):
            self.advance(job, now)

    def advance(self, job: ImportJob, now: float) -> None:
        """Move the job as far as the settings say it has come by ``now``."""
        try:
            self._advance(job, now)
        except Exception:  # a bug here must end the job, not the runner thread
            LOGGER.exception("import job %s failed inside the emulator", job.job_id)
            self._finish(job, "Failed", "The import job failed: internal error in the emulator.", now)

    def _advance(self, job: ImportJob, now: float) -> None:
        settings = self.settings
        if job.status == "Created" and now >= job.created_at + settings.unstarted_job_ttl_seconds:
            self._finish(job, "Expired", MESSAGE_EXPIRED, now)
        if job.status == "Pending" and now >= job.status_since + settings.pending_seconds:
            self._set_status(job, "InProgress", job.status_since + settings.pending_seconds)
            self._begin(job)
        if job.status == "InProgress":
            self._run_rows(job, now)
        if job.status == "Stopping" and now >= job.status_since + settings.stopping_seconds:
            self._finish(job, "Stopped", MESSAGE_STOPPED, now)

    def _begin(self, job: ImportJob) -> None:
        """What Cognito checks before the first row: the role, the pool, the fault switch, the file."""
        when = job.status_since
        problem = role_problem(job.account_id, job.role_arn)
        if problem:
            self._finish(job, "Failed", problem, when)
            return
        pool = cognitoidp_backends[job.account_id][job.region].user_pools.get(job.pool_id)
        if pool is None:
            self._finish(job, "Failed", f"The user pool {job.pool_id} no longer exists.", when)
            return
        group, stream = log_group_name(job.pool_id, pool.name), log_stream_name(job.job_id, job.job_name)
        if self.settings.enforce_iam:
            problem = logs_permission_problem(job.account_id, job.region, job.role_arn, group, stream)
            if problem:
                self._finish(job, "Failed", problem, when)
                return
        job.log = JobLog(job.account_id, job.region, group, stream)
        job.log.write(TEST_LOG_LINE, TEST_LOG_LINE)
        if job.forced_failure:
            self._finish(job, "Failed", MESSAGE_FAULT, when)
            return
        try:
            parsed = read_csv(job.file_at_start or b"")
        except CsvFormatError as error:
            self._finish(job, "Failed", str(error), when)
            return
        problem = pool_rules.header_problem(parsed.header, pool, job.password_hashing_algorithm is not None)
        if problem:
            self._finish(job, "Failed", problem, when)
            return
        job.rows = parsed.rows
        job.next_row = 0
        job.names = pool_rules.PoolNames(pool)

    def _run_rows(self, job: ImportJob, now: float) -> None:
        settings = self.settings
        started = job.status_since
        pool = cognitoidp_backends[job.account_id][job.region].user_pools.get(job.pool_id)
        if pool is None:
            self._finish(job, "Failed", f"The user pool {job.pool_id} no longer exists.", now)
            return
        while job.next_row < len(job.rows) and now >= started + (job.next_row + 1) * settings.seconds_per_row:
            row = job.rows[job.next_row]
            job.next_row += 1
            if row.values is None:
                verdict = pool_rules.RowVerdict("FAILED", row.error or "The row cannot be read.")
            else:
                verdict = pool_rules.import_row(
                    pool, row.values, job.password_hashing_algorithm is not None, job.names
                )
            if verdict.outcome == "SUCCEEDED":
                job.imported += 1
            elif verdict.outcome == "SKIPPED":
                job.skipped += 1
            else:
                job.failed += 1
            if job.log is not None:
                job.log.row(row.line_number, verdict.outcome, verdict.reason)
        total = len(job.rows)
        run_time = max(settings.min_run_seconds, total * settings.seconds_per_row)
        if job.next_row >= total and now >= started + run_time:
            if job.failed + job.skipped > settings.max_failed_or_skipped_ratio * total:
                self._finish(job, "Failed", MESSAGE_TOO_MANY_FAILED, now)
            else:
                self._finish(job, "Succeeded", MESSAGE_SUCCEEDED, now)

    def _set_status(self, job: ImportJob, status: str, when: float) -> None:
        job.status = status
        job.status_since = when

    def _finish(self, job: ImportJob, status: str, message: str, when: float) -> None:
        self._set_status(job, status, when)
        job.completed_at = when
        job.completion_message = message
        job.rows = []  # the rows hold user data: keep them no longer than needed
        job.file_at_start = None
        job.names = None

    # ---- the runner thread ---------------------------------------------------------------------

    def start_runner(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cognito-import-job-runner", daemon=True)
        self._thread.start()

    def stop_runner(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(max(self.settings.tick_seconds, 0.005)):
            with self.lock:
                self.advance_all()
