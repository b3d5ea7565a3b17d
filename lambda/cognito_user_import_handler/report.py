"""What the handler tells CloudFormation: the figures on success, an actionable reason on failure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FAILING_ROWS_IN_REASON = 10
ACCOUNT_FIGURES = ("UpdatedUsers", "PasswordsSet", "GroupMemberships")
"""What the account steps after the import report: users updated, passwords set, memberships changed."""
NOTHING_TO_IMPORT = "NothingToImport"
"""Status reported when every user already exists: no job was created."""


class ImportFailed(RuntimeError):
    """The deployment must fail; str() is the reason CloudFormation shows.

    `job_id` names the job the failure concerns, so the Delete CloudFormation sends after a failed
    Create reaches that job (and stops it if it still runs).
    """

    def __init__(self, reason: str, *, job_id: str | None = None) -> None:
        super().__init__(reason)
        self.job_id = job_id


@dataclass(frozen=True)
class Figures:
    job_id: str
    status: str
    imported: int
    skipped: int
    failed: int
    completion_message: str
    not_applied: str = ""
    """Users that exist whose new or changed rows were left out (SKIP): named, capped."""

    @classmethod
    def from_job(
        cls, job: Mapping[str, Any], *, skipped_before_job: int = 0, not_applied: str = ""
    ) -> Figures:
        return cls(
            job_id=str(job["JobId"]),
            status=str(job["Status"]),
            imported=int(job.get("ImportedUsers", 0)),
            skipped=int(job.get("SkippedUsers", 0)) + skipped_before_job,
            failed=int(job.get("FailedUsers", 0)),
            completion_message=str(job.get("CompletionMessage", "")),
            not_applied=not_applied,
        )

    @classmethod
    def nothing_to_import(
        cls, skipped: int, *, rows: int | None = None, last_job_id: str = "", not_applied: str = ""
    ) -> Figures:
        """No job: the file holds no users, or every one exists or is unchanged since the last deployment.

        JobId stays the resource's last job, as the attribute documents.
        """
        if rows == 0:
            message = "The file holds no users; no job was created."
        else:
            message = "Every user in the file already exists or is unchanged; no job was created."
        return cls(last_job_id, NOTHING_TO_IMPORT, 0, skipped, 0, message, not_applied)

    def as_data(self) -> dict[str, str]:
        """The custom resource's attributes (Fn::GetAtt answers strings)."""
        return {
            "JobId": self.job_id,
            "Status": self.status,
            "ImportedUsers": str(self.imported),
            "SkippedUsers": str(self.skipped),
            "FailedUsers": str(self.failed),
            "CompletionMessage": self.completion_message,
            "NotApplied": self.not_applied,
            # The account steps' figures: none yet (service.py adds them once the steps are done).
            **dict.fromkeys(ACCOUNT_FIGURES, "0"),
        }

    def summary(self) -> str:
        return f"imported {self.imported}, skipped {self.skipped}, failed {self.failed}"


@dataclass(frozen=True)
class FailingRow:
    line: int | None
    username: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "line ?"
        who = f" ({self.username})" if self.username else ""
        return f"{where}{who}: {self.reason}"


def failure_reason(
    figures: Figures,
    *,
    job_name: str,
    source_name: str,
    failing_rows: Sequence[FailingRow],
    max_failed_users: int,
    skipped_rows: Sequence[FailingRow] = (),
) -> str:
    """Name the job, its status, figures and message, then the first failing (or skipped) rows."""
    if figures.status == "Succeeded":
        headline = (
            f"Import job {figures.job_id} ({job_name}) succeeded but {figures.failed} users failed,"
            f" more than max_failed_users={max_failed_users}"
        )
    else:
        headline = f"Import job {figures.job_id} ({job_name}) ended {figures.status}"
    parts = [f"{headline}: {figures.summary()}."]
    if figures.completion_message:
        parts.append(f"Cognito: {figures.completion_message}")
    if failing_rows:
        parts.append(_rows("Failing", source_name, failing_rows))
    if skipped_rows and (not failing_rows or figures.status != "Succeeded"):
        parts.append(_rows("Skipped", source_name, skipped_rows))
    if not failing_rows and not skipped_rows and (figures.failed or figures.status == "Failed"):
        parts.append("The job's CloudWatch log could not be read for the failing rows.")
    return " ".join(parts)


def _rows(kind: str, source_name: str, rows: Sequence[FailingRow]) -> str:
    shown = "; ".join(str(row) for row in rows[:FAILING_ROWS_IN_REASON])
    more = len(rows) - FAILING_ROWS_IN_REASON
    tail = f"; and {more} more (all listed in the handler's log)" if more > 0 else ""
    return f"{kind} rows of {source_name}: {shown}{tail}."


def name_some(names: Sequence[str], total: int, limit: int = 10) -> str:
    """'ana, bo and 3 more': the first names of a list, within a reason's or attribute's room."""
    shown = ", ".join(names[:limit])
    more = total - min(len(names), limit)
    return f"{shown} and {more} more" if more > 0 else shown


def plural(count: int, word: str) -> str:
    """'1 user', '2 users'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def accounts_failure_reason(data: Mapping[str, str], failures: Sequence[str], count: int, total: int) -> str:
    """The import went through, but some account steps failed: name the users, line by line."""
    job = data.get("JobId") or "no job"
    shown = "; ".join(failures[:FAILING_ROWS_IN_REASON])
    more = count - min(len(failures), FAILING_ROWS_IN_REASON)
    tail = f"; and {more} more (see the handler's log)" if more > 0 else ""
    return (
        f"The import ({job}: imported {data.get('ImportedUsers', '0')}, skipped"
        f" {data.get('SkippedUsers', '0')}) went through, but {plural(count, 'account step')} of {total}"
        f" failed: {shown}{tail}"
    )
