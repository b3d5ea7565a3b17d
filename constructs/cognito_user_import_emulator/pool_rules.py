"""What Cognito checks against the user pool: the CSV header it expects, and each row's verdict.

Reads moto's pool model directly (the caller holds the emulator's state lock).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool, CognitoIdpUserPoolAttribute, UserStatus

# Cognito's facts (column names and order, limits) come from their one copy; the rules below are the
# emulator's own, written from docs/facts.md, so it stays an independent oracle for the handler's
# checks: nothing of cognito_user_csv but its facts is imported here.
from cognito_user_csv.facts import (
    BOOLEANS,
    CUSTOM_PREFIX,
    MAX_CUSTOM_STRING_CHARS,
    MAX_USERNAME_CHARS,
    MFA_ENABLED,
    PASSWORD_HASH,
    USERNAME,
    pool_header,
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: E.164: '+', a country code not starting with 0 and a subscriber number: 2 to 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
#: UsernameType's pattern [\p{L}\p{M}\p{S}\p{N}\p{P}]+ as Unicode general categories.
_USERNAME_CATEGORIES = frozenset("LMSNP")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
#: The CSV page: birthdate is written mm/dd/yyyy.
_BIRTHDATE = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")

Outcome = Literal["SUCCEEDED", "SKIPPED", "FAILED"]


@dataclass(frozen=True)
class RowVerdict:
    outcome: Outcome
    #: The log line's text after "Line Number N - ": names columns and rules, never values.
    reason: str


SUCCEEDED = RowVerdict("SUCCEEDED", "The import succeeded.")
SKIPPED = RowVerdict("SKIPPED", "The user already exists.")


def custom_columns(pool: CognitoIdpUserPool) -> list[str]:
    # Developer-only attributes ("dev:custom:...") cannot be written by users, so they are not columns.
    return [name for name in pool.schema_attributes if name.startswith(CUSTOM_PREFIX)]


def csv_header(pool: CognitoIdpUserPool) -> list[str]:
    return list(pool_header(custom_columns(pool)))


def header_problem(header: list[str], pool: CognitoIdpUserPool, accepts_password_hash: bool) -> str | None:
    """Why the file's header does not fit the pool (every column present, none unknown), or None."""
    expected = csv_header(pool)
    # Only jobs created with a PasswordHashingAlgorithm accept a hash column (its formats are unconfirmed).
    allowed = set(expected) | ({PASSWORD_HASH} if accepts_password_hash else set())
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in allowed]
    problems = []
    if missing:
        problems.append(f"The CSV header is missing the columns: {', '.join(missing)}.")
    if unknown:
        problems.append(f"The CSV header has columns the user pool does not have: {', '.join(unknown)}.")
    return " ".join(problems) or None


class PoolNames:
    """What the pool's users answer to, kept for the length of a job: usernames (lower-cased in a
    case-insensitive pool) and the values of the attributes the pool signs in with.

    Built once per job rather than scanning every user per row (moto's _get_user does, for
    UsernameAttributes pools), and updated as the job creates users.
    """

    def __init__(self, pool: CognitoIdpUserPool) -> None:
        config = pool.extended_config
        # UsernameConfiguration absent: the pool compares usernames as written (CaseSensitive true).
        self.case_sensitive = (config.get("UsernameConfiguration") or {}).get(
            "CaseSensitive", True
        ) is not False
        self.username_attributes = [str(a) for a in config.get("UsernameAttributes") or []]
        self.alias_attributes = [str(a) for a in config.get("AliasAttributes") or []]
        self._usernames: set[str] = set()
        self._values: dict[str, set[str]] = {
            a: set() for a in (*self.username_attributes, *self.alias_attributes)
        }
        for user in pool.users.values():
            self.add(str(user.username), {a["Name"]: a["Value"] for a in user.attributes})

    def _fold(self, name: str) -> str:
        # Cognito's exact folding is unpublished; lower() is the plain reading of "case-insensitive".
        return name if self.case_sensitive else name.lower()

    def _answers_to(self, values: dict[str, str], attribute: str) -> str | None:
        """The value a user answers to through ``attribute``: email and phone only once verified."""
        value = values.get(attribute, "")
        if not value:
            return None
        unverified = values.get(f"{attribute}_verified", "").lower() != "true"
        if attribute in self.alias_attributes and attribute != "preferred_username" and unverified:
            return None
        return self._fold(value)

    def add(self, username: str, values: dict[str, str]) -> None:
        self._usernames.add(self._fold(username))
        for attribute, seen in self._values.items():
            value = self._answers_to(values, attribute)
            if value is not None:
                seen.add(value)

    def exists(self, username: str, values: dict[str, str]) -> bool:
        """A user with this username, or (UsernameAttributes pools) with this email or phone number."""
        folded = self._fold(username)
        if folded in self._usernames or any(folded in self._values[a] for a in self.username_attributes):
            return True
        return any(
            (value := self._answers_to(values, a)) is not None and value in self._values[a]
            for a in self.username_attributes
        )

    def alias_taken(self, values: dict[str, str]) -> str | None:
        """The sign-in alias another user already answers to (Cognito's AliasExistsException)."""
        for attribute in self.alias_attributes:
            value = self._answers_to(values, attribute)
            if value is not None and value in self._values[attribute]:
                return attribute
        return None


def _username_problem(username: str) -> str | None:
    if not username:
        return f"{USERNAME} is missing."
    if len(username) > MAX_USERNAME_CHARS or not _all_in_categories(username, _USERNAME_CATEGORIES):
        return (
            f"{USERNAME} must be 1-{MAX_USERNAME_CHARS} letters, marks, symbols, numbers or punctuation "
            "(no spaces, control or format characters)."
        )
    return None


