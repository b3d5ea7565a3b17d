"""CloudFormation's and Lambda's side of the lifecycle x delivery matrix.

Every invocation of the real handler runs in a process of its own (invoke_once.py) against the
emulator, the way Lambda runs it: delivered once, twice in a row, twice at once, killed right after
any AWS call and delivered again, or followed by a late scheduled poll. The checks are what a person
would notice: the answers CloudFormation got, the jobs in the pool, its users, and what is left over.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handler_world import FUNCTION_ARN, FUNCTION_NAME, World, create_world

from cognito_user_import_emulator import Emulator

ZYGOTE = Path(__file__).with_name("lambda_zygote.py")
KILLED = 137
FAST = {"MATRIX_POLL_SECONDS": "0.1"}
"""A short wait for a fast suite: the job is polled every 0.1 s."""
LAMBDA_TIMEOUT = 14.0
SETTLE_SECONDS = 60.0


def request_token(event: dict[str, Any]) -> str:
    """The token the handler puts in the names of the request's jobs (index.job_name_for)."""
    identity = "|".join((event["StackId"], event["LogicalResourceId"], event["RequestId"]))
    return hashlib.sha256(identity.encode()).hexdigest()[:10]


class Zygote:
    """The forking runner (lambda_zygote.py) for a session: one process a invocation, started fast."""

    def __init__(self, environment: dict[str, str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(ZYGOTE)],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._exits: dict[int, int] = {}
        self._started: queue.Queue[int] = queue.Queue()
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            message = json.loads(line)
            if "exit" in message:
                with self._changed:
                    self._exits[message["pid"]] = message["exit"]
                    self._changed.notify_all()
            else:
                self._started.put(message["pid"])

    def start(self, order: dict[str, Any]) -> int:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(order) + "\n")
        self._process.stdin.flush()
        return self._started.get(timeout=30)

    def wait(self, pid: int, timeout: float = 120.0) -> int:
        with self._changed:
            assert self._changed.wait_for(lambda: pid in self._exits, timeout=timeout), "invocation hung"
            return self._exits.pop(pid)

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)


def runtime_environment(emulator: Emulator) -> dict[str, str]:
    """What the Lambda runtime gives the function, pointed at the emulator, plus the matrix's waits."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_ENDPOINT_URL": emulator.url,
        "AWS_REGION": emulator.region,
        "AWS_DEFAULT_REGION": emulator.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
        "MATRIX_FUNCTION_ARN": FUNCTION_ARN,
        "POLL_RULE_PREFIX": "cui-matrix-",
        **FAST,
    }


@dataclass
class Cell:
    """One cell's world: the emulator, a pool with its resources, and every invocation made."""

    emulator: Emulator
    zygote: Zygote
    world: World
    work_dir: Path
    timeout: float = LAMBDA_TIMEOUT
    """The function's timeout in seconds: the handler stops waiting 10 s before it."""
    claim_seconds: float = 1.0
    """How long a delivery's claim lasts: long enough for any one step, even two deliveries at once."""
    exits: list[tuple[int, Path]] = field(default_factory=list)
    """(exit code, TMPDIR) of each invocation."""

    # Invoking --------------------------------------------------------------------------------------

    def start(self, event: dict[str, Any], *, kill_after: int = 0, call_log: Path | None = None) -> Any:
        run_dir = self.work_dir / f"run-{len(self.exits)}-{uuid.uuid4().hex[:6]}"
        (run_dir / "tmp").mkdir(parents=True)
        event_path = run_dir / "event.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        order = {
            "event": str(event_path),
            "tmp": str(run_dir / "tmp"),
            "out": str(run_dir / "out.log"),
            "timeout": self.timeout,
            "claim_seconds": self.claim_seconds,
            "kill_after": kill_after,
            "call_log": str(call_log) if call_log else None,
        }
        return self.zygote.start(order), run_dir

    def finish(self, started: Any) -> int:
        pid, run_dir = started
        code = self.zygote.wait(pid)
        self.exits.append((code, run_dir / "tmp"))
        if code not in (0, KILLED):
            raise AssertionError(f"invocation crashed ({code}):\n{(run_dir / 'out.log').read_text()}")
        return code

    def invoke(self, event: dict[str, Any], **options: Any) -> int:
        return self.finish(self.start(event, **options))

    # CloudFormation's loop ---------------------------------------------------------------------------

    def answers(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        return [r for r in self.world.responses.responses if r["RequestId"] == event["RequestId"]]

    def polls(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        return [p for p in self.world.scheduled_inputs() if p["RequestId"] == event["RequestId"]]

    def settle(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Fire the request's scheduled polls until CloudFormation has an answer; answers the polls fired."""
        fired: list[dict[str, Any]] = []
        deadline = time.monotonic() + SETTLE_SECONDS
        while not self.answers(event):
            assert time.monotonic() < deadline, "the request was never answered"
            for poll in self.polls(event):
                fired.append(poll)
                self.invoke(poll)
            time.sleep(0.1)
        return fired

    def send(self, event: dict[str, Any]) -> dict[str, Any]:
        """A request delivered once and answered (a step before the request under test)."""
        self.invoke(event)
        self.settle(event)
        return self.answers(event)[0]

    # What a person would look at ------------------------------------------------------------------

    def jobs(self, pool_id: str | None = None) -> list[dict[str, Any]]:
        return self.world.jobs(pool_id)

    def jobs_of(self, event: dict[str, Any], pool_id: str | None = None) -> list[dict[str, Any]]:
        token = request_token(event)
        return [job for job in self.jobs(pool_id) if job["JobName"].endswith("." + token)]

    def usernames(self, pool_id: str | None = None) -> set[str]:
        cognito = self.world.client("cognito-idp")
        pages = cognito.get_paginator("list_users").paginate(UserPoolId=pool_id or self.world.pool_id)
        return {user["Username"] for page in pages for user in page["Users"]}

    def leftovers(self) -> list[str]:
        """Poll rules, permissions and converted files an answered request must not leave behind."""
        found = [f"rule for {p['LogicalResourceId']}/{p['RequestId']}" for p in self.world.scheduled_inputs()]
        found += [f"permission {s['Sid']}" for s in self.world.permissions()]
        for code, tmp in self.exits:
            work = tmp / "cognito-user-import"
            if code == 0 and work.exists():
                found += [f"file {name}" for name in os.listdir(work)]
        return found


PRE_EXISTING = "zed"
"""In the pool before any import, and in the files: skipped, never the resource's to remove."""


def new_cell(emulator: Emulator, zygote: Zygote, work_dir: Path) -> Cell:
    """A new pool holding one user already (PRE_EXISTING), with the shared role, bucket and function."""
    world = create_world(emulator.url)
    world.client("cognito-idp").admin_create_user(
        UserPoolId=world.pool_id,
        Username=PRE_EXISTING,
        UserAttributes=[{"Name": "email", "Value": f"{PRE_EXISTING}@example.com"}],
        MessageAction="SUPPRESS",
    )
    return Cell(emulator, zygote, world, work_dir)
