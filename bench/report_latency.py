"""report_latency (issue 3): a job ending within the first invocation is reported at most 5 s after it ends.

The real handler (``cognito_user_import_handler.index.handler``) runs in this process, cold on each
run and with its production poll interval (ImportService's default, 2 s), against an in-process
Emulator. Each run sends a Create for a small file (50 users) and takes the difference between the
wall-clock time the response PUT reached the ResponseURL and the job's ``CompletionDate`` from
DescribeUserImportJob. The emulator's ``min_run_seconds`` is stepped across the runs so the job ends
at different points of the handler's 2-second poll cycle.
"""

from __future__ import annotations

import statistics
import time

from bench._result import Measurement
from bench._world import LambdaContext, cold_handler, create_world, set_aws_environment, user_rows

NAME = "report_latency"
LIMIT_SECONDS = 5.0
USERS = 50


def run(emulator: object, *, quick: bool = False) -> list[Measurement]:
    from cognito_user_import_emulator import Emulator

    assert isinstance(emulator, Emulator)
    runs = 3 if quick else 5
    latencies: list[float] = []
    for n in range(runs):
        emulator.reset()
        # Spread the job's end over the 2 s poll cycle: 1.0, 1.4, 1.8, 2.2, 2.6 s of InProgress.
        emulator.settings.min_run_seconds = 1.0 + 0.4 * n
        set_aws_environment(emulator.url)
        world = create_world(emulator.url)
        try:
            properties = world.put_source(user_rows(USERS))
            handler = cold_handler()
            handler(world.event("Create", properties), LambdaContext(900.0))
            if not world.responses.arrived.wait(30):
                raise RuntimeError("the handler sent no response")
            arrived_at, body = world.responses.arrivals[-1], world.responses.responses[-1]
            if body["Status"] != "SUCCESS":
                raise RuntimeError(f"the import did not succeed: {body.get('Reason')}")
            job_id = body["PhysicalResourceId"]
            job = world.client("cognito-idp").describe_user_import_job(UserPoolId=world.pool_id, JobId=job_id)
            completed = job["UserImportJob"]["CompletionDate"].timestamp()
            latencies.append(arrived_at - completed)
            if len(world.responses.responses) != 1:
                raise RuntimeError("the handler answered more than once")
        finally:
            world.close()
            time.sleep(0.05)
    detail = (
        f"{runs} runs of {USERS} users, poll 2 s; min {min(latencies):.2f} s, "
        f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s"
    )
    return [
        Measurement(NAME, "response after job end (max)", max(latencies), "s", LIMIT_SECONDS, detail),
        Measurement(NAME, "response after job end (median)", statistics.median(latencies), "s", None),
        Measurement(NAME, "response after job end (min)", min(latencies), "s", None),
    ]
