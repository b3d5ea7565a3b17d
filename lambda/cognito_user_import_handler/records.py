"""What the ledger holds about requests and about what a resource applied, as typed values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .properties import ImportProperties

SUCCESS = "SUCCESS"
FAILED = "FAILED"


@dataclass(frozen=True)
class Answer:
    """What CloudFormation is told for one request. Stored, so that every repeat is identical."""

    status: str
    physical_id: str
    data: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Answer:
        return cls(str(value["status"]), str(value["physical_id"]), dict(value["data"]), str(value["reason"]))


@dataclass(frozen=True)
class HandOver:
    """The job still runs (or waits for its turn): crhelper's scheduled polls take over."""

    physical_id: str
    poll_state: dict[str, Any]


Result = Answer | HandOver


@dataclass
class RequestRecord:
    """One request's progress, written before its first side effect.

    `owner` and `claim_until` say which delivery may act: another delivery of the same request follows
    it while the claim is live, and takes over once it has lapsed (its owner died or gave up).
    """

    request_id: str
    job_name: str
    created_at: float
    owner: str
    claim_until: float
    deadline: float
    job_id: str | None = None
    uploaded: bool = False
    skipped_before_job: int = 0
    not_applied: str = ""
    pool_name: str = ""
    answer: dict[str, Any] | None = None
    steps: int = 0
    """How many account steps follow the import (in the ledger's steps/<request id>.jsonl)."""
    passwords_version: str = ""
    """The passwords secret's version the steps apply."""
    imported: dict[str, Any] | None = None
    """Once the import part is over: its physical id and figures; the account steps come next."""
    progress: dict[str, Any] | None = None
    """The account steps' progress (account_steps.StepProgress)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RequestRecord:
        return cls(**value)


@dataclass(frozen=True)
class Applied:
    """What one successful request left in place: its properties, physical id and figures."""

    request_id: str
    properties: dict[str, str]
    physical_id: str
    data: dict[str, str]
    passwords_version: str = ""
    """The passwords secret's version this request applied."""

    @property
    def props(self) -> ImportProperties:
        return ImportProperties.from_event(self.properties)

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Applied | None:
        return None if value is None else cls(**value)


@dataclass(frozen=True)
class ResourceState:
    """The applied properties now (current) and before the last change (previous), for rollbacks."""

    current: Applied | None = None
    previous: Applied | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "current": asdict(self.current) if self.current else None,
            "previous": asdict(self.previous) if self.previous else None,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> ResourceState:
        if value is None:
            return cls()
        return cls(Applied.from_json(value.get("current")), Applied.from_json(value.get("previous")))

    def after(self, applied: Applied) -> ResourceState:
        """The state once `applied` succeeded; applying the same request again changes nothing."""
        if self.current is not None and self.current.request_id == applied.request_id:
            return self
        return ResourceState(applied, self.current)
