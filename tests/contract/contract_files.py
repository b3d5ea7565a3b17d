"""Hypothesis strategies for the contract test: pools as CreateUserPool takes them, and user files.

A file is drawn either *clean* (values the documented rules allow, with commas, scripts, trimmed
spaces, values at their length limits) or *mixed* (tricky values as well: quotes, backslashes, line
breaks, invisible characters, other whitespace at the edges, bad phone/email/date shapes, too long,
duplicates differing in case). Clean files exercise "accepted means imported exactly"; mixed ones
"failed by the emulator means refused by the handler".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hypothesis import strategies as st

USERNAME, MFA, HASH = "cognito:username", "cognito:mfa_enabled", "password_hash"
BOOLEAN_STANDARD = frozenset({"email_verified", "phone_number_verified"})
STANDARD_MAX = 2048
HASH_VALUE = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"


@dataclass(frozen=True)
class Pool:
    """A pool as CreateUserPool takes it, and what the file strategies need to know of it."""

    request: dict[str, Any]
    custom: dict[str, str]
    """custom:name -> data type."""
    lengths: dict[str, tuple[int, int]]
    """String length limits (standard and custom) other than 0-2048."""
    ranges: dict[str, tuple[int | None, int | None]]
    """Number limits of custom Number attributes."""
    required: frozenset[str]
    auto_verified: tuple[str, ...]
    mfa: str
    algorithm: str | None

    @property
    def username_attributes(self) -> list[str]:
        return list(self.request.get("UsernameAttributes", []))


# ---- pools --------------------------------------------------------------------------------------

_CUSTOM_NAMES = st.text("abcdefghij", min_size=1, max_size=6)
_LIMITABLE = ("name", "given_name", "family_name", "address", "locale", "nickname")
_REQUIRABLE = ("name", "given_name", "family_name", "birthdate", "address", "locale", "phone_number", "email")
_SIGN_IN: list[dict[str, list[str]]] = [
    {},
    {"AliasAttributes": ["email"]},
    {"AliasAttributes": ["email", "preferred_username"]},
    {"AliasAttributes": ["phone_number"]},
    {"UsernameAttributes": ["email"]},
    {"UsernameAttributes": ["email", "phone_number"]},
]


@st.composite
def custom_attribute(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["String", "Number", "Boolean"]))
    attr: dict[str, Any] = {"Name": draw(_CUSTOM_NAMES), "AttributeDataType": kind}
    if kind == "String" and draw(st.booleans()):
        low = draw(st.integers(0, 3))
        high = draw(st.integers(max(low, 1), 12))
        attr["StringAttributeConstraints"] = {"MinLength": str(low), "MaxLength": str(high)}
    if kind == "Number" and draw(st.booleans()):
        low = draw(st.integers(0, 5))  # moto refuses negative limits
        attr["NumberAttributeConstraints"] = {
            "MinValue": str(low),
            "MaxValue": str(draw(st.integers(low, 99))),
        }
    return attr


def _standard_schema(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Required standard attributes and length limits on some."""
    required = draw(st.sets(st.sampled_from(_REQUIRABLE), max_size=2))
    schema = {n: {"Name": n, "AttributeDataType": "String", "Required": True} for n in sorted(required)}
    for name in sorted(draw(st.sets(st.sampled_from(_LIMITABLE), max_size=2))):
        low, high = draw(st.integers(0, 2)), draw(st.integers(3, 12))
        entry = schema.setdefault(name, {"Name": name, "AttributeDataType": "String"})
        entry["StringAttributeConstraints"] = {"MinLength": str(low), "MaxLength": str(high)}
    return list(schema.values())


def pool_from_request(request: dict[str, Any], algorithm: str | None = None) -> Pool:
    """What the strategies need to know of a CreateUserPool request."""
    lengths: dict[str, tuple[int, int]] = {}
    ranges: dict[str, tuple[int | None, int | None]] = {}
    custom: dict[str, str] = {}
    for attr in request.get("Schema", []):
        standard = attr["Name"] in _LIMITABLE or attr["Name"] in _REQUIRABLE
        column = attr["Name"] if standard else f"custom:{attr['Name']}"
        if not standard:
            custom[column] = attr["AttributeDataType"]
        strings, numbers = attr.get("StringAttributeConstraints"), attr.get("NumberAttributeConstraints")
        if strings:
            lengths[column] = (int(strings["MinLength"]), int(strings["MaxLength"]))
        if attr["AttributeDataType"] == "Number":
            ranges[column] = (int(numbers["MinValue"]), int(numbers["MaxValue"])) if numbers else (None, None)
    return Pool(
        request=request,
        custom=custom,
        lengths=lengths,
        ranges=ranges,
        required=frozenset(a["Name"] for a in request.get("Schema", []) if a.get("Required")),
        auto_verified=tuple(request["AutoVerifiedAttributes"]),
        mfa=request.get("MfaConfiguration", "OFF"),
        algorithm=algorithm,
    )


