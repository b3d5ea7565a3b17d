"""The six import-job operations, added as methods to moto's CognitoIdpResponse.

moto dispatches an X-Amz-Target operation to the method named ``camelcase_to_underscores(name)``:
GetCSVHeader -> ``get_csv_header``, CreateUserImportJob -> ``create_user_import_job``, and so on.
Requests reach these methods with the emulator's lock held (see server.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse

from cognito_user_csv.facts import PASSWORD_HASHING_ALGORITHMS  # the API model's enum

from . import pool_rules
from .errors import JSON_CONTENT_TYPE, CognitoError, invalid_parameter, not_found
from .jobs import ImportJob, new_job_id
from .runtime import Runtime, runtime_from

Handler = Callable[[Any], Any]
Answer = tuple[str, dict[str, str]]

MAX_JOBS_PER_POOL = 1000

# (pattern, min length, max length) from the service model; \w and \s are ASCII as in Java.
_JOB_NAME = (re.compile(r"[\w\s+=,.@-]+", re.ASCII), 1, 128)
_JOB_ID = (re.compile(r"import-[0-9a-zA-Z-]+", re.ASCII), 1, 55)
_POOL_ID = (re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII), 1, 55)
_ROLE_ARN = (
    re.compile(
        r"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?",
        re.ASCII,
    ),
    20,
    2048,
)
_TOKEN = (re.compile(r"\S+"), 1, 10_000)
_GUARDED = ("update_user_pool", "delete_user_pool", "add_custom_attributes")
_PATCH_MARK = "_cognito_user_import_emulator"


class _Validator:
    """Collects every problem of a request, worded as Cognito's 'N validation errors detected'."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.problems: list[str] = []

    def _member(self, name: str) -> str:
        return name[0].lower() + name[1:]

    def _null(self, name: str) -> None:
        member = self._member(name)
        self.problems.append(
            f"Value null at '{member}' failed to satisfy constraint: Member must not be null"
        )

    def string(self, name: str, rule: tuple[re.Pattern[str], int, int], required: bool = True) -> str:
        pattern, low, high = rule
        value = self.params.get(name)
        if value is None:
            if required:
                self._null(name)
            return ""
        if not isinstance(value, str):
            self.problems.append(
                f"Value at '{self._member(name)}' failed to satisfy constraint: Member must be a string"
            )
            return ""
        if not low <= len(value) <= high:
            self.problems.append(
                f"Value '{value}' at '{self._member(name)}' failed to satisfy constraint: "
                f"Member must have length between {low} and {high}"
            )
        elif not pattern.fullmatch(value):
            self.problems.append(
                f"Value '{value}' at '{self._member(name)}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern.pattern}"
            )
        return value

    def integer(self, name: str, low: int, high: int) -> int:
        value = self.params.get(name)
        if value is None:
            self._null(name)
            return low
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(
                f"Value at '{self._member(name)}' failed to satisfy constraint: Member must be a number"
            )
            return low
        if value < low:
            self.problems.append(
                f"Value '{value}' at '{self._member(name)}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {low}"
            )
        elif value > high:
            self.problems.append(
                f"Value '{value}' at '{self._member(name)}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {high}"
            )
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        value = self.params.get(name)
        if value is not None and value not in choices:
            self.problems.append(
                f"Value '{value}' at '{self._member(name)}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(choices)}]"
            )
        return value if isinstance(value, str) else None

    def check(self) -> None:
        if self.problems:
            count = len(self.problems)
            noun = "validation error" if count == 1 else "validation errors"
            raise invalid_parameter(f"{count} {noun} detected: " + "; ".join(self.problems))


def _params(response: Any) -> dict[str, Any]:
    # The middleware refuses such bodies first (protocol.py); this covers moto reached some other way.
    try:
        params = json.loads(response.body or "{}")
    except ValueError:
        raise CognitoError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise CognitoError("SerializationException", "The request body must be a JSON object.")
    return params


def _runtime(response: Any) -> Runtime:
    return runtime_from(response.normalized_request.environ)


def _answer(body: dict[str, Any]) -> Answer:
    return json.dumps(body), {"Content-Type": JSON_CONTENT_TYPE}


def _pool(response: Any, pool_id: str) -> CognitoIdpUserPool:
    pool: CognitoIdpUserPool = response.backend.describe_user_pool(pool_id)  # ResourceNotFoundException
    return pool


def _job(response: Any, params: dict[str, Any]) -> ImportJob:
    check = _Validator(params)
    pool_id = check.string("UserPoolId", _POOL_ID)
    job_id = check.string("JobId", _JOB_ID)
    check.check()
    _pool(response, pool_id)
    job = _runtime(response).store.find(response.current_account, response.region, pool_id, job_id)
    if job is None:
        raise not_found(f"Import job {job_id} does not exist in user pool {pool_id}.")
    return job


