"""What a pool accepts in an import file (:class:`PoolSchema`), read from DescribeUserPool, a CDK pool
(the construct builds one) or JSON (``cognito-user-import validate --pool-schema``).

Pool settings that make values unique: usernames are compared ignoring case in case-insensitive
pools (``UsernameConfiguration.CaseSensitive`` false), and the attributes a pool signs in with
(``UsernameAttributes``, ``AliasAttributes``) must differ between the users of one file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cognito_user_csv.facts import (
    CUSTOM_PREFIX,
    MAX_STANDARD_VALUE_CHARS,
    MFA_MODES,
    SIGN_IN_ATTRIBUTES,
    STANDARD_ATTRIBUTES,
    VERIFIABLE,
    pool_header,
)


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
        return f"{CUSTOM_PREFIX}{self.name}"


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
        custom, lengths = _described_attributes(attributes)
        header = tuple(csv_header) or pool_header(custom)
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
            header=pool_header(()),
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
                name=str(item["name"]).removeprefix(CUSTOM_PREFIX),
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


def _described_attributes(
    attributes: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, CustomAttribute], dict[str, tuple[int | None, int | None]]]:
    """DescribeUserPool's SchemaAttributes: the custom attributes (keyed by column) and the standard
    attributes' length limits narrower than Cognito's default."""
    custom: dict[str, CustomAttribute] = {}
    lengths: dict[str, tuple[int | None, int | None]] = {}
    for attr in attributes:
        name = str(attr.get("Name", ""))
        bare = name.removeprefix("dev:")
        strings = attr.get("StringAttributeConstraints") or {}
        if name in STANDARD_ATTRIBUTES:
            limits = narrower_lengths(_opt_int(strings.get("MinLength")), _opt_int(strings.get("MaxLength")))
            if limits is not None:
                lengths[name] = limits
            continue
        if not bare.startswith(CUSTOM_PREFIX):
            continue
        numbers = attr.get("NumberAttributeConstraints") or {}
        custom[bare] = CustomAttribute(
            name=bare.removeprefix(CUSTOM_PREFIX),
            data_type=str(attr.get("AttributeDataType", "String")),
            min_length=_opt_int(strings.get("MinLength")),
            max_length=_opt_int(strings.get("MaxLength")),
            min_value=_opt_int(numbers.get("MinValue")),
            max_value=_opt_int(numbers.get("MaxValue")),
            mutable=bool(attr.get("Mutable", True)),
        )
    return custom, lengths


def _sign_in(values: Any) -> frozenset[str]:
    """The sign-in attributes named in a list (None or absent: none)."""
    return frozenset(str(v) for v in values or [] if v in SIGN_IN_ATTRIBUTES)


def narrower_lengths(low: int | None, high: int | None) -> tuple[int | None, int | None] | None:
    """A standard attribute's length limits, or None when they are Cognito's default 0-2048."""
    low = low or None
    high = high if high is not None and high < MAX_STANDARD_VALUE_CHARS else None
    return None if low is None and high is None else (low, high)
