"""Which columns a file may have, and how its rows are checked and mapped onto the pool's header.

Header names match the pool's exactly (case-sensitive; whether Cognito is case-sensitive is
unconfirmed). Two friendlier aliases are accepted in a header and written under the real name:
``username`` for ``cognito:username`` and ``mfa_enabled`` for ``cognito:mfa_enabled``.

A ``groups`` column (this library's, not Cognito's) lists each user's groups; it is checked but never
written to Cognito's file: the handler adds the memberships after the job.

A ``password_hash`` column is allowed only when the job is created with a PasswordHashingAlgorithm
(``password_hashing_algorithm=`` of :func:`plan_columns`): Cognito documents hashes only for such
jobs. Its values are never shown in messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cognito_user_csv.account_rows import GROUPS, groups_check
from cognito_user_csv.facts import (
    ALIASES,
    CUSTOM_PREFIX,
    MFA_ENABLED,
    PASSWORD_HASH,
    PASSWORD_HASHING_ALGORITHMS,
    USERNAME,
)
from cognito_user_csv.schema import PoolSchema
from cognito_user_csv.value_checks import (
    HEADER_UNWRITABLE,
    STANDARD_BOOLEANS,
    STANDARD_CHECKS,
    Check,
    check_custom_name,
    custom_check,
    length_check,
    mfa_check,
)

HeaderProblem = tuple[str | None, str]
"""(column or None, message): a problem of the header, reported at line 1."""
ValueRule = tuple[int, str, Check | None, str | None]
"""(file column, name, check of non-empty values, what to say when empty or None if it may be)."""


@dataclass
class ColumnPlan:
    """How the rows of a file with a given header are checked and mapped onto the pool's header."""

    columns: list[str]
    """The file's header, aliases resolved."""
    out_header: list[str]
    """The header of the file Cognito receives."""
    source_index: list[int]
    """For each output column, the file column it comes from; -1 for a column the file lacks."""
    fills: list[str]
    """For each output column the file lacks, what it is written as."""
    username: int | None
    booleans: list[int]
    checks: list[ValueRule]
    """(file column, name, check of non-empty values, what to say when empty or None if it may be)."""
    verified_pairs: list[tuple[int, int]]
    """(attribute column, its *_verified column) for each auto-verified attribute the file has."""
    verify_hint: str
    unknown: set[int]
    problems: list[HeaderProblem]
    """Header problems: (column, message); all reported at line 1."""
    unique: list[tuple[int, str]] = field(default_factory=list)
    """(file column, why) of each attribute the pool signs in with: values must differ between rows."""


def plan_columns(
    schema: PoolSchema, header: Sequence[str], *, password_hashing_algorithm: str | None = None
) -> ColumnPlan:
    """Check a file's header against the pool and plan its rows.

    ``password_hashing_algorithm``: the job's PasswordHashingAlgorithm; None (the default) refuses a
    ``password_hash`` column, which Cognito documents only for jobs created with one.
    """
    columns = [ALIASES.get(c, c) for c in header]
    seen, unknown, extra, problems = _read_header(schema, columns, password_hashing_algorithm)
    out_header = [*schema.header, *extra]
    fills: list[str] = []
    source_index: list[int] = []
    for column in out_header:
        if column in seen and seen[column] not in unknown:
            source_index.append(seen[column])
        else:
            source_index.append(-1)
            fills.append(("true" if schema.mfa == "ON" else "false") if column == MFA_ENABLED else "")
    problems += _presence_problems(schema, seen)
    verified_pairs = [
        (seen[a], seen[f"{a}_verified"])
        for a in sorted(schema.auto_verified)
        if a in seen and f"{a}_verified" in seen
    ]
    booleans, checks = _value_checks(schema, columns, unknown)
    unique = [(seen[a], _unique_why(schema, a)) for a in schema.unique_attributes if a in seen]
    return ColumnPlan(
        columns=columns,
        out_header=out_header,
        source_index=source_index,
        fills=fills,
        username=seen.get(USERNAME),
        booleans=booleans,
        checks=checks,
        verified_pairs=verified_pairs,
        verify_hint=_verify_hint(schema.auto_verified),
        unknown=unknown,
        problems=problems,
        unique=unique,
    )


# ---- the header's names


def _read_header(
    schema: PoolSchema, columns: list[str], password_hashing_algorithm: str | None
) -> tuple[dict[str, int], set[int], list[str], list[HeaderProblem]]:
    """Which file columns are the pool's (name -> index), which are unknown, which are written after
    the pool's header (generic custom:, password_hash), and what is wrong with the names."""
    problems: list[HeaderProblem] = []
    allowed = set(schema.header)
    seen: dict[str, int] = {}
    unknown: set[int] = set()
    extra: list[str] = []
    for i, column in enumerate(columns):
        if column == "":
            problems.append((None, f"header column {i + 1} is empty; every column needs a name"))
            unknown.add(i)
            continue
        if column in seen:
            problems.append((column, f"appears twice in the header (columns {seen[column] + 1} and {i + 1})"))
            unknown.add(i)
            continue
        seen[column] = i
        if column in allowed or column == GROUPS:
            continue
        if column == PASSWORD_HASH and password_hashing_algorithm is not None:
            extra.append(column)
            continue
        unknown.add(i)
        problem = _not_a_pool_column(schema, column, i + 1)
        if problem is None:
            unknown.discard(i)
            extra.append(column)
        else:
            problems.append((column, problem))
    problems += _unwritable_pool_columns(schema)
    return seen, unknown, extra, problems


