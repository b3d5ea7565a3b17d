"""The rules a user CSV must follow for a Cognito user import, and the pool schema they depend on.

One set of rules, used at synth time by the construct, at deploy time by the handler and offline by
``cognito-user-import validate``. The streaming itself lives in :mod:`csv_dialect`; this module says
which columns a file may have (:func:`plan_columns`) and what each value must look like.

Header names match the pool's exactly (case-sensitive; whether Cognito is case-sensitive is
unconfirmed). Two friendlier aliases are accepted in a header and written under the real name:

- ``username`` for ``cognito:username``
- ``mfa_enabled`` for ``cognito:mfa_enabled``

A ``password_hash`` column is allowed only when the job is created with a PasswordHashingAlgorithm
(``password_hashing_algorithm=`` of :func:`plan_columns` and ``convert``): Cognito documents hashes
only for such jobs. Its values are never shown in messages.

Pool settings that make values unique: usernames are compared ignoring case in case-insensitive
pools (``UsernameConfiguration.CaseSensitive`` false), and the attributes a pool signs in with
(``UsernameAttributes``, ``AliasAttributes``) must differ between the users of one file.

Limits are Cognito's (developer guide quotas page): 16,000 characters a row, 500,000 users and
100 MB a file, all measured on the file Cognito receives. "100 MB" is read as 100,000,000 bytes, the
smaller of the two readings, so a file that passes here passes there whichever Cognito means.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import unicodedata
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
SIGN_IN_ATTRIBUTES: tuple[str, ...] = ("email", "phone_number", "preferred_username")
"""What a pool may use as UsernameAttributes (email, phone_number) or AliasAttributes (all three)."""
PASSWORD_HASHING_ALGORITHMS: tuple[str, ...] = ("BCRYPT", "SCRYPT", "ARGON2ID", "PBKDF2_SHA256")
MFA_MODES = ("OFF", "ON", "OPTIONAL")
DATA_TYPES = ("String", "Number", "Boolean", "DateTime")

MAX_ROW_CHARS = 16_000
MAX_USERS = 500_000
MAX_FILE_BYTES = 100_000_000
MAX_USERNAME_CHARS = 128
MAX_STANDARD_VALUE_CHARS = 2048  # Cognito's StringAttributeConstraints for standard attributes
MAX_CUSTOM_STRING_CHARS = 2048  # a custom String attribute's MaxLength cannot exceed it (API reference)
MAX_CUSTOM_NAME_CHARS = 20  # CustomAttributeNameType: 1-20 of [\p{L}\p{M}\p{S}\p{N}\p{P}]

# Why these characters are refused: Cognito's CSV has no quoting and how it reads them is unconfirmed.
UNREADABLE = {'"': "a double quote", "\\": "a backslash", "\n": "a line break", "\r": "a line break"}
UNREADABLE_WHY = (
    "Cognito's CSV has no quoting and how it reads double quotes, backslashes and line breaks is "
    "unconfirmed, so values cannot contain them"
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# E.164: '+', a country code (not starting with 0) and a subscriber number, at most 15 digits in all.
# A country code alone ("+1") is not a number, so at least 2 digits; the emulator agrees. Cognito may
# check numbering plans beyond this (unconfirmed): that could only refuse more, never less.
_PHONE = re.compile(r"\+[1-9][0-9]{1,14}")
_BIRTHDATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_DIGITS = re.compile(r"[0-9]+")
_INTEGER = re.compile(r"-?[0-9]+")
USERNAME_BAD = re.compile(r"[\s\x00-\x1f\x7f]")
"""Kept for callers; :func:`username_is_bad` is the full rule."""
# Characters a CSV header name cannot carry: Cognito's header is not quoted, and how it reads an
# escaped comma there is unconfirmed.
_HEADER_UNWRITABLE = re.compile(r'[,\\"\r\n]')


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
    case_sensitive: bool = True
    """UsernameConfiguration.CaseSensitive; a pool without it compares usernames as written."""
    username_attributes: frozenset[str] = frozenset()
    """UsernameAttributes: a subset of {"email", "phone_number"}."""
    alias_attributes: frozenset[str] = frozenset()
    """AliasAttributes: a subset of {"email", "phone_number", "preferred_username"}."""
    standard_lengths: Mapping[str, tuple[int | None, int | None]] = field(default_factory=dict)
    """StringAttributeConstraints (MinLength, MaxLength) a pool sets on standard attributes, when
    narrower than Cognito's default 0-2048."""

    @property
    def unique_attributes(self) -> tuple[str, ...]:
        """Attributes the pool signs in with, whose values must differ between users."""
        both = self.username_attributes | self.alias_attributes
        return tuple(a for a in SIGN_IN_ATTRIBUTES if a in both)

    @classmethod
    def from_describe_user_pool(cls, user_pool: Mapping[str, Any], csv_header: Sequence[str]) -> PoolSchema:
        """Build from DescribeUserPool's ``UserPool`` (a whole response is unwrapped) and GetCSVHeader's
        ``CSVHeader`` (empty: derived from the pool's attributes in GetCSVHeader's order)."""
        pool = user_pool.get("UserPool", user_pool)
        attributes = list(pool.get("SchemaAttributes") or [])
        custom: dict[str, CustomAttribute] = {}
        lengths: dict[str, tuple[int | None, int | None]] = {}
        for attr in attributes:
            name = str(attr.get("Name", ""))
            bare = name.removeprefix("dev:")
            strings = attr.get("StringAttributeConstraints") or {}
            if name in STANDARD_ATTRIBUTES:
                limits = narrower_lengths(
                    _opt_int(strings.get("MinLength")), _opt_int(strings.get("MaxLength"))
                )
                if limits is not None:
                    lengths[name] = limits
                continue
            if not bare.startswith("custom:"):
                continue
            numbers = attr.get("NumberAttributeConstraints") or {}
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
        auto = frozenset(str(a) for a in pool.get("AutoVerifiedAttributes") or [] if a in VERIFIABLE)
        username_config = pool.get("UsernameConfiguration") or {}
        return cls(
            header=header,
            required=required,
            auto_verified=auto,
            mfa=str(pool.get("MfaConfiguration", "OFF")),
            custom=custom,
            known=True,
            case_sensitive=username_config.get("CaseSensitive", True) is not False,
            username_attributes=_sign_in(pool.get("UsernameAttributes")),
            alias_attributes=_sign_in(pool.get("AliasAttributes")),
            standard_lengths=lengths,
        )

    @classmethod
    def generic(cls) -> PoolSchema:
        """Rules every pool shares: used when the pool is not known (at synth time, or offline).

        Settings only a pool knows (case-insensitive usernames, sign-in aliases) are left to the
        handler, which reads the pool before any job: refusing here would block valid files.
        """
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
            "case_sensitive": self.case_sensitive,
            "username_attributes": sorted(self.username_attributes),
            "alias_attributes": sorted(self.alias_attributes),
            "standard_lengths": {
                name: list(limits) for name, limits in sorted(self.standard_lengths.items())
            },
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
        lengths = {
            str(name): (_opt_int(limits[0]), _opt_int(limits[1]))
            for name, limits in dict(doc.get("standard_lengths") or {}).items()
        }
        return cls(
            header=tuple(str(c) for c in doc["header"]),
            required=frozenset(str(c) for c in doc.get("required", [])),
            auto_verified=frozenset(str(c) for c in doc.get("auto_verified", [])),
            mfa=mfa,
            custom=custom,
            known=bool(doc.get("known", True)),
            case_sensitive=doc.get("case_sensitive", True) is not False,
            username_attributes=_sign_in(doc.get("username_attributes")),
            alias_attributes=_sign_in(doc.get("alias_attributes")),
            standard_lengths=lengths,
        )


