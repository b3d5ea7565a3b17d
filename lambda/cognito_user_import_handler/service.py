"""The import, request by request: what Create, Update, Delete and each scheduled poll do."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .clients import AwsClients
from .csv_dialect import convert, iter_usernames
from .csv_rules import PoolSchema, ValidationError
from .existing_users import ExistingUsernames, LookedUpUsernames, username_folder
from .job_log import first_data_line, read_row_results
from .jobs import DeadlineReached, ImportJobs, error_code
from .ownership import owned_names, remove_imported_users
from .properties import ExistingUsers, ImportProperties
from .report import FailingRow, Figures, ImportFailed, failure_reason
from .source_diff import SourceDiff, diff_sources
from .upload import upload_csv

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp.type_defs import UserImportJobTypeTypeDef

logger = logging.getLogger(__name__)

NAMES_IN_REASON = 20
WORK_DIR = os.path.join(tempfile.gettempdir(), "cognito-user-import")


@dataclass
class Outcome:
    """What one request ended with: final figures, or a job left running for the scheduled polls."""

    physical_id: str
    figures: Figures | None = None
    poll_state: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.figures is not None


@dataclass(frozen=True)
class Budget:
    """How long this invocation may keep waiting, and the resource's own deadline."""

    deadline: float
    keep_waiting: Callable[[], bool]


def uploaded_file_path(job_id: str) -> str:
    return os.path.join(WORK_DIR, f"{job_id}.csv")


