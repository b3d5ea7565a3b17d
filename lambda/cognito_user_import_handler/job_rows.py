"""What a finished job did to each row: which users it created, which rows failed and why.

Cognito's log names rows by line number only; the ledger's list of the usernames the job was given,
in upload order, maps those lines back to usernames, in any container (no local file is needed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cognito_user_csv.reading import iter_usernames

from .clients import AwsClients
from .job_log import RowResult, first_data_line, read_row_results
from .ledger import Ledger
from .planning import open_source
from .properties import ImportProperties
from .report import FailingRow


@dataclass(frozen=True)
class JobRows:
    created: list[str]
    """Usernames of the rows the job imported (its SUCCEEDED lines)."""
    failing: list[FailingRow]
    skipped: list[FailingRow]
    """Rows Cognito skipped (the user exists): their changes were not applied."""


def map_rows(
    results: Sequence[RowResult], names: Sequence[str], outcome: str = "FAILED"
) -> tuple[list[str], list[tuple[RowResult, str | None]]]:
    """(Created usernames, the `outcome` rows with their usernames) from the log lines and upload order."""
    offset = first_data_line(list(results))  # the first user's line number as Cognito writes it

    def name_at(line: int) -> str | None:
        index = line - offset
        return names[index] if 0 <= index < len(names) else None

    created = [name for r in results if r.outcome == "SUCCEEDED" and (name := name_at(r.line))]
    picked = [(r, name_at(r.line)) for r in results if r.outcome == outcome]
    return created, picked


def read_job_rows(
    clients: AwsClients, ledger: Ledger, props: ImportProperties, pool_name: str, job: Mapping[str, Any]
) -> JobRows:
    job_id = str(job["JobId"])
    names = ledger.read_lines(Ledger.job_names_name(job_id)) or []
    results = read_row_results(clients.logs, props.user_pool_id, pool_name, job_id)
    created, failed = map_rows(results, names)
    _, skipped = map_rows(results, names, "SKIPPED")
    if (
        not results
        and job["Status"] == "Succeeded"
        and not job.get("SkippedUsers")
        and not job.get("FailedUsers")
    ):
        created = list(names)  # no readable log, but every row was imported
    named = {name for _, name in failed + skipped if name}
    lines = _source_lines(clients, props, named)

    def rows(picked: list[tuple[RowResult, str | None]]) -> list[FailingRow]:
        return [FailingRow(lines.get(name) if name else None, name, r.reason) for r, name in picked]

    return JobRows(created, rows(failed), rows(skipped))


def _source_lines(clients: AwsClients, props: ImportProperties, usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    with open_source(clients, props) as body:
        return {name: line for line, name in iter_usernames(body) if name in usernames}
