"""Run-time knobs of the emulator: how fast jobs move, when URLs and jobs expire, the failure threshold."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class EmulatorSettings:
    """Mutable at run time: the job runner reads these on every step.

    The defaults take a small job from start to Succeeded in about two seconds, like a quick real job
    but without the minutes of waiting; tests shrink them, benchmarks raise ``seconds_per_row``.
    """

    #: Seconds a started job stays ``Pending`` before it turns ``InProgress``.
    pending_seconds: float = 1.0
    #: Seconds spent on each CSV row while ``InProgress`` (simulates long jobs when raised).
    seconds_per_row: float = 0.005
    #: Least seconds a job stays ``InProgress``, however few rows it has.
    min_run_seconds: float = 1.0
    #: Seconds a stopped job stays ``Stopping`` before it turns ``Stopped``.
    stopping_seconds: float = 0.5
    #: Life of a pre-signed upload URL in seconds (AWS: 899, the ``X-Amz-Expires`` of its URLs).
    upload_url_ttl_seconds: float = 899.0
    #: Seconds after creation when a never-started job turns ``Expired`` (AWS: 24-48 hours).
    unstarted_job_ttl_seconds: float = 24 * 3600.0
    #: The job ends ``Failed`` when failed + skipped rows exceed this share of all rows (AWS publishes
    #: no threshold; one failed row out of one was enough on AWS, which 0.5 reproduces).
    max_failed_or_skipped_ratio: float = 0.5
    #: Seconds between two steps of the background job runner.
    tick_seconds: float = 0.05

    def to_json(self) -> dict[str, float]:
        return {field.name: float(getattr(self, field.name)) for field in dataclasses.fields(self)}

    def update(self, changes: dict[str, Any]) -> None:
        """Set the named settings; unknown names or non-numbers raise ValueError, nothing is changed then."""
        known = {field.name for field in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        parsed: dict[str, float] = {}
        for name, value in changes.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"setting {name} must be a number >= 0, got {value!r}")
            parsed[name] = float(value)
        for name, number in parsed.items():
            setattr(self, name, number)

    def copy(self) -> EmulatorSettings:
        return dataclasses.replace(self)

    def restore(self, other: EmulatorSettings) -> None:
        """Copy every value of ``other`` into this object, in place, so references to it stay valid."""
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(other, field.name))