@st.composite
def pools(draw: st.DrawFn) -> Pool:
    customs = draw(st.lists(custom_attribute(), max_size=3, unique_by=lambda a: a["Name"]))
    schema = _standard_schema(draw)
    auto = draw(st.sampled_from([("email",), ("phone_number",), ("email", "phone_number")]))
    mfa = draw(st.sampled_from(["OFF", "ON", "OPTIONAL"]))
    request: dict[str, Any] = {"AutoVerifiedAttributes": list(auto), "MfaConfiguration": mfa}
    if schema or customs:
        request["Schema"] = schema + customs
    case = draw(st.sampled_from([None, True, False]))
    if case is not None:
        request["UsernameConfiguration"] = {"CaseSensitive": case}
    request.update(draw(st.sampled_from(_SIGN_IN)))
    return pool_from_request(request, draw(st.sampled_from([None, None, "BCRYPT"])))


# ---- values -------------------------------------------------------------------------------------

_TRICKY = st.sampled_from(
    [",", "\\", '"', "\n", "\r", "\t", " ", "\u00a0", "\u200b", "\u2028", "\x1f", "é", "山", "👍", "'", ";"]
)
# Outside Cognito's username pattern though not whitespace: format (Cf), private-use, unassigned.
_INVISIBLE = st.sampled_from(["\u200b", "\u00ad", "\u2060", "\ufeff", "\u200e", "\ue000", "\U000e0fff"])
_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)
# What the rules allow inside a value: no control characters, double quotes or backslashes.
_GOOD_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters='"\\'), max_size=10
)
# Case variants, and names that are other rows' emails, phone numbers or preferred usernames.
_NAMES = ["ana", "Ana", "ANA", "straße", "STRASSE", "σίσυφος", "ΣΊΣΥΦΟΣ", "zoë", "a+b@c.d"]
_NAMES += ["user0@example.com", "User1@Example.com", "+12065550000", "pref0"]
_GOOD_USERNAME = st.text(
    st.characters(categories=["L", "M", "N", "P", "S"], exclude_characters='"\\'), min_size=1, max_size=8
)


@st.composite
def any_text(draw: st.DrawFn) -> str:
    value = draw(st.one_of(_ANY_TEXT, st.lists(st.one_of(_ANY_TEXT, _TRICKY), max_size=4).map("".join)))
    shape = draw(st.sampled_from(["as is", "as is", "edged", "long"]))
    if shape == "edged":
        value = (
            draw(st.sampled_from([" ", "\t", "\u00a0", "\u3000"])) + value + draw(st.sampled_from(["", " "]))
        )
    elif shape == "long":
        value = "x" * draw(st.sampled_from([2047, 2048, 2049])) + value[:1]
    return value


@st.composite
def good_text(draw: st.DrawFn, low: int, high: int, required: bool) -> str:
    """A value of ``low`` to ``high`` characters (empty when not required), maybe edged with spaces."""
    value = draw(_GOOD_TEXT).strip()  # Unicode whitespace at the edges is refused (unconfirmed trim)
    if draw(st.integers(0, 9)) == 0:
        value = "x" * high  # at the limit
    value = value[:high]
    if (value or required) and len(value) < max(low, 1):
        value = value + "x" * (max(low, 1) - len(value))
    if not required and draw(st.integers(0, 4)) == 0:
        value = ""
    if value and draw(st.integers(0, 4)) == 0:
        value = draw(st.sampled_from([" ", "\t", "  "])) + value + draw(st.sampled_from(["", " ", "\t"]))
    return value


