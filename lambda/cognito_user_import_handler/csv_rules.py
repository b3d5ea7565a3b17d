"""The rules a user CSV must follow for a Cognito user import, and the pool schema they depend on.

One set of rules, used at synth time by the construct, at deploy time by the handler and offline by
``cognito-user-import validate``. The streaming itself lives in :mod:`csv_dialect`; this module says
which columns a file may have (:func:`plan_columns`) and what each value must look like.

Header names match the pool's exactly (case-sensitive; whether Cognito is case-sensitive is
unconfirmed). Two friendlier aliases are accepted in a header and written under the real name:

- ``username`` for ``cognito:username``
- ``mfa_enabled`` for ``cognito:mfa_enabled``

A ``password_hash`` column is always allowed (jobs with a PasswordHashingAlgorithm import hashes);
its values are never shown in messages.

Limits are Cognito's (developer guide quotas page): 16,000 characters a row, 500,000 users and
100 MB a file, all measured on the file Cognito receives. "100 MB" is read as 100,000,000 bytes, the
smaller of the two readings, so a file that passes here passes there whichever Cognito means.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

USERNAME = "cognito:username"
MFA_ENABLED = "cognito:mfa_enabled"
PASSWORD_HASH = "password_hash"
STANDARD_ATTRIBUTES: tuple[str, ...] = (
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
)
ALIASES: Mapping[str, str] = {"username": USERNAME, "mfa_enabled": MFA_ENABLED}
VERIFIABLE: tuple[str, ...] = ("email", "phone_number")
MFA_MODES = ("OFF", "ON", "OPTIONAL")
DATA_TYPES = ("String", "Number", "Boolean", "DateTime")

MAX_ROW_CHARS = 16_000
MAX_USERS = 500_000
MAX_FILE_BYTES = 100_000_000
MAX_USERNAME_CHARS = 128
MAX_STANDARD_VALUE_CHARS = 2048  # Cognito's StringAttributeConstraints for standard attributes

# Why these characters are refused: Cognito's CSV has no quoting and how it reads them is unconfirmed.
UNREADABLE = {'"': "a double quote", "\\": "a backslash", "\n": "a line break", "\r": "a line break"}
UNREADABLE_WHY = (
    "Cognito's CSV has no quoting and how it reads double quotes, backslashes and line breaks is "
    "unconfirmed, so values cannot contain them"
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+[1-9][0-9]{0,14}")
_BIRTHDATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_DIGITS = re.compile(r"[0-9]+")
_INTEGER = re.compile(r"-?[0-9]+")
USERNAME_BAD = re.compile(r"[\s\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CustomAttribute:
    """A pool's custom attribute, named without its ``custom:`` prefix."""

    name: str
    data_type: str = "String"
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    mutable: bool = True

    @property
    def column(self) -> str:
        return f"custom:{self.name}"


def _opt_int(value: Any) -> int | None:
    # DescribeUserPool writes constraints as strings ("0", "2048").
    if value is None or value == "":
        return None
    return int(value)


