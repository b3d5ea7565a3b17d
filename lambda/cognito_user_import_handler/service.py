"""The import, request by request: what Create, Update, Delete and each scheduled poll do.

Every request may be delivered more than once, even at the same time (Lambda's asynchronous
invocation, EventBridge's polls). So a request's progress lives in the ledger (requests/<id>.json),
written before its first side effect: one delivery claims the request and acts; any other delivery
follows that record (the job it names, the answer it stored) and takes the claim over only once it has
lapsed. The job's name carries a token of the request, so a job whose creation was not recorded is
found again. An answer, once stored, is what every later delivery of the request sends.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from .account_plan import LastApplied
from .account_steps import StepProgress, StepRunner
from .accounts import PASSWORD, Step
from .clients import AwsClients
from .job_rows import read_job_rows
from .jobs import DeadlineReached, ImportJobs, JobNotStartable
from .ledger import ConflictError, Ledger
from .passwords import read_passwords
from .planning import Plan, make_plan
from .properties import ExistingUsers, ImportProperties
from .records import FAILED, SUCCESS, Answer, Applied, HandOver, RequestRecord, ResourceState, Result
from .report import Figures, ImportFailed, accounts_failure_reason, failure_reason, plural
from .upload import upload_csv

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp.type_defs import UserImportJobTypeTypeDef

logger = logging.getLogger(__name__)

STATE = "state.json"
DEFAULT_CLAIM_SECONDS = 90.0
"""How long a delivery's claim on a request lasts without renewal: longer than any one step it takes."""


@dataclass(frozen=True)
class Request:
    """One delivery of a CloudFormation request (or of one of its scheduled polls)."""

    request_id: str
    request_type: str
    logical_id: str
    props: ImportProperties
    old: ImportProperties | None
    physical_id: str | None
    deadline: float
    """The resource's own deadline (epoch seconds)."""
    keep_waiting: Callable[[], bool]
    """False once this invocation must stop waiting and hand over."""
    owner: str
    """This delivery: a token of its own, to tell its claim from another's."""
    job_name: str
    """The import job's name: the resource's job name plus a token of the request."""


def is_job_id(physical_id: str | None) -> bool:
    return bool(physical_id and physical_id.startswith("import-"))