def _sign_in(values: Any) -> frozenset[str]:
    """The sign-in attributes named in a list (None or absent: none)."""
    return frozenset(str(v) for v in values or [] if v in SIGN_IN_ATTRIBUTES)


def narrower_lengths(low: int | None, high: int | None) -> tuple[int | None, int | None] | None:
    """A standard attribute's length limits, or None when they are Cognito's default 0-2048."""
    low = low or None
    high = high if high is not None and high < MAX_STANDARD_VALUE_CHARS else None
    return None if low is None and high is None else (low, high)


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
        "is not an E.164 phone number; allowed: '+', the country code and the number, 2 to 15 digits "
        "in all, the first not 0 (e.g. +12065550100)"
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


def username_is_bad(value: str) -> bool:
    """Whether a username breaks Cognito's UsernameType: 1-128 of [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}].

    str.isprintable() is false exactly for the categories the pattern leaves out (C*: control, format
    such as a zero-width space, private use, unassigned; Z*: separators) except the ASCII space,
    which is tested on its own: one C-speed test a row.
    """
    return " " in value or not value.isprintable() or len(value) > MAX_USERNAME_CHARS


_CATEGORY_NAMES = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
    "Cs": "a surrogate",
    "Zs": "a space",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def check_username(value: str) -> str | None:
    for char in value:
        if char == " " or not char.isprintable():
            category = unicodedata.category(char)
            what = {" ": "a space", "\t": "a tab"}.get(char) or _CATEGORY_NAMES.get(category, "a character")
            return (
                f"contains U+{ord(char):04X}, {what} (Unicode category {category}); allowed: letters, "
                "marks, symbols, numbers and punctuation, without spaces, tabs, control or format characters"
            )
    if len(value) > MAX_USERNAME_CHARS:
        return f"is {len(value)} characters long; allowed: at most {MAX_USERNAME_CHARS}"
    return None


