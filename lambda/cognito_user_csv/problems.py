"""What is wrong with a file, where, and how it is shown: :class:`Problem`, :class:`ValidationError`.

A password-like column's values never appear in a message, nor are they kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Report = Callable[[int, str | None, str | None, str | None, str], None]
"""``report(line, username, column, value, message)``: how checks hand over what they find."""


def is_secret(column: str | None) -> bool:
    """Password-like columns: their values never appear in a message."""
    return column is not None and "password" in column.lower()


def show_value(value: str, limit: int = 60) -> str:
    """A value as a message shows it: control characters escaped, long values shortened."""
    shown = value
    if not value.isprintable():
        # Escape only what is not printable: accents and other scripts stay readable.
        shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, where it is and what would be allowed."""

    file: str
    line: int
    username: str | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}"
        if self.username:
            text += f" ({show_value(self.username)})"
        text += ":"
        if self.column is not None:
            text += f" column {show_value(self.column)}:"
        if self.value is not None and not is_secret(self.column):
            text += f" value '{show_value(self.value)}'"
        return f"{text} {self.message}"


class ValidationError(Exception):
    """A file broke the rules: the first problems (capped) and how many there were in all."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None, *, file: str | None = None):
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else max(total, len(self.problems))
        self.file = file if file is not None else (self.problems[0].file if self.problems else "the file")
        super().__init__(self.render())

    def render(self) -> str:
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"{self.total} {noun} in {self.file}:"]
        lines += [f"  {p}" for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class ProblemLog:
    """The problems of one file: all counted, the first ``cap`` kept."""

    def __init__(self, file_name: str, cap: int) -> None:
        self.file_name = file_name
        self.cap = cap
        self.items: list[Problem] = []
        self.count = 0

    def add(
        self, line: int, username: str | None, column: str | None, value: str | None, message: str
    ) -> None:
        self.count += 1
        if len(self.items) < self.cap:
            # A password-like value is not even kept, so it cannot leak through repr() or logs.
            self.items.append(
                Problem(
                    self.file_name,
                    line,
                    username or None,
                    column,
                    None if is_secret(column) else value,
                    message,
                )
            )
