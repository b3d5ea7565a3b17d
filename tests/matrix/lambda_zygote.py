"""Runs Lambda invocations of the real handler, each in a process of its own, fast.

Started once per test session with the runtime's environment (AWS_ENDPOINT_URL, AWS_REGION, ...).
It imports the handler once, then forks a fresh child per invocation, so a cell pays milliseconds,
not an interpreter start, per invocation. The zygote itself makes no AWS call and starts no thread
before it forks. Protocol, one JSON object a line: in, {"event": PATH, "tmp": DIR, "out": PATH,
"timeout": S, "claim_seconds": S, "kill_after": N, "call_log": PATH|null}; out, {"pid": P} at once
and {"pid": P, "exit": C} when the child has ended. A child exits 137 right after its N-th AWS call
when kill_after is N: the call's effect happened, its answer is lost with the process.
"""

from __future__ import annotations

import json
import os
import select
import sys
import time
from typing import Any

KILLED = 137


class Context:
    def __init__(self, timeout: float) -> None:
        self._deadline = time.monotonic() + timeout
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.aws_request_id = "matrix"
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = os.environ["MATRIX_FUNCTION_ARN"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def count_calls(kill_after: int, call_log: str | None) -> None:
    """Count every AWS call (botocore operations and the pre-signed upload); exit abruptly on cue."""
    from botocore.client import BaseClient

    from cognito_user_import_handler import service

    count = 0

    def called(operation: str) -> None:
        nonlocal count
        count += 1
        if call_log:
            with open(call_log, "a", encoding="utf-8") as log:
                log.write(operation + "\n")
        if count == kill_after:
            os._exit(KILLED)

    make_api_call = BaseClient._make_api_call
    upload = service.upload_csv

    def counted(self: Any, operation_name: str, api_params: Any) -> Any:
        try:
            return make_api_call(self, operation_name, api_params)
        finally:
            called(operation_name)

    def counted_upload(url: str, path: str) -> None:
        try:
            upload(url, path)
        finally:
            called("Upload")

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    service.upload_csv = counted_upload  # type: ignore[assignment]


def run_child(order: dict[str, Any]) -> None:
    from cognito_user_import_handler import index, planning

    out = os.open(order["out"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    planning.WORK_DIR = os.path.join(order["tmp"], "cognito-user-import")  # this container's /tmp
    index.service()._claim_seconds = float(order["claim_seconds"])
    count_calls(int(order.get("kill_after") or 0), order.get("call_log"))
    with open(order["event"], encoding="utf-8") as stream:
        event = json.load(stream)
    try:
        index.handler(event, Context(float(order["timeout"])))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(0)


def main() -> None:
    from cognito_user_import_handler import index
    from cognito_user_import_handler.clients import AwsClients
    from cognito_user_import_handler.service import ImportService

    # Built once, inherited by every child: like a warm container's first state, without a call made.
    clients = AwsClients()
    index._service = ImportService(
        clients,
        poll_seconds=float(os.environ["MATRIX_POLL_SECONDS"]),
    )
    index.resource()
    for client in ("cognito", "cognito_once", "s3", "logs"):
        getattr(clients, client)
    children: set[int] = set()
    while True:
        readable, _, _ = select.select([sys.stdin], [], [], 0.02)
        if readable:
            line = sys.stdin.readline()
            if not line:
                return
            pid = os.fork()
            if pid == 0:
                run_child(json.loads(line))
            children.add(pid)
            print(json.dumps({"pid": pid}), flush=True)
        for pid in list(children):
            ended, status = os.waitpid(pid, os.WNOHANG)
            if ended:
                children.discard(pid)
                print(json.dumps({"pid": pid, "exit": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    main()
