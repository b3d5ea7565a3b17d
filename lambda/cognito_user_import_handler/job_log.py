"""Read a finished job's per-row results from its CloudWatch Logs stream."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

logger = logging.getLogger(__name__)

_ROW_LINE = re.compile(
    r"\[(?P<outcome>SUCCEEDED|SKIPPED|FAILED)\]\s+Line Number (?P<line>\d+)\s*-\s*(?P<reason>.*)"
)


@dataclass(frozen=True)
class RowResult:
    outcome: str
    line: int
    """The line number as Cognito wrote it."""
    reason: str


def log_group_prefix(user_pool_id: str) -> str:
    return f"/aws/cognito/userpools/{user_pool_id}/"


def read_row_results(
    logs: CloudWatchLogsClient, user_pool_id: str, pool_name: str, job_id: str
) -> list[RowResult]:
    """Every row line of the job's stream, or [] when the log cannot be read (the report then says so).

    The group is `/aws/cognito/userpools/<pool id>/<pool name>`, but how Cognito writes pool names
    that are not valid log-group characters is unconfirmed: find the stream by its job-id prefix.
    """
    try:
        group = _find_group(logs, user_pool_id, pool_name)
        if group is None:
            return []
        streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job_id}/")
        results: list[RowResult] = []
        for stream in streams.get("logStreams", []):
            results.extend(_read_stream(logs, group, stream["logStreamName"]))
        return results
    except ClientError as error:
        logger.warning("Could not read the job's log: %s", error.response.get("Error", {}).get("Code"))
        return []


def _find_group(logs: CloudWatchLogsClient, user_pool_id: str, pool_name: str) -> str | None:
    expected = log_group_prefix(user_pool_id) + pool_name
    try:
        logs.describe_log_streams(logGroupName=expected, limit=1)
        return expected
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    groups = logs.describe_log_groups(logGroupNamePrefix=log_group_prefix(user_pool_id))
    names = [group["logGroupName"] for group in groups.get("logGroups", [])]
    return names[0] if names else None


def _read_stream(logs: CloudWatchLogsClient, group: str, stream: str) -> list[RowResult]:
    results: list[RowResult] = []
    request: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
    previous_token = None
    while True:
        page = logs.get_log_events(**request)
        for event in page.get("events", []):
            match = _ROW_LINE.search(event.get("message", ""))
            if match:
                results.append(RowResult(match["outcome"], int(match["line"]), match["reason"].strip()))
        token = page.get("nextForwardToken")
        if not token or token == previous_token:
            return results
        previous_token = token
        request["nextToken"] = token


def first_data_line(results: list[RowResult]) -> int:
    """1 if Cognito numbered the first user line 1, else 2 (the header counted as line 1).

    Which one Cognito does is unconfirmed (a 2020 log suggests 2); every row has a result line,
    so the smallest number tells.
    """
    return 1 if results and min(result.line for result in results) == 1 else 2