class ImportService:
    def __init__(
        self,
        clients: AwsClients,
        *,
        poll_seconds: float = 2.0,
        claim_seconds: float = DEFAULT_CLAIM_SECONDS,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clients = clients
        self._poll_seconds = poll_seconds
        self._claim_seconds = claim_seconds
        self._now = now
        self._sleep = sleep

    def _jobs(self, req: Request) -> ImportJobs:
        return ImportJobs(
            self._clients.cognito,
            req.props.user_pool_id,
            create_client=self._clients.cognito_once,
            poll_seconds=self._poll_seconds,
            sleep=self._sleep,
            now=self._now,
        )

    def ledger(self, req: Request) -> Ledger:
        if not req.props.ledger_bucket:
            raise ImportFailed("property LedgerBucket is required: redeploy with this library's construct")
        return Ledger(self._clients.s3, req.props.ledger_bucket, req.logical_id)

    def _pace(self, req: Request) -> None:
        """Every request paces its Cognito calls at its resource's share of the quotas."""
        self._clients.pacer.share = req.props.quota_share

    # Create, Update and their polls -----------------------------------------------------------------

    def create_or_update(self, req: Request) -> Result:
        self._pace(req)
        ledger = self.ledger(req)
        found, etag = ledger.read_json(Ledger.request_name(req.request_id))
        if found is not None:
            return self._follow(req, ledger, RequestRecord.from_json(found), etag)
        state = ResourceState.from_json(ledger.read_json(STATE)[0])
        early = self._without_file(req, ledger, state)
        if early is not None:
            return self._settle(req, ledger, early)
        try:
            plan = self._plan(req, ledger, state)
        except ImportFailed as error:
            # Not stored (the reason may quote values): the same file fails the same way every time.
            return Answer(FAILED, self._failed_physical_id(req, None), reason=str(error))
        try:
            if plan.path is None and not plan.accounts.steps:
                return self._settle(req, ledger, self._nothing_to_import(req, ledger, state, plan))
            record = self._new_record(req, plan)
            if plan.accounts.steps:
                ledger.write_lines(
                    Ledger.steps_name(req.request_id), (s.to_line() for s in plan.accounts.steps)
                )
            if plan.path is None:
                record.imported = self._nothing_imported(req, state, plan)
            try:
                etag = ledger.write_json(Ledger.request_name(req.request_id), record.to_json(), only_new=True)
            except ConflictError:
                return self.create_or_update(req)  # another delivery got there first: follow it
            if plan.path is None:
                return self._accounts(req, ledger)
            return self._drive(req, ledger, record, etag, plan)
        finally:
            plan.discard()

    def poll(self, req: Request) -> Result:
        """One scheduled poll: follow the request's record; a poll after the answer repeats it."""
        self._pace(req)
        ledger = self.ledger(req)
        found, etag = ledger.read_json(Ledger.request_name(req.request_id))
        if found is None:
            return Answer(FAILED, req.physical_id or "", reason="the request's ledger record is gone")
        return self._follow(req, ledger, RequestRecord.from_json(found), etag)

    def _plan(self, req: Request, ledger: Ledger, state: ResourceState) -> Plan:
        current = state.current
        applied_hash = None
        if current is not None and _rows_carry_over(current.props, req.props):
            applied_hash = current.properties.get("SourceHash")
        version = current.passwords_version if current is not None else ""
        return make_plan(self._clients, req.props, ledger, LastApplied(applied_hash, version))

    def _new_record(self, req: Request, plan: Plan) -> RequestRecord:
        now = self._now()
        return RequestRecord(
            request_id=req.request_id,
            job_name=req.job_name,
            created_at=now,
            owner=req.owner,
            claim_until=now + self._claim_seconds,
            deadline=req.deadline,
            skipped_before_job=plan.skipped,
            not_applied=plan.not_applied,
            pool_name=plan.pool_name,
            steps=len(plan.accounts.steps),
            passwords_version=plan.accounts.passwords_version,
        )

    # Answers that need no job -----------------------------------------------------------------------

    def _without_file(self, req: Request, ledger: Ledger, state: ResourceState) -> Answer | None:
        """Rollbacks, repeats and settings-only updates: answered from the ledger, the file unread."""
        current, previous = state.current, state.previous
        if req.request_type != "Update" or current is None:
            return self._without_ledger_state(req)
        if current.props == req.props:
            # A rollback after a failed update: these properties are what is applied.
            logger.info("These properties are the ones applied: no job")
            return Answer(SUCCESS, current.physical_id, current.data)
        if previous is not None and previous.props == req.props and req.old == current.props:
            logger.info("Back to the properties applied before the last update: no job")
            save_state(ledger, ResourceState(previous, current))
            return Answer(SUCCESS, previous.physical_id, previous.data)
        if _same_source(current.props, req.props):
            logger.info("The users file and pool are unchanged: no job")
            applied = Applied(req.request_id, req.props.to_properties(), current.physical_id, current.data)
            save_state(ledger, state.after(applied))
            return Answer(SUCCESS, current.physical_id, current.data)
        return None

    def _without_ledger_state(self, req: Request) -> Answer | None:
        """An Update of a resource deployed before it had a ledger: unchanged source, no job."""
        if req.request_type != "Update" or req.old is None or not _same_source(req.old, req.props):
            return None
        physical_id = req.physical_id or ""
        if is_job_id(physical_id):
            figures = Figures.from_job(self._jobs(req).describe(physical_id))
        else:
            figures = Figures.nothing_to_import(0)
        return Answer(SUCCESS, physical_id, figures.as_data())

    def _nothing_to_import(self, req: Request, ledger: Ledger, state: ResourceState, plan: Plan) -> Answer:
        imported = self._nothing_imported(req, state, plan)
        physical_id, data = imported["physical_id"], imported["data"]
        applied = Applied(req.request_id, req.props.to_properties(), physical_id, data)
        save_state(ledger, state.after(applied))
        return Answer(SUCCESS, physical_id, data)

    def _nothing_imported(self, req: Request, state: ResourceState, plan: Plan) -> dict[str, Any]:
        """The import part's outcome when no job is needed: the physical id and figures."""
        last_job = state.current.data.get("JobId", "") if state.current else ""
        figures = Figures.nothing_to_import(
            plan.skipped, rows=plan.rows, last_job_id=last_job, not_applied=plan.not_applied
        )
        physical_id = req.physical_id if req.request_type == "Update" and req.physical_id else ""
        physical_id = physical_id or f"no-job:{req.props.user_pool_id}:{req.props.job_name}"
        return {"physical_id": physical_id, "data": figures.as_data()}

    def _settle(self, req: Request, ledger: Ledger, answer: Answer) -> Answer:
        """Store an answer reached without a job, unless another delivery stored one first."""
        now = self._now()
        record = RequestRecord(req.request_id, req.job_name, now, req.owner, now, req.deadline)
        record.answer = asdict(answer)
        try:
            ledger.write_json(Ledger.request_name(req.request_id), record.to_json(), only_new=True)
        except ConflictError:
            found, _ = ledger.read_json(Ledger.request_name(req.request_id))
            if found is not None and found.get("answer"):
                return Answer.from_json(found["answer"])
        return answer

    # Driving a job ----------------------------------------------------------------------------------

    def _drive(
        self, req: Request, ledger: Ledger, record: RequestRecord, etag: str, plan: Plan | None
    ) -> Result:
        """Take the claimed request through create, upload and start, then watch the job."""
        try:
            try:
                etag, url = self._ensure_job(req, ledger, record, etag, fresh=plan is not None)
                if not record.uploaded:
                    plan = plan or self._plan(
                        req, ledger, ResourceState.from_json(ledger.read_json(STATE)[0])
                    )
                    etag = self._upload(req, ledger, record, etag, plan, url)
            finally:
                if plan is not None:
                    plan.discard()
            etag = self._renew(ledger, record, etag)
            if not self._jobs(req).start(
                str(record.job_id), deadline=record.deadline, keep_waiting=req.keep_waiting
            ):
                record.claim_until = self._now()  # released: the next poll starts the job at once
                ledger.write_json(Ledger.request_name(record.request_id), record.to_json(), etag=etag)
                return HandOver(str(record.job_id), {"JobId": record.job_id})
        except ConflictError:
            logger.info("Another delivery of this request took it over: following it")
            return self._follow(req, ledger, *_read_record(ledger, req))
        except (ImportFailed, DeadlineReached, JobNotStartable) as error:
            return self._fail(req, ledger, record, str(error))
        except (ClientError, BotoCoreError, OSError, RuntimeError) as error:
            return self._fail(req, ledger, record, f"{type(error).__name__}: {error}")
        return self._watch(req, ledger, record)

    def _ensure_job(
        self, req: Request, ledger: Ledger, record: RequestRecord, etag: str, *, fresh: bool
    ) -> tuple[str, str | None]:
        """The request's job, created now unless the record (or a search by name) already has one.

        `fresh`: this delivery wrote the record just now, so no earlier delivery can have made a job.
        """
        if record.job_id is not None:
            return etag, None
        jobs = self._jobs(req)
        found = None if fresh else jobs.find_by_name(record.job_name, not_before=record.created_at - 60.0)
        url: str | None = None
        if found is not None:
            record.job_id = found["JobId"]
        else:
            jobs.check_budget()
            etag = self._renew(ledger, record, etag)
            record.job_id, url = jobs.create(
                record.job_name, req.props.logs_role_arn, req.props.password_hashing_algorithm
            )
        return self._renew(ledger, record, etag, force=True), url

    def _upload(
        self, req: Request, ledger: Ledger, record: RequestRecord, etag: str, plan: Plan, url: str | None
    ) -> str:
        job_id = str(record.job_id)
        if plan.path is None:
            raise ImportFailed(f"import job {job_id}: the users to import are gone from the plan")
        # Written before the job starts: how the job's log lines map back to usernames.
        ledger.write_lines(Ledger.job_names_name(job_id), plan.usernames())
        url = url or str(self._jobs(req).describe(job_id).get("PreSignedUrl", ""))
        etag = self._renew(ledger, record, etag)
        upload_csv(url, plan.path)
        logger.info("Uploaded %s users for job %s", plan.rows - plan.skipped, job_id)
        record.uploaded = True
        record.skipped_before_job = plan.skipped
        record.not_applied = plan.not_applied
        record.pool_name = plan.pool_name
        return self._renew(ledger, record, etag, force=True)

    def _renew(self, ledger: Ledger, record: RequestRecord, etag: str, *, force: bool = False) -> str:
        """Extend this delivery's claim (and save the record); ConflictError when another delivery has
        taken it over. A claim with more than half its time left needs no renewal: nobody takes over a
        live claim, and every step between two renewals is shorter than half a claim."""
        now = self._now()
        if not force and record.claim_until - now > self._claim_seconds / 2:
            return etag
        record.claim_until = now + self._claim_seconds
        return ledger.write_json(Ledger.request_name(record.request_id), record.to_json(), etag=etag)

    def _follow(self, req: Request, ledger: Ledger, record: RequestRecord, etag: str | None) -> Result:
        """Another delivery's request: wait for its job or answer, take it over once its claim lapses."""
        jobs = self._jobs(req)
        while True:
            if record.answer is not None:
                return Answer.from_json(record.answer)
            if record.imported is not None:
                return self._accounts(req, ledger)
            job_id = record.job_id
            if job_id is None:
                found = jobs.find_by_name(record.job_name, not_before=record.created_at - 60.0)
                job_id = found["JobId"] if found is not None else None
            if job_id is not None and jobs.describe(job_id)["Status"] != "Created":
                record.job_id = job_id
                return self._watch(req, ledger, record)
            if record.claim_until <= self._now() and etag is not None:
                record.owner = req.owner
                try:
                    etag = self._renew(ledger, record, etag, force=True)
                except ConflictError:
                    record, etag = _read_record(ledger, req)
                    continue
                logger.info("The request's earlier delivery stopped; this one takes over")
                return self._drive(req, ledger, record, etag, None)
            if not req.keep_waiting():
                return HandOver(job_id or req.physical_id or "", {"JobId": job_id or ""})
            self._sleep(self._poll_seconds)
            record, etag = _read_record(ledger, req)

    # Watching and concluding ------------------------------------------------------------------------

    def _watch(self, req: Request, ledger: Ledger, record: RequestRecord) -> Result:
        job_id = str(record.job_id)
        try:
            job = self._jobs(req).wait(job_id, deadline=record.deadline, keep_waiting=req.keep_waiting)
        except DeadlineReached as error:
            return self._fail(req, ledger, record, str(error))
        if job is None:
            logger.info("Import job %s is still running; scheduled polling takes over", job_id)
            return HandOver(job_id, {"JobId": job_id})
        result = self._conclude(req, ledger, record, job)
        return self._store(req, ledger, result) if isinstance(result, Answer) else result

    def _conclude(
        self, req: Request, ledger: Ledger, record: RequestRecord, job: UserImportJobTypeTypeDef
    ) -> Result:
        figures = Figures.from_job(
            job, skipped_before_job=record.skipped_before_job, not_applied=record.not_applied
        )
        rows = read_job_rows(self._clients, ledger, req.props, record.pool_name, job)
        # Which users are the resource's own: what removal and ExistingUsers.FAIL go by.
        ledger.write_lines(Ledger.job_created_name(figures.job_id), rows.created)
        if figures.status == "Succeeded" and figures.failed <= req.props.max_failed_users:
            logger.info("Import job %s succeeded: %s", figures.job_id, figures.summary())
            if record.steps:
                return self._accounts(req, ledger, {"physical_id": figures.job_id, "data": figures.as_data()})
            state = ResourceState.from_json(ledger.read_json(STATE)[0])
            applied = Applied(req.request_id, req.props.to_properties(), figures.job_id, figures.as_data())
            save_state(ledger, state.after(applied))
            return Answer(SUCCESS, figures.job_id, figures.as_data())
        for row in rows.failing:
            logger.error("Failed row: %s", row)
        for row in rows.skipped:
            logger.warning("Skipped row (not applied): %s", row)
        reason = failure_reason(
            figures,
            job_name=req.props.job_name,
            source_name=req.props.source_name,
            failing_rows=rows.failing,
            skipped_rows=rows.skipped,
            max_failed_users=req.props.max_failed_users,
        )
        return Answer(FAILED, self._failed_physical_id(req, figures.job_id), figures.as_data(), reason)

    def _failed_physical_id(self, req: Request, job_id: str | None) -> str:
        # After a failed Create, CloudFormation's Delete names this id: let it reach (and stop) the job.
        if req.request_type == "Create":
            return job_id or f"failed:{req.props.user_pool_id}:{req.props.job_name}"
        return req.physical_id or ""

    def _fail(self, req: Request, ledger: Ledger, record: RequestRecord, reason: str) -> Answer:
        """A request that cannot succeed: stop its job first (a failed Update leaves nothing running)."""
        if record.job_id is not None:
            with contextlib.suppress(ClientError, BotoCoreError):
                self._jobs(req).stop(record.job_id)
        job = f"Import job {record.job_id} ({req.props.job_name}): " if record.job_id else ""
        answer = Answer(FAILED, self._failed_physical_id(req, record.job_id), reason=f"{job}{reason}")
        return self._store(req, ledger, answer)

    def _store(self, req: Request, ledger: Ledger, answer: Answer) -> Answer:
        """Record the answer so every later delivery sends the same; the first one stored wins."""
        name = Ledger.request_name(req.request_id)
        while True:
            found, etag = ledger.read_json(name)
            if found is None:
                return answer
            if found.get("answer"):
                return Answer.from_json(found["answer"])
            found["answer"] = asdict(answer)
            with contextlib.suppress(ConflictError):
                ledger.write_json(name, found, etag=etag)
                return answer

    # After the import: the account steps ------------------------------------------------------------

    def _accounts(self, req: Request, ledger: Ledger, imported: dict[str, Any] | None = None) -> Result:
        """Apply the request's account steps once its import part is over (`imported`: its outcome).

        One delivery applies them at a time (the claim); another waits, or takes over once it lapses.
        """
        record, etag = _read_record(ledger, req)
        while True:
            if record.answer is not None:
                return Answer.from_json(record.answer)
            theirs = record.imported is not None and record.owner != req.owner
            if theirs and record.claim_until > self._now():
                physical_id = str(record.imported["physical_id"]) if record.imported else ""
                if not req.keep_waiting():
                    return HandOver(physical_id, {"JobId": record.job_id or ""})
                self._sleep(self._poll_seconds)
                record, etag = _read_record(ledger, req)
                continue
            record.imported = record.imported or imported
            record.owner = req.owner
            try:
                etag = self._renew(ledger, record, str(etag), force=True)
            except ConflictError:
                record, etag = _read_record(ledger, req)
                continue
            return self._apply_steps(req, ledger, record, etag)

    def _apply_steps(self, req: Request, ledger: Ledger, record: RequestRecord, etag: str) -> Result:
        steps = [Step.from_line(line) for line in ledger.read_lines(Ledger.steps_name(req.request_id)) or []]
        progress = StepProgress(**record.progress) if record.progress else StepProgress()
        latest = [etag]

        def save(now: StepProgress) -> None:
            record.progress = asdict(now)
            latest[0] = self._renew(ledger, record, latest[0], force=True)

        try:
            runner = StepRunner(
                self._clients.cognito, req.props.user_pool_id, self._passwords(req, record, steps)
            )
            done = runner.run(
                steps,
                progress,
                keep_going=lambda: req.keep_waiting() and self._now() < record.deadline,
                save=save,
                now=self._now,
            )
        except ConflictError:
            logger.info("Another delivery of this request took the account steps over: following it")
            return self._follow(req, ledger, *_read_record(ledger, req))
        except (ImportFailed, ClientError, BotoCoreError) as error:
            return self._fail(req, ledger, record, f"applying the account steps: {error}")
        if done:
            return self._finish_accounts(req, ledger, record, progress, len(steps))
        if self._now() >= record.deadline:
            applied = f"{progress.steps_done()} of {len(steps)}"
            reason = f"the resource's timeout ended with {applied} account steps applied"
            return self._fail(req, ledger, record, reason)
        record.claim_until = self._now()  # released: the next poll goes on at once
        ledger.write_json(Ledger.request_name(record.request_id), record.to_json(), etag=latest[0])
        physical_id = str(record.imported["physical_id"]) if record.imported else ""
        logger.info("Applied %s of %s account steps; polling goes on", progress.steps_done(), len(steps))
        return HandOver(physical_id, {"JobId": record.job_id or ""})

    def _passwords(self, req: Request, record: RequestRecord, steps: list[Step]) -> dict[str, str]:
        """The secret's passwords (the version planned), read only when a step sets one."""
        arn = req.props.passwords_secret_arn
        if not arn or not any(step.op == PASSWORD for step in steps):
            return {}
        return dict(read_passwords(self._clients.secrets, arn, record.passwords_version or None).by_username)

    def _finish_accounts(
        self, req: Request, ledger: Ledger, record: RequestRecord, progress: StepProgress, total: int
    ) -> Answer:
        imported = record.imported or {}
        physical_id = str(imported.get("physical_id", ""))
        data = {**imported.get("data", {}), **progress.as_data()}
        logger.info("Account steps done: %s", progress.as_data())
        failures, count = _account_failures(progress, int(data.get("FailedUsers", "0") or 0))
        if count:
            for failure in failures:
                logger.error("Failed account step: %s", failure)
            reason = accounts_failure_reason(data, failures, count, total)
            job_id = physical_id if is_job_id(physical_id) else None
            answer = Answer(FAILED, self._failed_physical_id(req, job_id), data, reason)
        else:
            state = ResourceState.from_json(ledger.read_json(STATE)[0])
            applied = Applied(
                req.request_id, req.props.to_properties(), physical_id, data, record.passwords_version
            )
            save_state(ledger, state.after(applied))
            answer = Answer(SUCCESS, physical_id, data)
        answer = self._store(req, ledger, answer)
        ledger.delete([Ledger.steps_name(req.request_id)])
        return answer

    # Delete ----------------------------------------------------------------------------------------

    def delete(self, req: Request) -> Answer:
        """Stop the resource's job if it still runs (the pool cannot be deleted while it does).

        Only the resource's final Delete (its current physical id) does more: it removes the users the
        resource's jobs created when asked to, then the resource's ledger. The Delete CloudFormation
        sends for an old physical id after an update replaced it removes nothing.
        """
        physical_id = req.physical_id or ""
        self._pace(req)
        ledger = self.ledger(req)
        current = ResourceState.from_json(ledger.read_json(STATE)[0]).current
        if is_job_id(physical_id):
            status = self._jobs(req).stop_and_wait(physical_id, keep_waiting=req.keep_waiting)
            logger.info("Import job %s is %s", physical_id, status)
        if current is not None and current.physical_id != physical_id:
            logger.info("%s was replaced by %s: nothing removed", physical_id, current.physical_id)
            return Answer(SUCCESS, physical_id)
        if req.props.remove_users_on_delete:
            remove_users(self._clients.cognito, req.props.user_pool_id, ledger.owned_usernames())
        ledger.delete_all()
        return Answer(SUCCESS, physical_id)

    def fail_hand_over(self, req: Request, reason: str) -> Answer:
        """crhelper could not schedule the polls: stop the job and fail, with the reason stored."""
        ledger = self.ledger(req)
        record, _ = _read_record(ledger, req)
        return self._fail(req, ledger, record, f"scheduling the polls failed: {reason}")


def save_state(ledger: Ledger, state: ResourceState) -> None:
    """Write what is applied now, and drop the row digests of files neither state refers to (about
    8 bytes a row each: a seed deployed many times would keep them all otherwise)."""
    ledger.write_json(STATE, state.to_json())
    hashes = {a.properties.get("SourceHash", "") for a in (state.current, state.previous) if a}
    kept = {Ledger.digests_name(h) for h in hashes} | {Ledger.groups_name(h) for h in hashes}
    stale = [name for under in ("digests/", "groups/") for name in ledger.names(under) if name not in kept]
    ledger.delete(stale)


def remove_users(cognito: Any, user_pool_id: str, usernames: set[str]) -> int:
    """Delete these users; one already gone (a repeated Delete, a person) is fine."""
    removed = 0
    for username in sorted(usernames):
        try:
            cognito.admin_delete_user(UserPoolId=user_pool_id, Username=username)
            removed += 1
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "ResourceNotFoundException":
                break  # the pool itself is gone
            if code != "UserNotFoundException":
                raise
    logger.info("Removed %s users this resource imported from pool %s", removed, user_pool_id)
    return removed


def _account_failures(progress: StepProgress, failed_rows: int) -> tuple[list[str], int]:
    """The failed steps, plus users not found when more are missing than rows failed in the job."""
    failures, count = list(progress.failures), progress.failure_count
    if progress.missing_users > failed_rows:
        names = ", ".join(progress.missing)
        failures.append(
            f"{plural(progress.missing_users, 'user')} not found in the pool after the import: {names}"
        )
        count += 1
    return failures, count


def _read_record(ledger: Ledger, req: Request) -> tuple[RequestRecord, str | None]:
    found, etag = ledger.read_json(Ledger.request_name(req.request_id))
    if found is None:
        raise ImportFailed("the request's ledger record is gone")
    return RequestRecord.from_json(found), etag


def _same_source(a: ImportProperties, b: ImportProperties) -> bool:
    """Nothing to apply: same users, same pool, and nothing that changes what applies to them. With
    a passwords secret there may be a new version of it: never the same without reading it."""
    keys = ("user_pool_id", "source_bucket", "source_key", "source_version", "source_hash")
    same = all(getattr(a, key) == getattr(b, key) for key in keys)
    return same and not b.passwords_secret_arn and _rows_carry_over(a, b)


def _rows_carry_over(applied: ImportProperties, new: ImportProperties) -> bool:
    """Rows unchanged since the applied file need nothing, unless the change asks more of them: a new
    pool, a switch to ExistingUsers.UPDATE, another passwords secret."""
    switched_to_update = (
        new.existing_users is ExistingUsers.UPDATE and applied.existing_users is not ExistingUsers.UPDATE
    )
    return (
        applied.user_pool_id == new.user_pool_id
        and not switched_to_update
        and applied.passwords_secret_arn == new.passwords_secret_arn
    )
