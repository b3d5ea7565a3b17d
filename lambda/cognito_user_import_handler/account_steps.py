"""Applying the account steps: paced like every Cognito call, resumable, safe to repeat.

Every step is idempotent in Cognito (adding a member twice, setting the same password or value again),
so a step repeated after a lost save costs a call and changes nothing. Progress is saved every few
seconds; an invocation that runs out of time stops between two steps and the next poll goes on.

The steps run in two lanes at once, one per quota category (passwords: UserAccountRecovery; attributes
and memberships: UserUpdate): one call at a time would wait on each call's latency and reach about half
of what the two quotas allow. Each lane keeps its own place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from .accounts import ADD, ATTRIBUTES, PASSWORD, REMOVE, Step

logger = logging.getLogger(__name__)

FAILURES_KEPT = 30
"""Failures named in the record (and so in the reason); the count covers the rest."""
SAVE_EVERY_SECONDS = 5.0
PASSWORDS_LANE = "passwords"
UPDATES_LANE = "updates"


def lane_of(step: Step) -> str:
    return PASSWORDS_LANE if step.op == PASSWORD else UPDATES_LANE


def lanes(steps: Sequence[Step]) -> dict[str, list[Step]]:
    """The steps of each lane, in file order (the same split every invocation)."""
    split: dict[str, list[Step]] = {}
    for step in steps:
        split.setdefault(lane_of(step), []).append(step)
    return split


@dataclass
class StepProgress:
    """How far the steps are, what they changed and what failed: kept in the request record."""

    done: dict[str, int] = field(default_factory=dict)
    """Steps done in each lane."""
    updated_users: int = 0
    passwords_set: int = 0
    group_memberships: int = 0
    missing_users: int = 0
    missing: list[str] = field(default_factory=list)
    """The first users not found (their rows may have failed in the job), for the reason."""
    failures: list[str] = field(default_factory=list)
    failure_count: int = 0

    def fail(self, step: Step, what: str) -> None:
        self.failure_count += 1
        if len(self.failures) < FAILURES_KEPT:
            self.failures.append(f"line {step.line} ({step.username}): {what}")

    def steps_done(self) -> int:
        return sum(self.done.values())

    def as_data(self) -> dict[str, str]:
        return {
            "UpdatedUsers": str(self.updated_users),
            "PasswordsSet": str(self.passwords_set),
            "GroupMemberships": str(self.group_memberships),
        }


class StepRunner:
    """Makes each step's call on the pool; `passwords` is read from the secret for this invocation."""

    def __init__(self, cognito: Any, user_pool_id: str, passwords: Mapping[str, str]) -> None:
        self._cognito = cognito
        self._pool = user_pool_id
        self._passwords = passwords

    def run(
        self,
        steps: Sequence[Step],
        progress: StepProgress,
        *,
        keep_going: Callable[[], bool],
        save: Callable[[StepProgress], None],
        now: Callable[[], float],
    ) -> bool:
        """Apply the steps not done yet; True once all are done, False when out of time."""
        split = lanes(steps)
        lock = threading.Lock()
        failed = threading.Event()
        saved_at = [now()]

        def work(name: str, lane: list[Step]) -> None:
            while progress.done.get(name, 0) < len(lane) and keep_going() and not failed.is_set():
                step = lane[progress.done.get(name, 0)]
                error = self._call_or_error(step)
                with lock:
                    self._count(step, error, progress)
                    progress.done[name] = progress.done.get(name, 0) + 1
                    if now() - saved_at[0] >= SAVE_EVERY_SECONDS:
                        save(progress)
                        saved_at[0] = now()

        with ThreadPoolExecutor(max_workers=max(1, len(split))) as pool:
            futures = [pool.submit(work, name, lane) for name, lane in split.items()]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                failed.set()  # the other lane stops at its next step
                raise
        save(progress)
        return all(progress.done.get(name, 0) >= len(lane) for name, lane in split.items())

    def _call_or_error(self, step: Step) -> ClientError | None:
        try:
            self._call(step)
        except ClientError as error:
            return error
        return None

    def _count(self, step: Step, error: ClientError | None, progress: StepProgress) -> None:
        if error is not None:
            self._failed(step, error, progress)
        elif step.op == ATTRIBUTES:
            progress.updated_users += 1
        elif step.op == PASSWORD:
            progress.passwords_set += 1
        else:
            progress.group_memberships += 1

    def _call(self, step: Step) -> None:
        user = {"UserPoolId": self._pool, "Username": step.cognito_username}
        if step.op == ATTRIBUTES:
            attributes = [{"Name": name, "Value": value} for name, value in sorted(step.attributes.items())]
            self._cognito.admin_update_user_attributes(**user, UserAttributes=attributes)
        elif step.op == PASSWORD:
            password = self._passwords.get(step.secret_key or step.username)
            if password is None:
                raise _no_password(step)
            self._cognito.admin_set_user_password(**user, Password=password, Permanent=True)
        elif step.op == ADD:
            self._cognito.admin_add_user_to_group(**user, GroupName=step.group)
        elif step.op == REMOVE:
            self._cognito.admin_remove_user_from_group(**user, GroupName=step.group)

    @staticmethod
    def _failed(step: Step, error: ClientError, progress: StepProgress) -> None:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code == "UserNotFoundException":
            # The user's row may have failed in the job (within max_failed_users): counted, and the
            # request fails only when more users are missing than rows failed.
            if step.username not in progress.missing:
                progress.missing_users += 1
                if len(progress.missing) < FAILURES_KEPT:
                    progress.missing.append(step.username)
            return
        message = str(error.response.get("Error", {}).get("Message", ""))
        progress.fail(step, _describe(step, code, message))


def _describe(step: Step, code: str, message: str) -> str:
    what = {
        ATTRIBUTES: f"updating {', '.join(sorted(step.attributes))}",
        PASSWORD: "setting the password",
        ADD: f"adding to group {step.group}",
        REMOVE: f"removing from group {step.group}",
    }[step.op]
    return f"{what} failed: {code}: {message}" if message else f"{what} failed: {code}"


def _no_password(step: Step) -> ClientError:
    return ClientError(
        {"Error": {"Code": "PasswordGone", "Message": "the secret's version no longer lists this user"}},
        "AdminSetUserPassword",
    )
