"""``validate``'s description of a pool that does not exist yet, from flags (no DescribeUserPool needed).

The flags name what a migration's pool will be: case sensitivity of usernames, username attributes,
aliases, MFA, auto-verified, required and custom attributes. Given any of them, the file is checked
against that pool exactly (a known schema: no other ``custom:`` column is accepted).
"""

from __future__ import annotations

import argparse
from typing import Any

from cognito_user_csv.facts import (
    DATA_TYPES,
    MFA_ENABLED,
    SIGN_IN_ATTRIBUTES,
    STANDARD_ATTRIBUTES,
    USERNAME,
    VERIFIABLE,
)
from cognito_user_csv.schema import CustomAttribute, PoolSchema

SHAPE_FLAGS = (
    "case_insensitive",
    "username_attributes",
    "aliases",
    "mfa",
    "required",
    "custom",
    "auto_verified",
)


def _names(allowed: tuple[str, ...]) -> Any:
    def parse(text: str) -> frozenset[str]:
        names = frozenset(name.strip() for name in text.split(",") if name.strip())
        unknown = sorted(names - set(allowed))
        if unknown:
            raise argparse.ArgumentTypeError(f"{', '.join(unknown)}: allowed: {', '.join(allowed)}")
        return names

    return parse


def _custom(text: str) -> CustomAttribute:
    name, _, data_type = text.removeprefix("custom:").partition(":")
    data_type = data_type or "String"
    if not name or data_type not in DATA_TYPES:
        raise argparse.ArgumentTypeError(f"expected NAME[:TYPE] with TYPE one of {', '.join(DATA_TYPES)}")
    return CustomAttribute(name, data_type)


def add_shape_arguments(parser: argparse.ArgumentParser) -> None:
    shape = parser.add_argument_group(
        "the pool's shape (for a pool that does not exist yet; any of these checks against exactly it)"
    )
    shape.add_argument(
        "--case-insensitive",
        action="store_true",
        default=None,
        help="usernames are case-insensitive (sign_in_case_sensitive=False): 'Ada' and 'ada' collide",
    )
    shape.add_argument(
        "--username-attributes", type=_names(VERIFIABLE), metavar="LIST", help="email,phone_number"
    )
    shape.add_argument(
        "--aliases",
        type=_names(SIGN_IN_ATTRIBUTES),
        metavar="LIST",
        help="email,phone_number,preferred_username",
    )
    shape.add_argument("--mfa", choices=["OFF", "ON", "OPTIONAL"], help="the pool's MFA configuration")
    shape.add_argument(
        "--auto-verified", type=_names(VERIFIABLE), metavar="LIST", help="default: email,phone_number"
    )
    shape.add_argument(
        "--required", type=_names(STANDARD_ATTRIBUTES), metavar="LIST", help="required standard attributes"
    )
    shape.add_argument(
        "--custom",
        action="append",
        type=_custom,
        metavar="NAME[:TYPE]",
        help="a custom attribute (repeatable; TYPE String, Number, Boolean or DateTime; default String)",
    )


def shape_given(args: argparse.Namespace) -> bool:
    return any(getattr(args, flag, None) is not None for flag in SHAPE_FLAGS)


def shaped_schema(args: argparse.Namespace) -> PoolSchema:
    """The schema of the pool the flags describe."""
    custom = {attribute.column: attribute for attribute in args.custom or []}
    return PoolSchema(
        header=(*STANDARD_ATTRIBUTES, MFA_ENABLED, USERNAME, *custom),
        required=args.required or frozenset(),
        auto_verified=args.auto_verified if args.auto_verified is not None else frozenset(VERIFIABLE),
        mfa=args.mfa or "OFF",
        custom=custom,
        known=True,
        case_sensitive=not args.case_insensitive,
        username_attributes=args.username_attributes or frozenset(),
        alias_attributes=args.aliases or frozenset(),
    )
