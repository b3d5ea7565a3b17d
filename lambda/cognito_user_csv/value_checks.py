"""What each value must look like: one check a kind of value, each returning None when the value is
fine, else what is wrong and what is allowed.

Empty values never reach the checks (emptiness is a rule of its own: required or not). Values are
also refused when Cognito's unquoted CSV cannot carry them as written (:func:`unreadable_message`).
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping

from cognito_user_csv.facts import (
    CUSTOM_PREFIX,
    MAX_CUSTOM_NAME_CHARS,
    MAX_CUSTOM_STRING_CHARS,
    MAX_STANDARD_VALUE_CHARS,
    MAX_USERNAME_CHARS,
    MFA_ENABLED,
)
from cognito_user_csv.schema import CustomAttribute

Check = Callable[[str], str | None]

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
HEADER_UNWRITABLE = re.compile(r'[,\\"\r\n]')


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
    name = column.removeprefix(CUSTOM_PREFIX)
    if (
        not name
        or len(name) > MAX_CUSTOM_NAME_CHARS
        or username_is_bad(name)
        or HEADER_UNWRITABLE.search(name)
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


def mfa_check(mode: str) -> Check:
    """``cognito:mfa_enabled`` as the pool's MFA configuration requires (booleans already checked)."""

    def check(value: str) -> str | None:
        if mode == "ON" and value == "false":
            return "is not allowed: the pool's MFA is ON, so every user needs true"
        if mode == "OFF" and value == "true":
            return "is not allowed: the pool's MFA is OFF, so every user needs false"
        return None

    return check


# ---- what Cognito's unquoted CSV cannot carry

# Why these characters are refused: Cognito's CSV has no quoting and how it reads them is unconfirmed.
UNREADABLE = {'"': "a double quote", "\\": "a backslash", "\n": "a line break", "\r": "a line break"}
UNREADABLE_WHY = (
    "Cognito's CSV has no quoting and how it reads double quotes, backslashes and line breaks is "
    "unconfirmed, so values cannot contain them"
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
