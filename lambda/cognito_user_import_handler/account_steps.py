"""Applying the account steps: paced like every Cognito call, resumable, safe to repeat.

Every step is idempotent in Cognito (adding a member twice, setting the same password or value again),
so a step repeated after a lost save costs a call and changes nothing. Progress is saved every few
seconds; an invocation that runs out of time stops between two steps and the next poll goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from .accounts import ADD, ATTRIBUTES, PASSWORD, REMOVE, Step

logger = logging.getLogger(__name__)

FAILURES_KEPT = 30
"""Failures named in the record (and so in the reason); the count covers the rest."""
SAVE_EVERY_SECONDS = 5.0


@dataclass
class StepProgress:
    """How far the steps are, what they changed and what failed: kept in the request record."""

    done: int = 0
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
        """Apply steps from ``progress.done`` on; True once all are done, False when out of time."""
        saved_at = now()
        while progress.done < len(steps):
            if not keep_going():
                save(progress)
                return False
            self._apply(steps[progress.done], progress)
            progress.done += 1
            if now() - saved_at >= SAVE_EVERY_SECONDS:
                save(progress)
                saved_at = now()
        save(progress)
        return True

    def _apply(self, step: Step, progress: StepProgress) -> None:
        try:
            self._call(step)
        except ClientError as error:
            self._failed(step, error, progress)
            return
        if step.op == ATTRIBUTES:
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
