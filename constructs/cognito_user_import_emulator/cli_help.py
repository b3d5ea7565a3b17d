"""Help text of ``cognito-user-import emulator``, for the CLI's argument parser.

Importing this module loads no moto (the package's names are imported lazily), so the CLI can build
its parser cheaply.
"""

from __future__ import annotations

#: ``description=`` of the ``emulator`` sub-command.
EMULATOR_DESCRIPTION = (
    "Serve the local Cognito import-job emulator (moto server plus the six import-job operations) on "
    "HOST:PORT until Ctrl-C or SIGTERM. AWS-quota mode is on: Cognito's request-rate quotas are "
    "enforced and each Cognito call takes about 30 ms."
)

#: ``epilog=`` of the ``emulator`` sub-command (use argparse.RawDescriptionHelpFormatter to keep lines).
EMULATOR_EPILOG = """\
AWS-quota mode (setting aws_quotas, on by default): token buckets per quota category, per account and
region, as on Cognito's quotas page: UserPoolResourceUpdate 15/s (Create/Start/StopUserImportJob),
UserPoolResourceRead 20/s (Describe/ListUserImportJobs, GetCSVHeader, DescribeUserPool; ListGroups and
GetGroup by this project's reading), both also 5/s per operation per user pool (not ListGroups or
GetGroup); UserList 30/s; UserRead 120/s; UserUpdate 25/s; UserAccountRecovery 30/s; UserCreation 50/s;
UserAuthentication 120/s (AdminInitiateAuth, InitiateAuth); 10 reads and 10 writes a second per user. A
call over a quota gets HTTP 400 TooManyRequestsException. call_latency_seconds (null = 0.03 s with
quotas on, 0 without) delays each Cognito call.

Control endpoints (JSON over HTTP on the same port):
  GET  /_emulator/health
  GET  /_emulator/settings     POST {"aws_quotas": false, "call_latency_seconds": 0, ...} changes them
  GET  /_emulator/faults       POST {"throttle": {"DescribeUserImportJob": 2}}, {"fail_uploads": 1},
                               {"fail_next_jobs": 1} or {"clear": true}
  GET  /_emulator/calls        per operation calls, throttled, peak_rps; per category quota_rps, peak_rps
  POST /_emulator/calls        {"reset": true} clears the counts
  POST /_emulator/expire       every never-started job turns Expired
  POST /_emulator/reset        state, jobs, faults, counts and settings back to the start

Example: curl -sS -X POST -d '{"aws_quotas": false}' http://127.0.0.1:2646/_emulator/settings
"""