@dataclass(frozen=True)
class PoolSchema:
    """What a pool accepts in an import file."""

    header: tuple[str, ...]
    """The pool's CSV header, in GetCSVHeader's order."""
    required: frozenset[str]
    """Required standard attributes (never ``sub``, which no file carries)."""
    auto_verified: frozenset[str]
    """A subset of {"email", "phone_number"}."""
    mfa: str
    """The pool's MfaConfiguration: OFF, ON or OPTIONAL."""
    custom: Mapping[str, CustomAttribute] = field(default_factory=dict)
    """Keyed by column name, ``custom:name``."""
    known: bool = True
    """False for the generic schema, which allows any ``custom:`` column."""

    @classmethod
    def from_describe_user_pool(cls, user_pool: Mapping[str, Any], csv_header: Sequence[str]) -> PoolSchema:
        """Build from DescribeUserPool's ``UserPool`` (a whole response is unwrapped) and GetCSVHeader's
        ``CSVHeader`` (empty: derived from the pool's attributes in GetCSVHeader's order)."""
        pool = user_pool.get("UserPool", user_pool)
        attributes = list(pool.get("SchemaAttributes", []))
        custom: dict[str, CustomAttribute] = {}
        for attr in attributes:
            name = str(attr.get("Name", ""))
            bare = name.removeprefix("dev:")
            if not bare.startswith("custom:"):
                continue
            numbers = attr.get("NumberAttributeConstraints") or {}
            strings = attr.get("StringAttributeConstraints") or {}
            custom[bare] = CustomAttribute(
                name=bare.removeprefix("custom:"),
                data_type=str(attr.get("AttributeDataType", "String")),
                min_length=_opt_int(strings.get("MinLength")),
                max_length=_opt_int(strings.get("MaxLength")),
                min_value=_opt_int(numbers.get("MinValue")),
                max_value=_opt_int(numbers.get("MaxValue")),
                mutable=bool(attr.get("Mutable", True)),
            )
        header = tuple(csv_header) or (*STANDARD_ATTRIBUTES, MFA_ENABLED, USERNAME, *custom)
        required = frozenset(
            str(a["Name"])
            for a in attributes
            if a.get("Required") and str(a.get("Name")) in STANDARD_ATTRIBUTES and str(a["Name"]) in header
        )
        auto = frozenset(str(a) for a in pool.get("AutoVerifiedAttributes", []) if a in VERIFIABLE)
        return cls(
            header=header,
            required=required,
            auto_verified=auto,
            mfa=str(pool.get("MfaConfiguration", "OFF")),
            custom=custom,
            known=True,
        )

    @classmethod
    def generic(cls) -> PoolSchema:
        """Rules every pool shares: used when the pool is not known (at synth time, or offline)."""
        return cls(
            header=(*STANDARD_ATTRIBUTES, MFA_ENABLED, USERNAME),
            required=frozenset(),
            auto_verified=frozenset(VERIFIABLE),
            mfa="OPTIONAL",
            custom={},
            known=False,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "header": list(self.header),
            "required": sorted(self.required),
            "auto_verified": sorted(self.auto_verified),
            "mfa": self.mfa,
            "custom": [
                {
                    "name": c.name,
                    "data_type": c.data_type,
                    "min_length": c.min_length,
                    "max_length": c.max_length,
                    "min_value": c.min_value,
                    "max_value": c.max_value,
                    "mutable": c.mutable,
                }
                for c in self.custom.values()
            ],
            "known": self.known,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any]) -> PoolSchema:
        """Read :meth:`to_json`'s output, or a saved DescribeUserPool response (``{"UserPool": ...}``,
        optionally with GetCSVHeader's ``"CSVHeader": [...]`` beside it)."""
        doc: Any = json.loads(data) if isinstance(data, str | bytes) else data
        if not isinstance(doc, Mapping):
            raise ValueError("a pool schema must be a JSON object")
        if "UserPool" in doc or "SchemaAttributes" in doc:
            return cls.from_describe_user_pool(doc, list(doc.get("CSVHeader", [])))
        if "header" not in doc:
            raise ValueError(
                'not a pool schema: expected a DescribeUserPool response ({"UserPool": ...}) '
                "or the JSON of PoolSchema.to_json()"
            )
        mfa = str(doc.get("mfa", "OFF"))
        if mfa not in MFA_MODES:
            raise ValueError(f"mfa must be one of {', '.join(MFA_MODES)}, got {mfa!r}")
        custom = {}
        for item in doc.get("custom", []):
            attr = CustomAttribute(
                name=str(item["name"]).removeprefix("custom:"),
                data_type=str(item.get("data_type", "String")),
                min_length=_opt_int(item.get("min_length")),
                max_length=_opt_int(item.get("max_length")),
                min_value=_opt_int(item.get("min_value")),
                max_value=_opt_int(item.get("max_value")),
                mutable=bool(item.get("mutable", True)),
            )
            custom[attr.column] = attr
        return cls(
            header=tuple(str(c) for c in doc["header"]),
            required=frozenset(str(c) for c in doc.get("required", [])),
            auto_verified=frozenset(str(c) for c in doc.get("auto_verified", [])),
            mfa=mfa,
            custom=custom,
            known=bool(doc.get("known", True)),
        )


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
            text += f" column {self.column}:"
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


# ---- value checks: each returns None when the value is fine, else what is wrong and what is allowed.
# Empty values never reach them (emptiness is a rule of its own: required or not).

Check = Callable[[str], str | None]
BOOLEANS = ("true", "false")


def check_email(value: str) -> str | None:
    if _EMAIL.fullmatch(value):
        return None
    return "is not an email address; allowed: name@domain.tld (e.g. jane@example.com)"


def check_phone(value: str) -> str | None:
    if _PHONE.fullmatch(value):
        return None
    return (
        "is not an E.164 phone number; allowed: '+' then 1 to 15 digits, the first not 0 (e.g. +12065550100)"
    )