def _not_a_pool_column(schema: PoolSchema, column: str, position: int) -> str | None:
    """Why a column the pool's header lacks is refused, or None for a generic ``custom:`` column
    (written after the pool's header)."""
    if column == PASSWORD_HASH:
        return _password_hash_problem()
    if not schema.known and column.startswith(CUSTOM_PREFIX):
        return check_custom_name(column, position)
    return _unknown_problem(schema, column)


def _unwritable_pool_columns(schema: PoolSchema) -> list[HeaderProblem]:
    # A pool's own attribute may carry a comma or a quote (CustomAttributeNameType allows them).
    return [
        (
            column,
            "is a column of the pool whose name has a comma, backslash or double quote; Cognito's "
            "CSV header is not quoted and how it reads such a name is unconfirmed, so this pool's "
            "users cannot be imported from a file",
        )
        for column in schema.header
        if HEADER_UNWRITABLE.search(column)
    ]


def _allowed_text(schema: PoolSchema) -> str:
    if schema.known:
        return ", ".join(schema.header)
    return ", ".join(schema.header) + ", custom:NAME"


def _password_hash_problem() -> str:
    return (
        "is allowed only in a job created with a password hashing algorithm; set "
        f"password_hashing_algorithm ({', '.join(PASSWORD_HASHING_ALGORITHMS)}) on the UserImport "
        "(validate: --password-hashing-algorithm), or remove the column"
    )


def _unknown_problem(schema: PoolSchema, column: str) -> str:
    lower = {c.lower(): c for c in schema.header}
    hint = (
        f"did you mean {lower[column.lower()]}? (names are case-sensitive); "
        if column.lower() in lower
        else ""
    )
    what = "a column of this pool" if schema.known else "a column Cognito knows"
    return f"is not {what}; {hint}allowed: {_allowed_text(schema)}"


def _presence_problems(schema: PoolSchema, seen: Mapping[str, int]) -> list[HeaderProblem]:
    """Columns every file for this pool must have."""
    problems: list[HeaderProblem] = []
    if USERNAME not in seen:
        problems.append(
            (USERNAME, "is missing from the header; every user needs a username (alias: username)")
        )
    for column in sorted(schema.required):
        if column not in seen:
            problems.append((column, f"is missing from the header; the pool requires {column} on every user"))
    if not schema.auto_verified:
        problems.append(
            (
                None,
                "the pool has no auto-verified attribute (email or phone_number), so Cognito cannot "
                "import users into it; make the pool auto-verify email or phone_number",
            )
        )
    elif not any(a in seen and f"{a}_verified" in seen for a in schema.auto_verified):
        columns_needed = " or ".join(f"{a} and {a}_verified" for a in sorted(schema.auto_verified))
        problems.append(
            (None, f"no auto-verified attribute can be marked verified: add the columns {columns_needed}")
        )
    return problems


# ---- the rules of each column's values

_MFA_ALLOWED = {
    "ON": "true (the pool's MFA is ON)",
    "OFF": "false (the pool's MFA is OFF)",
    "OPTIONAL": "true or false (the pool's MFA is OPTIONAL)",
}


def _verify_hint(attributes: Iterable[str]) -> str:
    return ", or ".join(f"{a}_verified=true with {a} set" for a in sorted(attributes))


def _unique_why(schema: PoolSchema, attribute: str) -> str:
    role = "as the username" if attribute in schema.username_attributes else "as a sign-in alias"
    return f"the pool uses {attribute} {role}, so each user needs a different one"


def _value_checks(
    schema: PoolSchema, columns: Sequence[str], unknown: set[int]
) -> tuple[list[int], list[ValueRule]]:
    """The boolean columns, and (column, name, check, message when empty) of each checked column."""
    booleans: list[int] = []
    checks: list[ValueRule] = []
    for i, column in enumerate(columns):
        if i in unknown:
            continue
        attr = schema.custom.get(column.removeprefix("dev:"))
        if column in STANDARD_BOOLEANS or (attr is not None and attr.data_type == "Boolean"):
            booleans.append(i)
        if column == USERNAME:
            continue  # checked on its own: it also names the row
        check = _check_of(schema, column)
        empty = _empty_message(schema, column)
        if check is not None or empty is not None:
            checks.append((i, column, check, empty))
    return booleans, checks


def _check_of(schema: PoolSchema, column: str) -> Check | None:
    """The check of a column's non-empty values, or None when any value passes."""
    if column == MFA_ENABLED:
        return mfa_check(schema.mfa)
    if column == GROUPS:
        return groups_check
    attr = schema.custom.get(column.removeprefix("dev:"))
    if attr is not None:
        return custom_check(attr)
    check = STANDARD_CHECKS.get(column)
    if column in schema.standard_lengths:
        check = length_check(*schema.standard_lengths[column], then=check)
    return check


def _empty_message(schema: PoolSchema, column: str) -> str | None:
    """What to say of an empty value in ``column``, or None when it may be empty."""
    if column == MFA_ENABLED:
        mfa_allowed = _MFA_ALLOWED.get(schema.mfa, "true or false") if schema.known else "true or false"
        return f"is empty; allowed: {mfa_allowed}"
    if column in schema.required:
        return f"is empty; the pool requires {column} on every user"
    return None