def get_csv_header(self: Any) -> Answer:
    check = _Validator(_params(self))
    pool_id = check.string("UserPoolId", _POOL_ID)
    check.check()
    pool = _pool(self, pool_id)
    return _answer({"UserPoolId": pool.id, "CSVHeader": pool_rules.csv_header(pool)})


def create_user_import_job(self: Any) -> Answer:
    check = _Validator(_params(self))
    job_name = check.string("JobName", _JOB_NAME)
    pool_id = check.string("UserPoolId", _POOL_ID)
    role_arn = check.string("CloudWatchLogsRoleArn", _ROLE_ARN)
    algorithm = check.choice("PasswordHashingAlgorithm", PASSWORD_HASHING_ALGORITHMS)
    check.check()
    _pool(self, pool_id)
    runtime = _runtime(self)
    if len(runtime.store.for_pool(self.current_account, self.region, pool_id)) >= MAX_JOBS_PER_POOL:
        raise CognitoError(
            "LimitExceededException",
            f"User pool {pool_id} has reached its quota of {MAX_JOBS_PER_POOL} import jobs "
            "(jobs cannot be deleted).",
        )
    now = time.time()
    ttl = runtime.store.settings.upload_url_ttl_seconds
    job = ImportJob(
        account_id=self.current_account,
        region=self.region,
        job_id=new_job_id(),
        job_name=job_name,
        pool_id=pool_id,
        role_arn=role_arn,
        password_hashing_algorithm=algorithm,
        created_at=now,
        upload_expires_at=now + ttl,
    )
    environ = self.normalized_request.environ
    base_url = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', 'localhost')}"
    job.presigned_url = runtime.signer.url(
        base_url, self.current_account, self.region, pool_id, job.job_id, ttl
    )
    runtime.store.add(job)
    return _answer({"UserImportJob": job.to_json()})


def start_user_import_job(self: Any) -> Answer:
    job = _job(self, _params(self))
    _runtime(self).store.start(job)
    return _answer({"UserImportJob": job.to_json()})


def describe_user_import_job(self: Any) -> Answer:
    return _answer({"UserImportJob": _job(self, _params(self)).to_json()})


def stop_user_import_job(self: Any) -> Answer:
    job = _job(self, _params(self))
    _runtime(self).store.stop(job)
    return _answer({"UserImportJob": job.to_json()})


def list_user_import_jobs(self: Any) -> Answer:
    check = _Validator(_params(self))
    pool_id = check.string("UserPoolId", _POOL_ID)
    max_results = check.integer("MaxResults", 1, 60)
    token = check.string("PaginationToken", _TOKEN, required=False)
    check.check()
    _pool(self, pool_id)
    jobs = _runtime(self).store.for_pool(self.current_account, self.region, pool_id)
    start = 0
    if token:
        # The token names the first job of the next page; jobs are never deleted, so it stays valid.
        try:
            first = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError):
            first = ""
        start = next((index for index, job in enumerate(jobs) if job.job_id == first), -1)
        if start < 0:
            raise invalid_parameter("The pagination token is invalid.")
    page = jobs[start : start + max_results]
    body: dict[str, Any] = {"UserImportJobs": [job.to_json() for job in page]}
    if start + max_results < len(jobs):
        body["PaginationToken"] = base64.urlsafe_b64encode(jobs[start + max_results].job_id.encode()).decode()
    return _answer(body)


def _guard(original: Handler) -> Handler:
    """Refuse changes to a pool while one of its import jobs runs, as Cognito does."""

    def guarded(self: Any) -> Any:
        pool_id = _params(self).get("UserPoolId")
        if isinstance(pool_id, str):
            job = _runtime(self).store.active_on_pool(pool_id)
            if job is not None:
                raise CognitoError(
                    "UserImportInProgressException",
                    f"User import job {job.job_id} is {job.status} in user pool {pool_id}; "
                    "the pool cannot change until it ends.",
                )
        return original(self)

    setattr(guarded, _PATCH_MARK, True)
    guarded.__name__ = original.__name__
    return guarded


OPERATIONS: dict[str, Handler] = {
    "get_csv_header": get_csv_header,
    "create_user_import_job": create_user_import_job,
    "start_user_import_job": start_user_import_job,
    "describe_user_import_job": describe_user_import_job,
    "list_user_import_jobs": list_user_import_jobs,
    "stop_user_import_job": stop_user_import_job,
}


def install() -> None:
    """Add the operations to moto's Cognito responses; safe to call more than once."""
    for name, function in OPERATIONS.items():
        setattr(CognitoIdpResponse, name, function)
    for name in _GUARDED:
        current = getattr(CognitoIdpResponse, name)
        if not getattr(current, _PATCH_MARK, False):
            setattr(CognitoIdpResponse, name, _guard(current))
