"""A measured figure checked against its target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    benchmark: str
    target: str
    """What is measured, in words."""
    value: float
    unit: str
    limit: float | None
    """The most the value may be; None for a figure reported without a target."""
    detail: str = ""

    @property
    def passed(self) -> bool | None:
        return None if self.limit is None else self.value <= self.limit

    @property
    def verdict(self) -> str:
        return {None: "info", True: "PASS", False: "FAIL"}[self.passed]


def fmt(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value:,.0f} B"
    if unit == "MB":
        return f"{value:,.1f} MB"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:g} {unit}"
