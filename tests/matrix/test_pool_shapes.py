"""The pool-shape matrix: the same life of a seed in every shape of pool users bring.

Each shape goes through: Create; an unchanged redeploy (no job); rows added (exactly those imported);
the columns reordered (no job); a row changed for an existing user (no job, named as not applied); a
bad row (refused before any job, named by line). The real handler, forked per invocation, against the
emulator, driven like CloudFormation (the same harness as the delivery matrix).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from matrix_harness import Cell

Row = dict[str, str]


@dataclass(frozen=True)
class Shape:
    name: str
    pool: dict[str, Any]
    """CreateUserPool's arguments beyond the name."""
    row: Callable[[int], Row]
    """The n-th user's row (1-based)."""
    bad: Callable[[Row], Row]
    """A row made bad in a way this shape's rules refuse."""
    identity: str = "username"
    """What tells users apart in the pool: the username, or the attribute users sign in with."""
    extra: dict[str, Any] = field(default_factory=dict)


def _email_row(n: int) -> Row:
    return {
        "cognito:username": f"user{n}",
        "email": f"user{n}@example.com",
        "email_verified": "true",
        "given_name": f"Given{n}",
    }


def _phone_row(n: int) -> Row:
    return {
        "cognito:username": f"user{n}",
        "phone_number": f"+1206555{n:04d}",
        "phone_number_verified": "true",
        "given_name": f"Given{n}",
    }


EMAIL = {"AutoVerifiedAttributes": ["email"]}
STRING = {"AttributeDataType": "String", "Mutable": True}
SHAPES = [
    Shape("username_only", EMAIL, _email_row, lambda r: r | {"email_verified": "false"}),
    Shape(
        "aliases",
        EMAIL | {"AliasAttributes": ["email", "phone_number", "preferred_username"]},
        lambda n: _email_row(n) | {"preferred_username": f"nick{n}"},
        lambda r: r | {"preferred_username": "nick1"},  # another user's alias
    ),
    Shape(
        "email_as_username",
        EMAIL | {"UsernameAttributes": ["email"]},
        _email_row,
        lambda r: r | {"email": "user1@example.com"},
        identity="email",
    ),
    Shape(
        "phone_as_username",
        {"AutoVerifiedAttributes": ["phone_number"], "UsernameAttributes": ["phone_number"]},
        _phone_row,
        lambda r: r | {"phone_number": "+1"},
        identity="phone_number",
    ),
    Shape(
        "case_insensitive",
        EMAIL | {"UsernameConfiguration": {"CaseSensitive": False}},
        lambda n: _email_row(n) | {"cognito:username": f"User{n}"},
        lambda r: r | {"cognito:username": "USER1"},  # User1's duplicate when case is ignored
    ),
    Shape(
        "mfa_on",
        EMAIL | {"MfaConfiguration": "ON"},
        _email_row,
        lambda r: r | {"cognito:mfa_enabled": "false"},
    ),
    Shape(
        "mfa_optional",
        EMAIL | {"MfaConfiguration": "OPTIONAL"},
        lambda n: _email_row(n) | {"cognito:mfa_enabled": "true" if n % 2 else "false"},
        lambda r: r | {"cognito:mfa_enabled": "maybe"},
    ),
    Shape(
        "mfa_off",
        EMAIL | {"MfaConfiguration": "OFF"},
        _email_row,
        lambda r: r | {"cognito:mfa_enabled": "true"},
    ),
    Shape(
        "required_attribute",
        EMAIL | {"Schema": [{"Name": "given_name", "Required": True, **STRING}]},
        _email_row,
        lambda r: r | {"given_name": ""},
    ),
    Shape(
        "custom_attributes",
        EMAIL
        | {
            "Schema": [
                {
                    "Name": "tenant",
                    **STRING,
                    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "8"},
                },
                {
                    "Name": "seats",
                    "AttributeDataType": "Number",
                    "Mutable": True,
                    "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "100"},
                },
            ]
        },
        lambda n: _email_row(n) | {"custom:tenant": f"t{n}", "custom:seats": str(n * 10)},
        lambda r: r | {"custom:seats": "1000"},
    ),
]


