"""redeploy_10k (issue 6): redeploying a 10,000-user seed into a pool that holds them all creates no job.

Setup (timed separately): a fresh pool in an in-process Emulator receives the 10,000 users of the
seed through one import job run directly on the job API (the seed converted to Cognito's dialect with
the handler's ``convert``, uploaded to the pre-signed URL, started), with the emulator's job speed
raised (no pending time, no per-row delay) so the job ends at once.

Measured: the emulator's settings back to its defaults, a cold handler (production poll interval)
gets a Create for a new resource whose file is that seed. From the call to the response PUT's
arrival at the ResponseURL: the response must be SUCCESS with 0 imported and 10,000 skipped, the
pool's ListUserImportJobs count unchanged (still 1), within 30 s.
"""

from __future__ import annotations

import io
import time
import urllib.request

from bench._result import Measurement
from bench._world import LambdaContext, World, cold_handler, create_world, set_aws_environment, user_rows

NAME = "redeploy_10k"
USERS = 10_000
QUICK_USERS = 1_000
LIMIT_SECONDS = 30.0


def _import_directly(world: World, seed: bytes) -> None:
    """One import job for the whole seed, through the job API (not the handler)."""
    from cognito_user_csv.conversion import convert
    from cognito_user_csv.schema import PoolSchema

    cognito = world.client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=world.pool_id)["UserPool"]
    header = cognito.get_csv_header(UserPoolId=world.pool_id)["CSVHeader"]
    sink = io.StringIO()
    result = convert(
        io.BytesIO(seed), sink, schema=PoolSchema.from_describe_user_pool(pool, header), file_name="seed.csv"
    )
    result.raise_for_problems()
    job = cognito.create_user_import_job(
        JobName="bench-setup", UserPoolId=world.pool_id, CloudWatchLogsRoleArn=world.logs_role_arn
    )["UserImportJob"]
    request = urllib.request.Request(
        job["PreSignedUrl"],
        data=sink.getvalue().encode(),
        method="PUT",
        headers={"x-amz-server-side-encryption": "aws:kms", "Content-Type": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=60):
        pass
    cognito.start_user_import_job(UserPoolId=world.pool_id, JobId=job["JobId"])
    while True:
        described = cognito.describe_user_import_job(UserPoolId=world.pool_id, JobId=job["JobId"])[
            "UserImportJob"
        ]
        if described["Status"] in ("Succeeded", "Failed", "Stopped", "Expired"):
            break
        time.sleep(0.2)
    if described["Status"] != "Succeeded" or described["ImportedUsers"] != result.rows:
        raise RuntimeError(f"setup import ended {described['Status']}: {described.get('CompletionMessage')}")


def run(emulator: object, *, quick: bool = False) -> list[Measurement]:
    from cognito_user_import_emulator import Emulator

    assert isinstance(emulator, Emulator)
    users = QUICK_USERS if quick else USERS
    emulator.reset()
    set_aws_environment(emulator.url)
    world = create_world(emulator.url)
    try:
        seed = user_rows(users)
        defaults = emulator.settings.copy()
        started = time.perf_counter()
        emulator.update_settings(pending_seconds=0, seconds_per_row=0, min_run_seconds=0)
        _import_directly(world, seed)
        setup_seconds = time.perf_counter() - started
        emulator.settings.restore(defaults)
        jobs_before = len(world.jobs())

        properties = world.put_source(seed)
        handler = cold_handler()
        invoked_at = time.time()
        handler(world.event("Create", properties), LambdaContext(900.0))
        returned_at = time.time()
        if not world.responses.responses:
            raise RuntimeError("the handler sent no response")
        arrived_at, body = world.responses.arrivals[-1], world.responses.responses[-1]
        jobs_after = len(world.jobs())
    finally:
        world.close()

    data = body.get("Data", {})
    if body["Status"] != "SUCCESS":
        raise RuntimeError(f"the redeploy failed: {body.get('Reason')}")
    if (data.get("ImportedUsers"), data.get("SkippedUsers")) != ("0", str(users)):
        raise RuntimeError(f"expected 0 imported and {users} skipped, got {data}")
    detail = (
        f"{users:,} users; answered {arrived_at - invoked_at:.2f} s after the call (handler returned"
        f" after {returned_at - invoked_at:.2f} s); setup: one import job of {users:,} users in"
        f" {setup_seconds:.1f} s"
    )
    new_jobs = jobs_after - jobs_before
    return [
        Measurement(NAME, "redeploy answered", arrived_at - invoked_at, "s", LIMIT_SECONDS, detail),
        Measurement(
            NAME,
            "new import jobs",
            new_jobs,
            "jobs",
            0,
            f"ListUserImportJobs: {jobs_before} before, {jobs_after} after",
        ),
        Measurement(NAME, "setup (one import job)", setup_seconds, "s", None),
    ]
