"""Which users a resource imported: for remove_users_on_delete and for ExistingUsers.FAIL.

No record of who was imported survives a job, so a user counts as the resource's when Cognito
created it while one of the resource's jobs (same pool, same job name) was running. Users that
existed before were SKIPPED by those jobs and are older, so they never count.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .clients import AwsClients
from .csv_dialect import iter_usernames
from .existing_users import alias_attributes, username_folder
from .jobs import ImportJobs
from .properties import ImportProperties

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import UserImportJobTypeTypeDef

logger = logging.getLogger(__name__)

Window = tuple[float, float]


def resource_jobs(
    cognito: CognitoIdentityProviderClient, props: ImportProperties
) -> list[UserImportJobTypeTypeDef]:
    jobs = ImportJobs(cognito, props.user_pool_id).iter_jobs()
    return [job for job in jobs if job["JobName"] == props.job_name]


def import_windows(jobs: Sequence[UserImportJobTypeTypeDef]) -> list[Window]:
    now = datetime.fromtimestamp(time.time(), UTC)
    return [
        (job["StartDate"].timestamp(), (job.get("CompletionDate") or now).timestamp() + 1)
        for job in jobs
        if job.get("StartDate") and job.get("ImportedUsers", 0)
    ]


def users_created_in(
    cognito: CognitoIdentityProviderClient, pool: Mapping[str, Any], windows: Sequence[Window]
) -> Iterator[tuple[str, set[str]]]:
    """(Username, the folded names it answers to) of each user created inside one of the windows."""
    if not windows:
        return
    fold = username_folder(pool)
    aliases = alias_attributes(pool)
    for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool["Id"]):
        for user in page.get("Users", []):
            created = user["UserCreateDate"].timestamp()
            if any(start <= created <= end for start, end in windows):
                names = {user["Username"]}
                names |= {a["Value"] for a in user.get("Attributes", []) if a["Name"] in aliases}
                yield user["Username"], {fold(name) for name in names}


def owned_names(
    cognito: CognitoIdentityProviderClient, props: ImportProperties, pool: Mapping[str, Any]
) -> set[str]:
    """The folded names of every user this resource's jobs created."""
    windows = import_windows(resource_jobs(cognito, props))
    return {name for _, names in users_created_in(cognito, pool, windows) for name in names}


def remove_imported_users(clients: AwsClients, props: ImportProperties, physical_id: str) -> int:
    """Delete the users of the resource's file that its jobs created; never anyone else."""
    cognito = clients.cognito
    jobs = resource_jobs(cognito, props)
    current = next((job for job in jobs if job["JobId"] == physical_id), None)
    if current is None:
        logger.info("Job %s is not among this resource's jobs: users kept", physical_id)
        return 0
    if any(job["CreationDate"] > current["CreationDate"] for job in jobs):
        # CloudFormation deletes the old physical id after an Update that ran a new job.
        logger.info("Job %s was replaced by a newer import of this resource: users kept", physical_id)
        return 0
    pool = cognito.describe_user_pool(UserPoolId=props.user_pool_id)["UserPool"]
    fold = username_folder(pool)
    body = clients.s3.get_object(Bucket=props.source_bucket, Key=props.source_key)["Body"]
    with body:
        in_file = {fold(name) for _, name in iter_usernames(body)}
    removed = 0
    for username, names in users_created_in(cognito, pool, import_windows(jobs)):
        if names & in_file:
            cognito.admin_delete_user(UserPoolId=props.user_pool_id, Username=username)
            removed += 1
    logger.info("Removed %s users imported by this resource from pool %s", removed, props.user_pool_id)
    return removed