class ImportService:
    def __init__(self, clients: AwsClients, *, poll_seconds: float = 2.0) -> None:
        self._clients = clients
        self._poll_seconds = poll_seconds

    def _jobs(self, user_pool_id: str) -> ImportJobs:
        return ImportJobs(self._clients.cognito, user_pool_id, poll_seconds=self._poll_seconds)

    # Create and Update -------------------------------------------------------------------------

    def create(self, props: ImportProperties, budget: Budget) -> Outcome:
        return self._import(props, budget, fallback_physical_id=None)

    def update(
        self, props: ImportProperties, old: ImportProperties, physical_id: str, budget: Budget
    ) -> Outcome:
        if props.source_hash == old.source_hash and props.user_pool_id == old.user_pool_id:
            logger.info("The users file and pool are unchanged: no new import job")
            return Outcome(physical_id, self._previous_figures(props, physical_id))
        # Rows unchanged since the last successful deployment were imported (or existed) then; of
        # the rest, users already in the pool are left out. The physical id stays when nothing is new.
        return self._import(props, budget, fallback_physical_id=physical_id, old=old)

    def _previous_figures(self, props: ImportProperties, physical_id: str) -> Figures:
        if physical_id.startswith("import-"):
            return Figures.from_job(self._jobs(props.user_pool_id).describe(physical_id))
        return Figures.nothing_to_import(0)

    def _existing(
        self, props: ImportProperties, pool: Mapping[str, Any], old: ImportProperties | None
    ) -> tuple[set[str], Container[str]]:
        """(usernames unchanged since the old file, what tells whether a username exists in the pool)."""
        cognito = self._clients.cognito
        diff = self._diff(old, props) if old is not None and old.user_pool_id == props.user_pool_id else None
        estimated_users = int(pool.get("EstimatedNumberOfUsers", 0))
        if diff is not None and diff.changed <= estimated_users // 60 + 1:
            logger.info("%s rows are new or changed: looking them up one by one", diff.changed)
            return diff.unchanged, LookedUpUsernames(cognito, pool)
        existing = ExistingUsernames.load(cognito, pool)
        logger.info("Pool %s holds %s users and aliases", props.user_pool_id, len(existing))
        return (diff.unchanged if diff else set()), existing

    def _diff(self, old: ImportProperties, new: ImportProperties) -> SourceDiff | None:
        s3 = self._clients.s3
        try:
            old_body = s3.get_object(Bucket=old.source_bucket, Key=old.source_key)["Body"]
        except ClientError as error:
            logger.info(
                "The previous users file cannot be read (%s): every row is looked up", error_code(error)
            )
            return None
        new_body = s3.get_object(Bucket=new.source_bucket, Key=new.source_key)["Body"]
        with old_body, new_body:
            diff = diff_sources(old_body, new_body)
        logger.info("%s of %s rows are unchanged since the last deployment", len(diff.unchanged), diff.rows)
        return diff

    def _import(
        self,
        props: ImportProperties,
        budget: Budget,
        fallback_physical_id: str | None,
        old: ImportProperties | None = None,
    ) -> Outcome:
        cognito = self._clients.cognito
        pool = cognito.describe_user_pool(UserPoolId=props.user_pool_id)["UserPool"]
        header = cognito.get_csv_header(UserPoolId=props.user_pool_id)["CSVHeader"]
        schema = PoolSchema.from_describe_user_pool(pool, header)
        unchanged, existing = self._existing(props, pool, old)
        # ExistingUsers.FAIL is about users from elsewhere: this resource's own earlier imports are fine.
        fail_on_existing = props.existing_users is ExistingUsers.FAIL
        owned = owned_names(cognito, props, pool) if fail_on_existing else set()
        fold = username_folder(pool)

        conflicts: list[str] = []
        conflict_count = 0
        skipped = 0

        def keep(username: str) -> bool:
            nonlocal skipped, conflict_count
            if username in unchanged:
                skipped += 1
                return False
            if username in existing:
                skipped += 1
                if fail_on_existing and fold(username) not in owned:
                    conflict_count += 1
                    if len(conflicts) < NAMES_IN_REASON:
                        conflicts.append(username)
                return False
            return True

        os.makedirs(WORK_DIR, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=WORK_DIR, suffix=".csv", delete=False
        ) as sink:
            converted_path = sink.name
            body = self._clients.s3.get_object(Bucket=props.source_bucket, Key=props.source_key)["Body"]
            with body:
                result = convert(body, sink, schema=schema, file_name=props.source_name, keep=keep)
        if result.problem_count:
            os.unlink(converted_path)
            raise ImportFailed(
                "No import job was created: "
                + str(ValidationError(problems=result.problems, total=result.problem_count))
            )
        if conflict_count:
            os.unlink(converted_path)
            names = ", ".join(conflicts)
            more = f" and {conflict_count - len(conflicts)} more" if conflict_count > len(conflicts) else ""
            raise ImportFailed(
                f"No import job was created: {conflict_count} users of {props.source_name} already exist"
                f" in pool {props.user_pool_id}: {names}{more}. Remove them from the file, or set"
                " existing_users=ExistingUsers.SKIP to leave them out."
            )
        if skipped:
            logger.info("%s of %s users already exist and are left out of the job", skipped, result.rows)
        if skipped == result.rows:
            os.unlink(converted_path)
            logger.info("Nothing to import: no job created")
            physical_id = fallback_physical_id or f"no-job:{props.user_pool_id}:{props.job_name}"
            return Outcome(physical_id, Figures.nothing_to_import(skipped))

        jobs = self._jobs(props.user_pool_id)
        jobs.check_budget()
        job_id, upload_url = jobs.create(
            props.job_name, props.logs_role_arn, props.password_hashing_algorithm
        )
        try:
            os.replace(converted_path, uploaded_file_path(job_id))
            upload_csv(upload_url, uploaded_file_path(job_id))
            logger.info("Uploaded %s users for job %s", result.rows - skipped, job_id)
            jobs.start(job_id, budget.deadline)
            state = {
                "JobId": job_id,
                "Deadline": budget.deadline,
                "SkippedBeforeJob": skipped,
                "PoolName": pool["Name"],
            }
            return self._watch(props, state, budget)
        except ImportFailed:
            raise
        except Exception as error:
            raise ImportFailed(f"Import job {job_id} ({props.job_name}): {error}", job_id=job_id) from error

    # Waiting -----------------------------------------------------------------------------------

    def poll(
        self, props: ImportProperties, state: dict[str, Any], keep_waiting: Callable[[], bool]
    ) -> Outcome:
        """One scheduled poll: wait a while longer, answer when the job has ended."""
        return self._watch(props, state, Budget(float(state["Deadline"]), keep_waiting))

    def _watch(self, props: ImportProperties, state: dict[str, Any], budget: Budget) -> Outcome:
        job_id = str(state["JobId"])
        try:
            job = self._jobs(props.user_pool_id).wait(
                job_id, deadline=budget.deadline, keep_waiting=budget.keep_waiting
            )
        except DeadlineReached as error:
            raise ImportFailed(str(error), job_id=job_id) from None
        if job is None:
            logger.info("Import job %s is still running; scheduled polling takes over", job_id)
            return Outcome(job_id, poll_state=state)
        try:
            return self._answer(props, job, state)
        finally:
            # The converted file (up to 100 MB) is needed no longer: /tmp is shared by warm invocations.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(uploaded_file_path(job_id))

    def _answer(
        self, props: ImportProperties, job: UserImportJobTypeTypeDef, state: dict[str, Any]
    ) -> Outcome:
        figures = Figures.from_job(job, skipped_before_job=int(state.get("SkippedBeforeJob", 0)))
        if figures.status == "Succeeded" and figures.failed <= props.max_failed_users:
            logger.info("Import job %s succeeded: %s", figures.job_id, figures.summary())
            return Outcome(figures.job_id, figures)
        rows = self.failing_rows(props, figures.job_id, str(state.get("PoolName", "")))
        for row in rows:
            logger.error("Failed row: %s", row)
        reason = failure_reason(
            figures,
            job_name=props.job_name,
            source_name=props.source_name,
            failing_rows=rows,
            max_failed_users=props.max_failed_users,
        )
        raise ImportFailed(reason, job_id=figures.job_id)

    def failing_rows(self, props: ImportProperties, job_id: str, pool_name: str) -> list[FailingRow]:
        """The job's FAILED rows, mapped from the uploaded file's lines to usernames and source lines."""
        results = read_row_results(self._clients.logs, props.user_pool_id, pool_name, job_id)
        failed = [r for r in results if r.outcome == "FAILED"]
        if not failed:
            return []
        offset = 2 - first_data_line(results)  # make line numbers count the header as line 1
        wanted = {r.line + offset for r in failed}
        uploaded: dict[int, str] = {}
        path = uploaded_file_path(job_id)
        if os.path.exists(path):  # a later poll may run in another container without it
            with open(path, "rb") as handle:
                uploaded = {line: name for line, name in iter_usernames(handle) if line in wanted}
        usernames = {r.line: uploaded.get(r.line + offset) for r in failed}
        source_lines = self._source_lines({name for name in usernames.values() if name}, props)
        return [
            FailingRow(source_lines.get(name) if name else None, name, r.reason)
            for r, name in ((r, usernames[r.line]) for r in failed)
        ]

    def _source_lines(self, usernames: set[str], props: ImportProperties) -> dict[str, int]:
        if not usernames:
            return {}
        body = self._clients.s3.get_object(Bucket=props.source_bucket, Key=props.source_key)["Body"]
        with body:
            return {name: line for line, name in iter_usernames(body) if name in usernames}

    # Delete ------------------------------------------------------------------------------------

    def delete(self, props: ImportProperties, physical_id: str, keep_waiting: Callable[[], bool]) -> None:
        """Stop the resource's job if it still runs (the pool cannot be deleted while it does).

        Users are kept: they may have signed in and changed since the import.
        """
        if not physical_id.startswith("import-"):
            return
        status = self._jobs(props.user_pool_id).stop_and_wait(physical_id, keep_waiting=keep_waiting)
        logger.info("Import job %s is %s", physical_id, status)
        if props.remove_users_on_delete and status != "Gone":
            remove_imported_users(self._clients, props, physical_id)