def any_values(pool: Pool, column: str) -> st.SearchStrategy[str]:
    """Values at and across the rules' edges (good ones come from good_values)."""
    shaped: dict[str, st.SearchStrategy[str]] = {
        USERNAME: st.one_of(
            st.sampled_from(_NAMES),
            st.sampled_from(_NAMES).flatmap(lambda n: _TRICKY.map(lambda t: n[:2] + t + n[2:])),
            st.sampled_from(_NAMES).flatmap(lambda n: _INVISIBLE.map(lambda t: n[:2] + t + n[2:])),
            st.sampled_from(["u" * 128, "u" * 129, "é" * 129]),
        ),
        MFA: st.sampled_from(["true", "TRUE", "false", "", "yes"]),
        HASH: st.sampled_from([HASH_VALUE, "", 'a"b', "a\\b"]),
        "email": st.sampled_from(
            [
                "user0@example.com",
                "USER1@example.com",
                "a@b.c.",
                "a,b@example.com",
                "plain",
                "a@b",
                "a@b.",
                "",
            ]
        ),
        "phone_number": st.sampled_from(
            [
                "+12065550000",
                "+1",
                "+12",
                "+0123",
                "2065550100",
                "+1 206",
                "+1234567890123456",
                "+123456789012345",
            ]
        ),
        "email_verified": st.sampled_from(["TRUE", "false", "", "yes"]),
        "phone_number_verified": st.sampled_from(["True", "false", "", "1"]),
        "birthdate": st.sampled_from(["02/29/2000", "02/30/2000", "1990-04-23", "4/3/1990", "04/23/90"]),
        "updated_at": st.sampled_from(["0", "-5", "17.5", "1_000", "+5"]),
        "preferred_username": st.sampled_from([*_NAMES, "pref0", "PREF1", ""]),
    }
    if column in shaped:
        return shaped[column]
    kind = pool.custom.get(column)
    if kind == "Number":
        return st.one_of(
            st.integers(-3, 120).map(str), st.sampled_from(["1.5", "abc", "1_000", " 7 ", "+5", ""])
        )
    if kind == "Boolean":
        return st.sampled_from(["true", "TRUE", "false", "False", "", "yes"])
    return any_text()


def good_values(pool: Pool, column: str, row: int, verified: frozenset[str]) -> st.SearchStrategy[str]:
    """Values the documented rules allow; ``row`` makes sign-in values differ between users."""
    # Marked verified: the attribute needs its value.
    required = column in pool.required or f"{column}_verified" in verified
    if column in verified:
        return st.sampled_from(["true", "TRUE", "True"])
    fixed: dict[str, st.SearchStrategy[str]] = {
        MFA: st.sampled_from(
            {"ON": ["true", "TRUE"], "OFF": ["false"], "OPTIONAL": ["true", "false", "FALSE"]}[pool.mfa]
        ),
        HASH: st.sampled_from([HASH_VALUE, ""]),
        "email": st.sampled_from([f"user{row}@example.com", f"Zoë{row}@exämple.es", f"a,b{row}@example.com"]),
        "phone_number": st.just(f"+1206555{row:04d}"),
        "email_verified": st.sampled_from(["true", "false", "FALSE"]),
        "phone_number_verified": st.sampled_from(["true", "false"]),
        "birthdate": st.dates(date(1900, 1, 1), date(2099, 12, 31)).map(lambda d: d.strftime("%m/%d/%Y")),
        "updated_at": st.integers(0, 2_000_000_000).map(str),
        "preferred_username": st.sampled_from([f"pref{row}", f"Préféré{row}"]),
    }
    if column in fixed:
        strategy = fixed[column]
        return strategy if required or column in (MFA,) else st.one_of(strategy, st.just(""))
    kind = pool.custom.get(column)
    if kind == "Number":
        low, high = pool.ranges[column]
        return st.integers(low if low is not None else -5, high if high is not None else 10**6).map(str)
    if kind == "Boolean":
        return st.sampled_from(["true", "false", "TRUE", ""])
    low, high = pool.lengths.get(column, (0, STANDARD_MAX))
    return good_text(low, high, required)


# ---- files --------------------------------------------------------------------------------------


@dataclass
class UserFile:
    header: list[str]
    """As written in the file (the aliases username and mfa_enabled allowed)."""
    columns: list[str]
    """The real column names."""
    clean: bool
    rows: list[dict[str, str]] = field(default_factory=list)


_OPTIONAL = (
    "name",
    "given_name",
    "address",
    "locale",
    "nickname",
    "email",
    "phone_number",
    "birthdate",
    "updated_at",
    "preferred_username",
    "email_verified",
    "phone_number_verified",
)


