"""The progress line a person reads while a job or the account steps run (pure: no clients, no clock).

`imported 9,999 of 19,995 (50%), about 1 min left`: done and total with thousands separators, the
share done, and the time left from the rate so far (done over the seconds elapsed). Without a total
(not known where the line is written) only the count and the rate are shown. Never a username.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any


def _duration(seconds: float) -> str:
    if seconds < 59.5:
        return f"{max(1, math.ceil(seconds))} s"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def progress_line(verb: str, done: int, total: int | None, elapsed_seconds: float) -> str:
    """E.g. ("imported", 9999, 19995, 60.0) gives "imported 9,999 of 19,995 (50%), about 1 min left"."""
    rate = done / elapsed_seconds if elapsed_seconds > 0 and done > 0 else 0.0
    if total is None or total <= 0:
        speed = f", {rate:,.0f} a second" if rate >= 1 else ""
        return f"{verb} {done:,}{speed}"
    share = math.floor(100 * min(done, total) / total)
    line = f"{verb} {done:,} of {total:,} ({share}%)"
    if done >= total:
        return line
    if rate <= 0:
        return f"{line}, time left not known yet"
    return f"{line}, about {_duration((total - done) / rate)} left"


def job_progress_line(job: Any, now: float, total: int | None = None) -> str:
    """A DescribeUserImportJob answer's line: its figures, the rate since its StartDate (now: epoch s)."""
    started = job.get("StartDate")
    elapsed = now - started.timestamp() if isinstance(started, datetime) else 0.0
    line = progress_line("imported", int(job.get("ImportedUsers", 0)), total, elapsed)
    return f"{line}, skipped {int(job.get('SkippedUsers', 0)):,}, failed {int(job.get('FailedUsers', 0)):,}"
