"""remove_users_on_delete: delete exactly the users this resource's import jobs created.

No record of who was imported survives the jobs, so a user counts as this resource's when its
username is in the resource's users file AND Cognito created it while one of the resource's jobs
(same pool, same job name) was running: users that existed before were SKIPPED by those jobs and
have older creation dates, so they are never removed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from .clients import AwsClients
from .csv_dialect import iter_usernames
from .existing_users import alias_attributes, username_folder
from .jobs import ImportJobs
from .properties import ImportProperties

logger = logging.getLogger(__name__)


def remove_imported_users(clients: AwsClients, props: ImportProperties, physical_id: str) -> int:
    jobs = [
        job
        for job in ImportJobs(clients.cognito, props.user_pool_id).iter_jobs()
        if job["JobName"] == props.job_name
    ]
    current = next((job for job in jobs if job["JobId"] == physical_id), None)
    if current is None:
        logger.info("Job %s is not among this resource's jobs: users kept", physical_id)
        return 0
    if any(job["CreationDate"] > current["CreationDate"] for job in jobs):
        # CloudFormation deletes the old physical id after an Update that ran a new job.
        logger.info("Job %s was replaced by a newer import of this resource: users kept", physical_id)
        return 0
    windows = [
        (job["StartDate"].timestamp(), (job.get("CompletionDate") or _now()).timestamp() + 1)
        for job in jobs
        if job.get("StartDate") and job.get("ImportedUsers", 0)
    ]
    pool = clients.cognito.describe_user_pool(UserPoolId=props.user_pool_id)["UserPool"]
    fold = username_folder(pool)
    body = clients.s3.get_object(Bucket=props.source_bucket, Key=props.source_key)["Body"]
    with body:
        in_file = {fold(name) for _, name in iter_usernames(body)}
    aliases = alias_attributes(pool)
    removed = 0
    for page in clients.cognito.get_paginator("list_users").paginate(UserPoolId=props.user_pool_id):
        for user in page.get("Users", []):
            names = {user["Username"]} | {
                a["Value"] for a in user.get("Attributes", []) if a["Name"] in aliases
            }
            created = user["UserCreateDate"].timestamp()
            if {fold(n) for n in names} & in_file and any(start <= created <= end for start, end in windows):
                clients.cognito.admin_delete_user(UserPoolId=props.user_pool_id, Username=user["Username"])
                removed += 1
    logger.info("Removed %s users imported by this resource from pool %s", removed, props.user_pool_id)
    return removed


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(time.time(), UTC)
