"""Synth-time validation of a user file, with the pool's own schema when the pool is defined in this app."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aws_cdk import Token
from aws_cdk import aws_cognito as cognito

from cognito_user_csv.conversion import validate_file
from cognito_user_csv.facts import (
    MFA_ENABLED,
    MFA_MODES,
    SIGN_IN_ATTRIBUTES,
    STANDARD_ATTRIBUTES,
    USERNAME,
    VERIFIABLE,
)
from cognito_user_csv.problems import ValidationError
from cognito_user_csv.schema import CustomAttribute, PoolSchema, narrower_lengths


def _known(value: Any) -> bool:
    return value is not None and not Token.is_unresolved(value)


def _int_or_none(value: Any) -> int | None:
    # CloudFormation writes constraints as strings ("1", "64"); a token is simply not checked.
    if not _known(value):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def _custom_attribute(name: str, attr: cognito.CfnUserPool.SchemaAttributeProperty) -> CustomAttribute:
    strings = attr.string_attribute_constraints
    numbers = attr.number_attribute_constraints
    strings = strings if isinstance(strings, cognito.CfnUserPool.StringAttributeConstraintsProperty) else None
    numbers = numbers if isinstance(numbers, cognito.CfnUserPool.NumberAttributeConstraintsProperty) else None
    data_type = attr.attribute_data_type if _known(attr.attribute_data_type) else "String"
    return CustomAttribute(
        name=name,
        data_type=str(data_type),
        min_length=_int_or_none(strings.min_length) if strings else None,
        max_length=_int_or_none(strings.max_length) if strings else None,
        min_value=_int_or_none(numbers.min_value) if numbers else None,
        max_value=_int_or_none(numbers.max_value) if numbers else None,
        mutable=attr.mutable is not False,
    )


@dataclass
class _Attributes:
    required: set[str] = field(default_factory=set)
    custom: dict[str, CustomAttribute] = field(default_factory=dict)
    lengths: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


def _schema_attributes(cfn: cognito.CfnUserPool) -> _Attributes | None:
    """Required standard attributes, their length limits and custom attributes, or None when any
    part is a token."""
    schema = cfn.schema
    found = _Attributes()
    if schema is None:
        return found
    if Token.is_unresolved(schema) or not isinstance(schema, list):
        return None
    for attr in schema:
        if not isinstance(attr, cognito.CfnUserPool.SchemaAttributeProperty) or not _known(attr.name):
            return None
        name = str(attr.name)
        if name in STANDARD_ATTRIBUTES:
            if attr.required is True:
                found.required.add(name)
            elif attr.required is not None and attr.required is not False:
                return None  # a token: which attributes are required is unknown
            # CDK's StandardAttribute has no length limits, but CfnUserPool (an escape hatch) has.
            limits = _custom_attribute(name, attr)
            narrower = narrower_lengths(limits.min_length, limits.max_length)
            if narrower is not None:
                found.lengths[name] = narrower
        else:
            bare = name.removeprefix("custom:")
            found.custom[f"custom:{bare}"] = _custom_attribute(bare, attr)
    return found


def _known_list(value: Any) -> list[str] | None:
    """A list property's strings; None when it or an element is a token."""
    if value is None:
        return []
    if not _known(value) or not isinstance(value, list) or not all(_known(v) for v in value):
        return None
    return [str(v) for v in value]


def _sign_in_settings(cfn: cognito.CfnUserPool) -> dict[str, Any]:
    """PoolSchema's case_sensitive, username_attributes and alias_attributes, where known.

    A token leaves that setting at the generic rules: the handler checks it against the pool.
    """
    settings: dict[str, Any] = {}
    config = cfn.username_configuration
    # sign_in_case_sensitive=False; absent (None) means case-sensitive, as in Cognito.
    if (
        isinstance(config, cognito.CfnUserPool.UsernameConfigurationProperty)
        and config.case_sensitive is False
    ):
        settings["case_sensitive"] = False
    for key, value in (
        ("username_attributes", cfn.username_attributes),
        ("alias_attributes", cfn.alias_attributes),
    ):
        names = _known_list(value)
        if names is not None:
            settings[key] = frozenset(n for n in names if n in SIGN_IN_ATTRIBUTES)
    return settings


def pool_schema(user_pool: cognito.IUserPool) -> PoolSchema:
    """The import rules of ``user_pool`` as far as they are known at synth time.

    A ``cognito.UserPool`` of this app is read from its CfnUserPool; parts that are tokens fall back to
    the generic rules. Any other pool (imported, or a custom implementation) gets the generic rules.
    """
    generic = PoolSchema.generic()
    cfn = user_pool.node.default_child if isinstance(user_pool, cognito.UserPool) else None
    if not isinstance(cfn, cognito.CfnUserPool):
        return generic

    auto = cfn.auto_verified_attributes
    if auto is None:
        auto_verified: frozenset[str] = frozenset()
    elif _known(auto) and isinstance(auto, list) and all(_known(a) for a in auto):
        auto_verified = frozenset(str(a) for a in auto if a in VERIFIABLE)
    else:
        auto_verified = generic.auto_verified

    mfa_raw = cfn.mfa_configuration
    mfa = "OFF" if mfa_raw is None else (str(mfa_raw) if _known(mfa_raw) else generic.mfa)
    if mfa not in MFA_MODES:
        mfa = generic.mfa

    attributes = _schema_attributes(cfn)
    if attributes is None:
        # Unknown custom attributes: accept any custom: column, require nothing beyond the generic rules.
        return PoolSchema(
            header=generic.header,
            required=generic.required,
            auto_verified=auto_verified,
            mfa=mfa,
            custom={},
            known=False,
            **_sign_in_settings(cfn),
        )
    return PoolSchema(
        header=(*STANDARD_ATTRIBUTES, MFA_ENABLED, USERNAME, *attributes.custom),
        required=frozenset(attributes.required),
        auto_verified=auto_verified,
        mfa=mfa,
        custom=attributes.custom,
        known=True,
        standard_lengths=attributes.lengths,
        **_sign_in_settings(cfn),
    )


def validate_source(
    path: Path,
    display_name: str,
    user_pool: cognito.IUserPool,
    *,
    password_hashing_algorithm: str | None = None,
) -> None:
    """Check the file against the pool's rules; raise ValidationError (FILE:LINE, column, value, allowed).

    ``password_hashing_algorithm``: the UserImport's; without one a ``password_hash`` column is refused.
    """
    # One streaming pass, nothing written: fast enough for Cognito's 500,000-user maximum.
    try:
        validate_file(
            path,
            schema=pool_schema(user_pool),
            display_name=display_name,
            password_hashing_algorithm=password_hashing_algorithm,
        ).raise_for_problems()
    except ValidationError as error:
        if not display_name.endswith(FROM_USERS_SUFFIX):
            raise
        raise ValidationError(
            [replace(p, message=_as_record_fix(p.message)) for p in error.problems],
            error.total,
            file=error.file,
        ) from None


FROM_USERS_SUFFIX = "(from_users)"
_ADD_COLUMNS = re.compile(r"add the columns (.+)$")


def _as_record_fix(message: str) -> str:
    """A fix written for UserRecord fields: from_users has no columns to add."""
    match = _ADD_COLUMNS.search(message)
    if match is None:
        return message
    flags = [part.split(" and ")[1] for part in match[1].split(" or ") if " and " in part]
    fields = " or ".join(f"{flag}=True" for flag in flags)
    return message[: match.start()] + f"set {fields} on the UserRecords (with the attribute it verifies)"