@functools.lru_cache(maxsize=4096)  # birthdates repeat across users; date() is the costly part
def check_birthdate(value: str) -> str | None:
    match = _BIRTHDATE.fullmatch(value)
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            datetime.date(year, month, day)
            return None
        except ValueError:
            pass
    return "is not a date written mm/dd/yyyy; allowed: a real date such as 04/23/1990"


def check_epoch_seconds(value: str) -> str | None:
    if _DIGITS.fullmatch(value):
        return None
    return "is not a time in epoch seconds; allowed: digits only (e.g. 1735241621)"


def check_standard_length(value: str) -> str | None:
    if len(value) <= MAX_STANDARD_VALUE_CHARS:
        return None
    return f"is {len(value):,} characters long; allowed: at most {MAX_STANDARD_VALUE_CHARS:,}"


def check_username(value: str) -> str | None:
    if USERNAME_BAD.search(value):
        return "cannot contain spaces, tabs or other whitespace or control characters"
    if len(value) > MAX_USERNAME_CHARS:
        return f"is {len(value)} characters long; allowed: at most {MAX_USERNAME_CHARS}"
    return None


def _characters(n: int) -> str:
    return "1 character" if n == 1 else f"{n:,} characters"


def _bounds(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    return f"at most {high}"


def custom_check(attr: CustomAttribute) -> Check | None:
    """The check of a custom attribute's values (Booleans are checked with the other booleans)."""
    column = attr.column
    if attr.data_type == "Number":
        low, high = attr.min_value, attr.max_value

        def number(value: str) -> str | None:
            if not _INTEGER.fullmatch(value):
                return f"is not a whole number; {column} is a Number" + (
                    f" from {_bounds(low, high)}" if low is not None or high is not None else ""
                )
            n = int(value)
            if (low is not None and n < low) or (high is not None and n > high):
                return f"is out of range; allowed: {_bounds(low, high)}"
            return None

        return number
    if attr.data_type == "String" and (attr.min_length is not None or attr.max_length is not None):
        shortest, longest = attr.min_length, attr.max_length

        def string(value: str) -> str | None:
            n = len(value)
            if (shortest is not None and n < shortest) or (longest is not None and n > longest):
                return f"is {_characters(n)} long; allowed: {_bounds(shortest, longest)} characters"
            return None

        return string
    # DateTime: the format Cognito expects in a CSV is unconfirmed, so any value passes.
    return None


STANDARD_CHECKS: Mapping[str, Check] = {
    "email": check_email,
    "phone_number": check_phone,
    "birthdate": check_birthdate,
    "updated_at": check_epoch_seconds,
}
STANDARD_BOOLEANS = frozenset({"email_verified", "phone_number_verified", MFA_ENABLED})


_MFA_ALLOWED = {
    "ON": "true (the pool's MFA is ON)",
    "OFF": "false (the pool's MFA is OFF)",
    "OPTIONAL": "true or false (the pool's MFA is OPTIONAL)",
}


def mfa_check(mode: str) -> Check:
    """``cognito:mfa_enabled`` as the pool's MFA configuration requires (booleans already checked)."""

    def check(value: str) -> str | None:
        if mode == "ON" and value == "false":
            return "is not allowed: the pool's MFA is ON, so every user needs true"
        if mode == "OFF" and value == "true":
            return "is not allowed: the pool's MFA is OFF, so every user needs false"
        return None

    return check


# ---- the header: which columns a file may have, and how its rows are checked and written.


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
    checks: list[tuple[int, str, Check | None, str | None]]
    """(file column, name, check of non-empty values, what to say when empty or None if it may be)."""
    verified_pairs: list[tuple[int, int]]
    """(attribute column, its *_verified column) for each auto-verified attribute the file has."""
    verify_hint: str
    unknown: set[int]
    problems: list[tuple[str | None, str]]
    """Header problems: (column, message); all reported at line 1."""


def _verify_hint(attributes: Iterable[str]) -> str:
    return ", or ".join(f"{a}_verified=true with {a} set" for a in sorted(attributes))


def _allowed_text(schema: PoolSchema) -> str:
    if schema.known:
        return ", ".join(schema.header)
    return ", ".join(schema.header) + ", custom:NAME"


def plan_columns(schema: PoolSchema, header: Sequence[str]) -> ColumnPlan:
    """Check a file's header against the pool and plan its rows."""
    problems: list[tuple[str | None, str]] = []
    allowed = set(schema.header)
    lower = {c.lower(): c for c in schema.header}
    columns = [ALIASES.get(c, c) for c in header]
    seen: dict[str, int] = {}
    unknown: set[int] = set()
    extra: list[str] = []  # columns written after the pool's header (generic custom:, password_hash)
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
        if column in allowed:
            continue
        if column == PASSWORD_HASH or (not schema.known and column.startswith("custom:") and len(column) > 7):
            extra.append(column)
            continue
        unknown.add(i)
        hint = (
            f"did you mean {lower[column.lower()]}? (names are case-sensitive); "
            if column.lower() in lower
            else ""
        )
        what = "a column of this pool" if schema.known else "a column Cognito knows"
        problems.append((column, f"is not {what}; {hint}allowed: {_allowed_text(schema)}"))

    out_header = [*schema.header, *extra]
    fills: list[str] = []
    source_index: list[int] = []
    for column in out_header:
        if column in seen and seen[column] not in unknown:
            source_index.append(seen[column])
        else:
            source_index.append(-1)
            fills.append(("true" if schema.mfa == "ON" else "false") if column == MFA_ENABLED else "")

    username = seen.get(USERNAME)
    if username is None:
        problems.append(
            (USERNAME, "is missing from the header; every user needs a username (alias: username)")
        )
    for column in sorted(schema.required):
        if column not in seen:
            problems.append((column, f"is missing from the header; the pool requires {column} on every user"))

    verified_pairs = [
        (seen[a], seen[f"{a}_verified"])
        for a in sorted(schema.auto_verified)
        if a in seen and f"{a}_verified" in seen
    ]
    hint = _verify_hint(schema.auto_verified)
    if not schema.auto_verified:
        problems.append(
            (
                None,
                "the pool has no auto-verified attribute (email or phone_number), so Cognito cannot "
                "import users into it; make the pool auto-verify email or phone_number",
            )
        )
    elif not verified_pairs:
        columns_needed = " or ".join(f"{a} and {a}_verified" for a in sorted(schema.auto_verified))
        problems.append(
            (None, f"no auto-verified attribute can be marked verified: add the columns {columns_needed}")
        )

    booleans: list[int] = []
    checks: list[tuple[int, str, Check | None, str | None]] = []
    for i, column in enumerate(columns):
        if i in unknown:
            continue
        attr = schema.custom.get(column.removeprefix("dev:"))
        if column in STANDARD_BOOLEANS or (attr is not None and attr.data_type == "Boolean"):
            booleans.append(i)
        check: Check | None
        if column == USERNAME:
            continue  # checked on its own: it also names the row
        if column == MFA_ENABLED:
            check = mfa_check(schema.mfa)
        elif attr is not None:
            check = custom_check(attr)
        else:
            check = STANDARD_CHECKS.get(column)
        if column == MFA_ENABLED:
            mfa_allowed = _MFA_ALLOWED.get(schema.mfa, "true or false") if schema.known else "true or false"
            empty: str | None = f"is empty; allowed: {mfa_allowed}"
        elif column in schema.required:
            empty = f"is empty; the pool requires {column} on every user"
        else:
            empty = None
        if check is not None or empty is not None:
            checks.append((i, column, check, empty))
    return ColumnPlan(
        columns=columns,
        out_header=out_header,
        source_index=source_index,
        fills=fills,
        username=username,
        booleans=booleans,
        checks=checks,
        verified_pairs=verified_pairs,
        verify_hint=hint,
        unknown=unknown,
        problems=problems,
    )


# One search a value: the characters above, and control characters, which Cognito may trim or
# mangle as whitespace (Python's own str.strip() drops \x1c-\x1f) so the value would not arrive as written.
_UNREADABLE_CHARS = re.compile(r'["\\\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


def edge_whitespace_message(value: str) -> str:
    """For a value that starts or ends with whitespace other than a space or a tab."""
    char = value[0] if value[0].isspace() else value[-1]
    return (
        f"starts or ends with the whitespace character U+{ord(char):04X}; Cognito trims values and "
        "whether it trims this one is unconfirmed, so remove it"
    )


def unreadable_message(value: str) -> str | None:
    """Why a value cannot go into Cognito's CSV, or None."""
    found = _UNREADABLE_CHARS.search(value)
    if found is None:
        return None
    char = found.group()
    if char in UNREADABLE:
        return f"contains {UNREADABLE[char]}; {UNREADABLE_WHY}"
    return (
        f"contains the control character U+{ord(char):04X}; Cognito may drop or change it, "
        "so values cannot contain control characters"
    )