def users_csv(rows: list[Row], columns: list[str] | None = None) -> str:
    columns = columns or list(dict.fromkeys(c for row in rows for c in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return out.getvalue()


class Seed:
    """One resource's life in a pool of the shape: each request sent and answered as CloudFormation does."""

    def __init__(self, cell: Cell, shape: Shape) -> None:
        self.cell, self.shape = cell, shape
        cognito = cell.world.client("cognito-idp")
        cell.world.pool_id = cognito.create_user_pool(PoolName=f"shape-{shape.name}", **shape.pool)[
            "UserPool"
        ]["Id"]
        self.props: dict[str, str] | None = None
        self.physical_id = ""
        self.files = 0

    def deploy(self, text: str, **extra: str) -> dict[str, Any]:
        self.files += 1
        props = self.cell.world.put_source(text, key=f"users-{self.files}.csv") | extra
        if self.props is None:
            event = self.cell.world.event("Create", props)
        else:
            event = self.cell.world.event(
                "Update", props, old_properties=self.props, physical_id=self.physical_id
            )
        answer = self.cell.send(event)
        if answer["Status"] == "SUCCESS":
            self.props, self.physical_id = props, answer["PhysicalResourceId"]
        return answer

    def identities(self) -> set[str]:
        cognito = self.cell.world.client("cognito-idp")
        found = set()
        for page in cognito.get_paginator("list_users").paginate(UserPoolId=self.cell.world.pool_id):
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                found.add(
                    user["Username"] if self.shape.identity == "username" else attributes[self.shape.identity]
                )
        return found

    def identity_of(self, user: dict[str, Any]) -> str:
        attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
        return str(user["Username"] if self.shape.identity == "username" else attributes[self.shape.identity])

    def members(self, group: str) -> set[str]:
        cognito = self.cell.world.client("cognito-idp")
        users = cognito.list_users_in_group(UserPoolId=self.cell.world.pool_id, GroupName=group)["Users"]
        return {self.identity_of(user) for user in users}

    def status(self, row: Row) -> str:
        cognito = self.cell.world.client("cognito-idp")
        key = "cognito:username" if self.shape.identity == "username" else self.shape.identity
        for page in cognito.get_paginator("list_users").paginate(UserPoolId=self.cell.world.pool_id):
            for user in page["Users"]:
                if self.identity_of(user) == row[key]:
                    return str(user["UserStatus"])
        return "absent"

    def expected(self, rows: list[Row]) -> set[str]:
        key = "cognito:username" if self.shape.identity == "username" else self.shape.identity
        return {row[key] for row in rows}


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_a_seed_lives_in_every_pool_shape(cell: Cell, shape: Shape) -> None:
    seed = Seed(cell, shape)
    first = [shape.row(n) for n in (1, 2, 3)]

    created = seed.deploy(users_csv(first))
    assert created["Status"] == "SUCCESS", created["Reason"]
    assert created["Data"]["ImportedUsers"] == "3"
    assert seed.identities() == seed.expected(first)

    again = seed.deploy(users_csv(first))
    assert again["Data"]["Status"] == "NothingToImport", again["Data"]

    added = [*first, shape.row(4), shape.row(5)]
    grown = seed.deploy(users_csv(added))
    assert grown["Data"]["ImportedUsers"] == "2", grown.get("Reason") or grown["Data"]
    assert seed.identities() == seed.expected(added)

    reordered = list(reversed(list(added[0])))
    assert seed.deploy(users_csv(added, reordered))["Data"]["Status"] == "NothingToImport"

    changed = [added[0] | {"given_name": "Renamed"}, *added[1:]]
    answer = seed.deploy(users_csv(changed, reordered))
    assert answer["Data"]["Status"] == "NothingToImport", answer["Data"]
    assert answer["Data"]["NotApplied"] == changed[0]["cognito:username"]

    bad = [*added, shape.bad(shape.row(6))]
    refused = seed.deploy(users_csv(bad))
    assert refused["Status"] == "FAILED"
    assert refused["Reason"].startswith("No import job was created"), refused["Reason"]
    assert ":7" in refused["Reason"], refused["Reason"]  # the bad row's line
    assert len(cell.jobs()) == 2  # the create and the two added rows: nothing else ever made a job


PASSWORD = "Shape-Passw0rd!9c"


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_accounts_are_usable_in_every_pool_shape(cell: Cell, shape: Shape) -> None:
    """Passwords, groups and UPDATE reach the right user whatever names users in the pool."""
    seed = Seed(cell, shape)
    cognito = cell.world.client("cognito-idp")
    for group in ("admins", "testers"):
        cognito.create_group(UserPoolId=cell.world.pool_id, GroupName=group)
    secret = cell.world.client("secretsmanager").create_secret(
        Name=f"shape-{shape.name}", SecretString=json.dumps({"user1": PASSWORD})
    )["ARN"]
    rows = [shape.row(1) | {"groups": "admins testers"}, shape.row(2) | {"groups": "testers"}]
    key = "cognito:username" if shape.identity == "username" else shape.identity
    options = {"PasswordsSecretArn": secret, "ExistingUsers": "UPDATE"}

    created = seed.deploy(users_csv(rows), **options)
    assert created["Status"] == "SUCCESS", created["Reason"]
    assert (created["Data"]["PasswordsSet"], created["Data"]["GroupMemberships"]) == ("1", "3")
    assert seed.status(rows[0]) == "CONFIRMED"
    assert seed.members("admins") == {rows[0][key]}

    changed = [rows[0] | {"groups": "testers"}, rows[1] | {"given_name": "Renamed"}]
    updated = seed.deploy(users_csv(changed), **options)
    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert (updated["Data"]["UpdatedUsers"], updated["Data"]["GroupMemberships"]) == ("1", "1")
    assert seed.members("admins") == set()
    assert seed.members("testers") == {rows[0][key], rows[1][key]}
    assert len(cell.jobs()) == 1
