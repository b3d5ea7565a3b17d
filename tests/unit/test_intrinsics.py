"""The driver's intrinsic-function resolver, on template snippets (no emulator)."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_user_import_local.intrinsics import (
    IntrinsicError,
    Resolver,
    StackContext,
    evaluate_conditions,
    references,
    stringify,
)

PHYSICAL = {"Pool": "us-east-1_abc", "Role": "MyStack-Role-XYZ"}
ATTRIBUTES = {
    ("Role", "Arn"): "arn:aws:iam::123456789012:role/MyStack-Role-XYZ",
    ("Seed", "ImportedUsers"): "50",
}


def _context(**overrides: Any) -> StackContext:
    def ref(logical_id: str) -> str:
        return PHYSICAL[logical_id]

    def get_att(logical_id: str, attribute: str) -> Any:
        return ATTRIBUTES[(logical_id, attribute)]

    values: dict[str, Any] = {
        "stack_name": "MyStack",
        "stack_id": "arn:aws:cloudformation:us-east-1:123456789012:stack/MyStack/1111",
        "region": "us-east-1",
        "account_id": "123456789012",
        "parameters": {"Env": "dev"},
        "ref": ref,
        "get_att": get_att,
    }
    values.update(overrides)
    return StackContext(**values)


def resolve(value: Any, **overrides: Any) -> Any:
    return Resolver(_context(**overrides)).resolve(value)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"Ref": "Pool"}, "us-east-1_abc"),
        ({"Ref": "Env"}, "dev"),
        ({"Ref": "AWS::Region"}, "us-east-1"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::StackName"}, "MyStack"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, "arn:aws:iam::123456789012:role/MyStack-Role-XYZ"),
        ({"Fn::GetAtt": "Seed.ImportedUsers"}, "50"),
        ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]}, "arn:aws:s3:::b"),
        ({"Fn::Join": [",", []]}, ""),
        (
            {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
            "cdk-hnb659fds-assets-123456789012-us-east-1",
        ),
        ({"Fn::Sub": "${Pool}/${Role.Arn}"}, "us-east-1_abc/arn:aws:iam::123456789012:role/MyStack-Role-XYZ"),
        ({"Fn::Sub": ["${Name}-${AWS::Region}", {"Name": {"Ref": "Pool"}}]}, "us-east-1_abc-us-east-1"),
        ({"Fn::Sub": "literal ${!NotAVariable}"}, "literal ${NotAVariable}"),
        ({"Fn::Select": [1, ["a", "b", "c"]]}, "b"),
        ({"Fn::Select": ["0", {"Fn::Split": ["/", "x/y"]}]}, "x"),
        ({"Fn::Split": [":", "a:b:c"]}, ["a", "b", "c"]),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"Fn::Join": ["-", [True, 3]]}, "true-3"),
    ],
)
def test_functions(expression: Any, expected: Any) -> None:
    assert resolve(expression) == expected


def test_no_value_is_removed_from_objects_and_lists() -> None:
    value = {"Keep": 1, "Drop": {"Ref": "AWS::NoValue"}, "List": ["a", {"Ref": "AWS::NoValue"}]}
    assert resolve(value) == {"Keep": 1, "List": ["a"]}


def test_nested_structures_resolve_everywhere() -> None:
    value = {"Statement": [{"Resource": [{"Fn::GetAtt": ["Role", "Arn"]}], "Effect": "Allow"}]}
    assert resolve(value) == {
        "Statement": [{"Resource": ["arn:aws:iam::123456789012:role/MyStack-Role-XYZ"], "Effect": "Allow"}]
    }


def test_conditions_and_fn_if() -> None:
    template = {
        "Conditions": {
            "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
            "IsProd": {"Fn::Not": [{"Condition": "IsDev"}]},
            "Either": {"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "IsProd"}]},
            "InList": {"Fn::Contains": [["us-east-1", "eu-west-1"], {"Ref": "AWS::Region"}]},
            "Both": {"Fn::And": [{"Condition": "IsDev"}, {"Condition": "InList"}]},
        }
    }
    context = _context()
    assert evaluate_conditions(template, context) == {
        "IsDev": True,
        "IsProd": False,
        "Either": True,
        "InList": True,
        "Both": True,
    }
    resolver = Resolver(context)
    assert resolver.resolve({"Fn::If": ["IsProd", "big", "small"]}) == "small"
    assert resolver.resolve({"A": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}}) == {}


def test_circular_conditions_are_an_error() -> None:
    template = {"Conditions": {"A": {"Condition": "B"}, "B": {"Condition": "A"}}}
    with pytest.raises(IntrinsicError, match="refers to itself"):
        evaluate_conditions(template, _context())


def test_find_in_map() -> None:
    mappings = {"Sizes": {"dev": {"Seats": 5}}}
    assert resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Seats"]}, mappings=mappings) == 5


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ({"Ref": "AWS::Nope"}, "unknown pseudo parameter"),
        ({"Fn::Select": [5, ["a"]]}, "out of range"),
        ({"Fn::Join": ["-"]}, "two arguments"),
        ({"Fn::If": ["Missing", 1, 2]}, "unknown condition"),
        ({"Fn::ImportValue": "Shared"}, "no exports known here"),
        ({"Fn::Join": ["", [{"a": 1}]]}, "expected a string"),
    ],
)
def test_errors_say_what_is_wrong(expression: Any, message: str) -> None:
    with pytest.raises(IntrinsicError, match=message):
        resolve(expression)


def test_references_finds_resources_not_pseudo_parameters() -> None:
    value = {
        "A": {"Ref": "Pool"},
        "B": {"Fn::GetAtt": ["Role", "Arn"]},
        "C": {"Fn::Sub": "${Func.Arn}-${AWS::Region}-${!Literal}"},
        "D": {"Fn::Sub": ["${Own}-${Bucket}", {"Own": {"Ref": "Table"}}]},
        "E": {"Ref": "AWS::StackName"},
    }
    assert references(value) == {"Pool", "Role", "Func", "Bucket", "Table"}


def test_stringify_writes_scalars_as_cloudformation_does() -> None:
    assert stringify({"a": 1, "b": True, "c": [2.5, False, "x"], "d": None}) == {
        "a": "1",
        "b": "true",
        "c": ["2.5", "false", "x"],
        "d": None,
    }