@st.composite
def user_files(draw: st.DrawFn, pool: Pool) -> UserFile:
    verified = frozenset(
        f"{a}_verified" for a in draw(st.sets(st.sampled_from(pool.auto_verified), min_size=1))
    )
    must = {USERNAME, *pool.required, *verified, *(v.removesuffix("_verified") for v in verified)}
    optional = [c for c in (*_OPTIONAL, *pool.custom) if c not in must]
    columns = sorted(must) + sorted(draw(st.sets(st.sampled_from(optional), max_size=4)))
    clean = draw(st.booleans())
    if draw(st.booleans()):
        columns.append(MFA)
    # A hash column without the job's algorithm is refused at the header: rarely worth a draw.
    if (pool.algorithm or not clean) and draw(st.integers(0, 15 if pool.algorithm is None else 2)) == 0:
        columns.append(HASH)
    columns = list(draw(st.permutations(columns)))
    aliases = {USERNAME: "username", MFA: "mfa_enabled"} if draw(st.booleans()) else {}
    # Mixed files are longer: the emulator judges each row, so one job checks many tricky values.
    count = draw(st.integers(1, 4) if clean else st.integers(2, 10))
    # Different whatever the pool's case rule (the index); in a pool signing in with email, sometimes
    # the email.
    names = [f"{draw(_GOOD_USERNAME)}.{i}" for i in range(count)]
    rows = []
    for i in range(count):
        row = {c: draw(good_values(pool, c, i, verified)) for c in columns if c != USERNAME}
        email_name = "email" in pool.username_attributes and row.get("email") and draw(st.booleans())
        rows.append({USERNAME: row["email"].strip() if email_name else names[i], **row})
    if not clean:
        # About half the rows get one tricky value, alone in its row: each verdict is about one rule.
        for row in rows:
            if draw(st.booleans()):
                column = draw(st.sampled_from(columns))
                row[column] = draw(any_values(pool, column))
        for _ in range(draw(st.integers(1, 2)) if len(rows) > 1 else 0):
            _borrow(draw, pool, rows, columns)
    return UserFile(header=[aliases.get(c, c) for c in columns], columns=columns, clean=clean, rows=rows)


def _borrow(draw: st.DrawFn, pool: Pool, rows: list[dict[str, str]], columns: list[str]) -> None:
    """A later row takes a value an earlier one is known by, maybe in another case: usernames (for
    case-insensitive pools), sign-in aliases, and in pools signing in with email or phone number a
    username that is another user's email or phone number, or the reverse."""
    both = [a for a in (*pool.request.get("AliasAttributes", []), *pool.username_attributes) if a in columns]
    pairs = [(USERNAME, USERNAME), *((a, a) for a in both)]
    pairs += [(a, USERNAME) for a in pool.username_attributes if a in columns]
    pairs += [(USERNAME, a) for a in pool.username_attributes if a in columns]
    source, into = draw(st.sampled_from(pairs))
    first, later = sorted(draw(st.lists(st.integers(0, len(rows) - 1), min_size=2, max_size=2, unique=True)))
    value = rows[first][source]
    rows[later][into] = draw(st.sampled_from([value, value.upper(), value.swapcase()]))


def render(file: UserFile, line_end: str) -> tuple[bytes, list[int]]:
    """The file as ordinary CSV, and the line each row starts on (quoted line breaks take lines)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(file.header)
    starts = []
    for row in file.rows:
        starts.append(out.getvalue().count("\n") + 1)
        writer.writerow([row[c] for c in file.columns])
    return out.getvalue().encode("utf-8"), starts


def expected_attributes(pool: Pool, row: dict[str, str]) -> dict[str, str]:
    """The attributes a row's user must end up with: trimmed as Cognito trims, booleans lower-cased."""
    found = {}
    for column, raw in row.items():
        value = raw.strip(" \t")
        if column in (USERNAME, MFA, HASH) or not value:
            continue
        boolean = column in BOOLEAN_STANDARD or pool.custom.get(column) == "Boolean"
        found[column] = value.lower() if boolean else value
    return found


def cognito_dialect(header: list[str], file: UserFile, pool: Pool) -> tuple[bytes, list[int]]:
    """The rows in Cognito's dialect, written by this test (\\, for a comma; a column the file lacks is
    empty, cognito:mfa_enabled the pool's MFA, as the README documents). A row with a line break in a
    value cannot be written: the indexes of those rows are returned."""
    fill = {MFA: "true" if pool.mfa == "ON" else "false"}
    lines = [",".join(header)]
    unwritable = []
    for index, row in enumerate(file.rows):
        values = [row.get(c, fill.get(c, "")) for c in header]
        if any("\n" in v or "\r" in v for v in values):
            unwritable.append(index)
            continue
        lines.append(",".join(v.replace(",", "\\,") for v in values))
    return ("\n".join(lines) + "\n").encode("utf-8"), unwritable
