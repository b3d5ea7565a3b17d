"""Synth-time validation of a user file, with the pool's own schema when the pool is defined in this app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Token
from aws_cdk import aws_cognito as cognito

from cognito_user_import_handler import csv_dialect
from cognito_user_import_handler.csv_rules import (
    MFA_ENABLED,
    MFA_MODES,
    STANDARD_ATTRIBUTES,
    USERNAME,
    VERIFIABLE,
    CustomAttribute,
    PoolSchema,
)


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


def _schema_attributes(
    cfn: cognito.CfnUserPool,
) -> tuple[frozenset[str], dict[str, CustomAttribute]] | None:
    """Required standard attributes and custom attributes, or None when any part is a token."""
    schema = cfn.schema
    if schema is None:
        return frozenset(), {}
    if Token.is_unresolved(schema) or not isinstance(schema, list):
        return None
    required: set[str] = set()
    custom: dict[str, CustomAttribute] = {}
    for attr in schema:
        if not isinstance(attr, cognito.CfnUserPool.SchemaAttributeProperty) or not _known(attr.name):
            return None
        name = str(attr.name)
        if name in STANDARD_ATTRIBUTES:
            if attr.required is True:
                required.add(name)
            elif attr.required is not None and attr.required is not False:
                return None  # a token: which attributes are required is unknown
        else:
            bare = name.removeprefix("custom:")
            custom[f"custom:{bare}"] = _custom_attribute(bare, attr)
    return frozenset(required), custom


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
        )
    required, custom = attributes
    return PoolSchema(
        header=(*STANDARD_ATTRIBUTES, MFA_ENABLED, USERNAME, *custom),
        required=required,
        auto_verified=auto_verified,
        mfa=mfa,
        custom=custom,
        known=True,
    )


def validate_source(path: Path, display_name: str, user_pool: cognito.IUserPool) -> None:
    """Check the file against the pool's rules; raise ValidationError (FILE:LINE, column, value, allowed)."""
    # One streaming pass, nothing written: fast enough for Cognito's 500,000-user maximum.
    csv_dialect.validate_file(
        path, schema=pool_schema(user_pool), display_name=display_name
    ).raise_for_problems()