def check_custom_name(column: str, position: int | None = None) -> str | None:
    """Why a ``custom:`` column name cannot be a custom attribute of any pool, or None; ``position``
    is the header column's number, for the message."""
    name = column.removeprefix("custom:")
    if (
        not name
        or len(name) > MAX_CUSTOM_NAME_CHARS
        or username_is_bad(name)
        or _HEADER_UNWRITABLE.search(name)
    ):
        return (
            "is not a custom attribute name"
            + ("" if position is None else f" (header column {position})")
            + f"; allowed: custom: then 1 to {MAX_CUSTOM_NAME_CHARS} letters, "
            "marks, symbols, numbers or punctuation, without a comma, backslash or double quote "
            "(Cognito's CSV header is not quoted)"
        )
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
    if attr.data_type == "String":
        # Without a MaxLength a custom String still holds at most 2048 characters.
        return length_check(attr.min_length, attr.max_length or MAX_CUSTOM_STRING_CHARS)
    # DateTime: the format Cognito expects in a CSV is unconfirmed, so any value passes.
    return None


def length_check(shortest: int | None, longest: int | None, then: Check | None = None) -> Check:
    """A check of a String's length (then ``then``, a format check, if any)."""

    def string(value: str) -> str | None:
        n = len(value)
        if (shortest is not None and n < shortest) or (longest is not None and n > longest):
            return f"is {_characters(n)} long; allowed: {_bounds(shortest, longest)} characters"
        return then(value) if then is not None else None

    return string


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
    unique: list[tuple[int, str]] = field(default_factory=list)
    """(file column, why) of each attribute the pool signs in with: values must differ between rows."""


def _verify_hint(attributes: Iterable[str]) -> str:
    return ", or ".join(f"{a}_verified=true with {a} set" for a in sorted(attributes))


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


def _read_header(
    schema: PoolSchema, columns: list[str], password_hashing_algorithm: str | None
) -> tuple[dict[str, int], set[int], list[str], list[tuple[str | None, str]]]:
    """Which file columns are the pool's (name -> index), which are unknown, which are written after
    the pool's header (generic custom:, password_hash), and what is wrong with the names."""
    problems: list[tuple[str | None, str]] = []
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
        if column in allowed:
            continue
        if column == PASSWORD_HASH and password_hashing_algorithm is not None:
            extra.append(column)
            continue
        unknown.add(i)
        if column == PASSWORD_HASH:
            problems.append((column, _password_hash_problem()))
        elif not schema.known and column.startswith("custom:"):
            bad_name = check_custom_name(column, i + 1)
            if bad_name is None:
                unknown.discard(i)
                extra.append(column)
            else:
                problems.append((column, bad_name))
        else:
            problems.append((column, _unknown_problem(schema, column)))
    for column in schema.header:
        # A pool's own attribute may carry a comma or a quote (CustomAttributeNameType allows them).
        if _HEADER_UNWRITABLE.search(column):
            problems.append(
                (
                    column,
                    "is a column of the pool whose name has a comma, backslash or double quote; Cognito's "
                    "CSV header is not quoted and how it reads such a name is unconfirmed, so this pool's "
                    "users cannot be imported from a file",
                )
            )
    return seen, unknown, extra, problems


def _presence_problems(schema: PoolSchema, seen: Mapping[str, int]) -> list[tuple[str | None, str]]:
    """Columns every file for this pool must have."""
    problems: list[tuple[str | None, str]] = []
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


def _unique_why(schema: PoolSchema, attribute: str) -> str:
    role = "as the username" if attribute in schema.username_attributes else "as a sign-in alias"
    return f"the pool uses {attribute} {role}, so each user needs a different one"


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


def _value_checks(
    schema: PoolSchema, columns: Sequence[str], unknown: set[int]
) -> tuple[list[int], list[tuple[int, str, Check | None, str | None]]]:
    """The boolean columns, and (column, name, check, message when empty) of each checked column."""
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
            if column in schema.standard_lengths:
                check = length_check(*schema.standard_lengths[column], then=check)
        if column == MFA_ENABLED:
            mfa_allowed = _MFA_ALLOWED.get(schema.mfa, "true or false") if schema.known else "true or false"
            empty: str | None = f"is empty; allowed: {mfa_allowed}"
        elif column in schema.required:
            empty = f"is empty; the pool requires {column} on every user"
        else:
            empty = None
        if check is not None or empty is not None:
            checks.append((i, column, check, empty))
    return booleans, checks


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
