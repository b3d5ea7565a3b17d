"""Run-time knobs of the emulator: how fast jobs move, when URLs and jobs expire, the failure threshold,
AWS-quota mode and the latency of each Cognito call.

Every setting can be changed while the emulator runs: ``emulator.settings.<name> = value`` in-process,
or ``POST /_emulator/settings {"<name>": value}`` (numbers >= 0; ``aws_quotas`` and ``enforce_iam``
true/false; ``call_latency_seconds`` also null, meaning "the default for the current mode").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

#: The latency a Cognito call gets in AWS-quota mode unless ``call_latency_seconds`` is set: a call from
#: inside the region takes a few tens of milliseconds.
AWS_CALL_LATENCY_SECONDS = 0.03

_FLAGS = frozenset({"aws_quotas", "enforce_iam"})
_OPTIONAL_NUMBERS = frozenset({"call_latency_seconds"})

SettingValue = float | bool | None


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
    #: AWS-quota mode: Cognito's request-rate quotas (quotas.py) enforced as token buckets; a call over
    #: a quota gets TooManyRequestsException. The pytest fixtures turn it off.
    aws_quotas: bool = True
    #: Seconds added to every Cognito API call (outside the emulator's lock, so calls overlap as on
    #: AWS). None: AWS_CALL_LATENCY_SECONDS while ``aws_quotas`` is on, else 0.
    call_latency_seconds: float | None = None
    #: IAM for role sessions (authorization.py): a request signed with credentials from sts:AssumeRole
    #: is refused unless the role's identity policies allow it, and a job whose logs role may not write
    #: its logs fails. Requests with the plain test credentials are never checked.
    enforce_iam: bool = True

    def call_latency(self) -> float:
        """The latency in force: the explicit setting, else the default for the current mode."""
        if self.call_latency_seconds is not None:
            return self.call_latency_seconds
        return AWS_CALL_LATENCY_SECONDS if self.aws_quotas else 0.0

    def to_json(self) -> dict[str, SettingValue]:
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        return {name: _as_json(value) for name, value in values.items()}

    def update(self, changes: dict[str, Any]) -> None:
        """Set the named settings; an unknown name or bad value raises ValueError and changes nothing."""
        known = {field.name for field in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        parsed = {name: _parse(name, value) for name, value in changes.items()}
        for name, parsed_value in parsed.items():
            setattr(self, name, parsed_value)

    def copy(self) -> EmulatorSettings:
        return dataclasses.replace(self)

    def restore(self, other: EmulatorSettings) -> None:
        """Copy every value of ``other`` into this object, in place, so references to it stay valid."""
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(other, field.name))


def _parse(name: str, value: Any) -> SettingValue:
    if name in _FLAGS:
        if not isinstance(value, bool):
            raise ValueError(f"setting {name} must be true or false, got {value!r}")
        return value
    if value is None and name in _OPTIONAL_NUMBERS:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        allowed = "a number >= 0 or null" if name in _OPTIONAL_NUMBERS else "a number >= 0"
        raise ValueError(f"setting {name} must be {allowed}, got {value!r}")
    return float(value)


def _as_json(value: SettingValue) -> SettingValue:
    return value if value is None or isinstance(value, bool) else float(value)
