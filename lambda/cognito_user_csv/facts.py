"""Cognito's facts about user-import CSV files: names, order, limits. No checks live here.

Each fact names its source; docs/facts.md holds the sources. This module is the one copy of these
facts in the project: the handler's checks and the emulator (an independent oracle, whose rule logic
is its own) both read them from here, so it imports nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# ---- column names (docs/facts.md, "The CSV": the csv-header page and GetCSVHeader)

USERNAME = "cognito:username"
MFA_ENABLED = "cognito:mfa_enabled"

#: The standard attributes GetCSVHeader lists, in its order (docs/facts.md, "The CSV").
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

CUSTOM_PREFIX = "custom:"
"""A custom attribute's column is its name with this prefix (docs/facts.md, "The CSV")."""

#: The column of a password hash: only in a job created with a PasswordHashingAlgorithm. The name is
#: a guess (docs/facts.md, "The job API": unconfirmed).
PASSWORD_HASH = "password_hash"

#: CreateUserImportJob's PasswordHashingAlgorithm values (docs/facts.md, "The job API").
PASSWORD_HASHING_ALGORITHMS: tuple[str, ...] = ("BCRYPT", "SCRYPT", "ARGON2ID", "PBKDF2_SHA256")

#: This project's friendlier header names, written under the real ones (not Cognito's: README).
ALIASES: Mapping[str, str] = {"username": USERNAME, "mfa_enabled": MFA_ENABLED}


def pool_header(custom_columns: Iterable[str]) -> tuple[str, ...]:
    """GetCSVHeader's columns for a pool: the standard attributes, ``cognito:mfa_enabled``,
    ``cognito:username``, then the pool's ``custom:`` columns (docs/facts.md, "The CSV")."""
    return (*STANDARD_ATTRIBUTES, MFA_ENABLED, USERNAME, *custom_columns)


# ---- pool settings the rows depend on

#: The attributes a pool can auto-verify; a row needs one marked verified (docs/facts.md, "The CSV").
VERIFIABLE: tuple[str, ...] = ("email", "phone_number")

#: What a pool may use as UsernameAttributes (email, phone_number) or AliasAttributes (all three)
#: (docs/facts.md, "Pool settings the CSV depends on").
SIGN_IN_ATTRIBUTES: tuple[str, ...] = ("email", "phone_number", "preferred_username")

#: A pool's MfaConfiguration (docs/facts.md, "Pool settings the CSV depends on").
MFA_MODES: tuple[str, ...] = ("OFF", "ON", "OPTIONAL")

#: A schema attribute's AttributeDataType (docs/facts.md, "Pool settings the CSV depends on").
DATA_TYPES: tuple[str, ...] = ("String", "Number", "Boolean", "DateTime")

#: How booleans are written in Cognito's form (docs/facts.md, "The CSV": the rules say true/false).
BOOLEANS: tuple[str, str] = ("true", "false")

# ---- the file (docs/facts.md, "The CSV" and "Limits")

#: UTF-8's byte-order mark: Cognito's file is UTF-8 without one.
BOM = b"\xef\xbb\xbf"

MAX_ROW_CHARS = 16_000
"""Characters a row, in the file Cognito receives (quotas page)."""
MAX_USERS = 500_000
"""Users a file (quotas page)."""
MAX_FILE_BYTES = 100_000_000
"""Bytes a file: "100 MB" read as 100,000,000 bytes, the smaller of its two readings, so a file that
passes here passes whichever Cognito means (docs/facts.md, "Limits")."""

# ---- values (docs/facts.md, "Pool settings the CSV depends on": the API reference's types)

MAX_USERNAME_CHARS = 128
"""UsernameType: 1-128 characters of [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]."""
MAX_STANDARD_VALUE_CHARS = 2048
"""AttributeValueType: the most a standard String attribute holds (its default constraints: 0-2048)."""
MAX_CUSTOM_STRING_CHARS = 2048
"""AttributeValueType: the most a custom String attribute without a MaxLength holds."""
MAX_CUSTOM_NAME_CHARS = 20
"""CustomAttributeNameType: 1-20 characters of [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]."""