def _all_in_categories(text: str, major: frozenset[str]) -> bool:
    return all(unicodedata.category(char)[0] in major for char in text)


def import_row(
    pool: CognitoIdpUserPool,
    values: dict[str, str],
    accepts_password_hash: bool,
    names: PoolNames | None = None,
) -> RowVerdict:
    """Judge one readable row; on success the user is created in the moto pool (and in ``names``,
    the job's view of who exists; None builds one, which reads every user)."""
    names = names if names is not None else PoolNames(pool)
    username = values.get(USERNAME, "")
    username_problem = _username_problem(username)
    if username_problem:
        return _failed(username_problem)
    if pool.users.get(username) is not None or names.exists(username, values):
        return SKIPPED
    problem = _row_problem(pool, values)
    if problem:
        return _failed(problem)
    taken = names.alias_taken(values)
    if taken:
        return _failed(f"An account with the given {taken} already exists.")
    attributes = [
        {"Name": name, "Value": _stored_value(pool, name, value)}
        for name, value in values.items()
        if value and name not in (USERNAME, MFA_ENABLED, PASSWORD_HASH)
    ]
    has_hash = accepts_password_hash and bool(values.get(PASSWORD_HASH))
    status = UserStatus.CONFIRMED if has_hash else UserStatus.RESET_REQUIRED
    # Pools that sign in with email or phone number name their users by sub, as Cognito and moto do.
    uses_alias_username = bool(pool.extended_config.get("UsernameAttributes"))
    user = CognitoIdpUser(pool.id, None if uses_alias_username else username, None, status, attributes)
    pool.users[user.username] = user
    names.add(username, {a["Name"]: a["Value"] for a in attributes})
    return SUCCEEDED


def _failed(reason: str) -> RowVerdict:
    return RowVerdict("FAILED", reason)


def _row_problem(pool: CognitoIdpUserPool, values: dict[str, str]) -> str | None:
    mfa_problem = _mfa_problem(str(pool.mfa_config or "OFF"), values.get(MFA_ENABLED, ""))
    if mfa_problem:
        return mfa_problem
    for name, value in values.items():
        if name in (USERNAME, MFA_ENABLED, PASSWORD_HASH):
            continue
        problem = _value_problem(pool, name, value)
        if problem:
            return problem
    auto_verified = [str(name) for name in pool.extended_config.get("AutoVerifiedAttributes") or []]
    if not any(
        values.get(name) and values.get(f"{name}_verified", "").lower() == "true" for name in auto_verified
    ):
        allowed = " or ".join(f"{name}_verified=true with {name} set" for name in auto_verified)
        return (
            f"The user has no auto-verified attribute marked verified (needs {allowed})."
            if auto_verified
            else "The user pool has no auto-verified attributes, so no user can be imported."
        )
    return None


def _mfa_problem(mfa_config: str, value: str) -> str | None:
    lowered = value.lower()
    if lowered not in BOOLEANS:
        return f"{MFA_ENABLED} must be true or false."
    if mfa_config == "ON" and lowered != "true":
        return f"{MFA_ENABLED} must be true: the user pool requires MFA."
    if mfa_config == "OFF" and lowered != "false":
        return f"{MFA_ENABLED} must be false: MFA is off in the user pool."
    return None


def _schema(pool: CognitoIdpUserPool, name: str) -> dict[str, Any]:
    """The attribute's type, required flag and constraints; moto keeps only what the pool was created
    with, so standard attributes fall back to Cognito's standard schema."""
    attribute = pool.schema_attributes.get(name)
    if attribute is not None:
        return {
            "type": attribute.data_type,
            "required": bool(attribute.required),
            "string": attribute.string_constraints or {},
            "number": attribute.number_constraints or {},
        }
    standard = CognitoIdpUserPoolAttribute.STANDARD_SCHEMA[name]
    return {
        "type": standard["AttributeDataType"],
        "required": False,
        "string": standard.get("StringAttributeConstraints", {}),
        "number": standard.get("NumberAttributeConstraints", {}),
    }


def _value_problem(pool: CognitoIdpUserPool, name: str, value: str) -> str | None:
    schema = _schema(pool, name)
    if not value:
        return f"The required attribute {name} is missing." if schema["required"] else None
    data_type = schema["type"]
    if data_type == "Boolean" and value.lower() not in BOOLEANS:
        return f"{name} must be true or false."
    if data_type == "Number":
        # Not int(value): that would also take "1_000" and digits of other scripts.
        if not _WHOLE_NUMBER.fullmatch(value):
            return f"{name} must be a whole number."
        number = int(value)
        low, high = schema["number"].get("MinValue"), schema["number"].get("MaxValue")
        if (low not in (None, "") and number < int(low)) or (high not in (None, "") and number > int(high)):
            return f"{name} is outside its allowed range."
    if data_type == "String":
        low, high = schema["string"].get("MinLength"), schema["string"].get("MaxLength")
        longest = int(high or MAX_CUSTOM_STRING_CHARS)  # a String without MaxLength holds this many
        if (low not in (None, "") and len(value) < int(low)) or len(value) > longest:
            return f"{name} has a length outside its allowed range."
    if name == "email" and not _EMAIL.fullmatch(value):
        return "email is not a valid email address."
    if name == "birthdate" and not _BIRTHDATE.fullmatch(value):
        return "birthdate must be written mm/dd/yyyy."
    if name == "phone_number" and not _E164.fullmatch(value):
        return "phone_number is not in E.164 format (+, the country code and the number: 2 to 15 digits)."
    return None


def _stored_value(pool: CognitoIdpUserPool, name: str, value: str) -> str:
    return value.lower() if _schema(pool, name)["type"] == "Boolean" else value
