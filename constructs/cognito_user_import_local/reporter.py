"""What deploy-local and destroy-local tell a person, in one place: the only module here that prints.

The driver's parts take a Reporter instead of printing, so that a test can read what a person would
have read (a list of lines), and the console's rules (which stream, flushing) are written once.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

HANDLER_OUTPUT_INDENT = "      | "
"""Set off a function's own log lines from the driver's."""


class Reporter(Protocol):
    def progress(self, message: str) -> None:
        """A step of the work, for a person following along."""

    def problem(self, message: str) -> None:
        """A failure, or something the work had to leave undone."""

    def handler_output(self, line: str) -> None:
        """A line a function's code logged while it ran."""

    def ask(self, question: str) -> str:
        """Put a question to the person; the line they answered ("" when there is no more input)."""


class ConsoleReporter:
    """Progress on standard output, problems on standard error, answers read from standard input.

    The streams are looked up at each call, not kept, so that a replaced sys.stdout (pytest's capture)
    is the one written to.
    """

    def __init__(self, answers: TextIO | None = None) -> None:
        self._answers = answers

    def progress(self, message: str) -> None:
        print(message, file=sys.stdout, flush=True)

    def problem(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def handler_output(self, line: str) -> None:
        self.progress(f"{HANDLER_OUTPUT_INDENT}{line}")

    def ask(self, question: str) -> str:
        print(question, end="", file=sys.stdout, flush=True)
        answer = (self._answers or sys.stdin).readline()
        if not answer.endswith("\n"):
            print(file=sys.stdout, flush=True)  # end of input: finish the question's line
        return answer
