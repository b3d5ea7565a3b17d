"""The shipped code stays readable: functions a reader can hold, modules of one purpose.

Counted as lines of code: docstrings, comments and blank lines are left out.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = (ROOT / "constructs", ROOT / "lambda")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500


def _modules() -> Iterator[Path]:
    for root in SOURCE_ROOTS:
        yield from sorted(root.rglob("*.py"))


def _code_lines(source: str) -> set[int]:
    """Line numbers that hold code: not blank, not only a comment, not part of a docstring."""
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            lines.difference_update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return lines


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _long_functions(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    code = _code_lines(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = len([n for n in code if node.lineno <= n <= (node.end_lineno or node.lineno)])
            if length > MAX_FUNCTION_LINES:
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines of code"


def test_no_function_is_longer_than_a_reader_can_hold() -> None:
    found = [message for path in _modules() for message in _long_functions(path)]
    assert not found, f"functions over {MAX_FUNCTION_LINES} lines of code:\n" + "\n".join(found)


def test_no_module_is_longer_than_one_purpose_needs() -> None:
    found = []
    for path in _modules():
        length = len(_code_lines(path.read_text(encoding="utf-8")))
        if length > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(ROOT)}: {length} lines of code")
    assert not found, f"modules over {MAX_MODULE_LINES} lines of code:\n" + "\n".join(found)
