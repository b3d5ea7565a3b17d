"""CloudFormation's intrinsic functions, condition functions and pseudo parameters, resolved locally.

The resolver knows nothing about the emulator: Ref and Fn::GetAtt of resources go through callbacks,
so the same code serves a deploy, a destroy and the unit tests.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

NO_VALUE = object()
"""What `Ref: AWS::NoValue` resolves to; removed from the enclosing object or list."""

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class IntrinsicError(ValueError):
    """A template expression that cannot be resolved (unknown name, bad shape, unsupported function)."""


@dataclass
class StackContext:
    """What pseudo parameters and Ref/GetAtt resolve against."""

    stack_name: str
    stack_id: str
    region: str
    account_id: str
    partition: str = "aws"
    url_suffix: str = "amazonaws.com"
    parameters: dict[str, Any] = field(default_factory=dict)
    conditions: dict[str, bool] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    ref: Callable[[str], Any] | None = None
    """Ref of a resource's logical id: its physical id."""
    get_att: Callable[[str, str], Any] | None = None
    """Fn::GetAtt of a resource's logical id and attribute name."""
    import_value: Callable[[str], Any] | None = None
    """Fn::ImportValue of an export name: the value another stack exported under it."""
    stack_output: Callable[[str, str], Any] | None = None
    """Fn::GetStackOutput of a stack name and output key: that stack's output (a weak reference)."""

    def pseudo(self, name: str) -> Any:
        values: dict[str, Any] = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": self.partition,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.stack_id,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        if name not in values:
            raise IntrinsicError(f"unknown pseudo parameter {name}")
        return values[name]


class Resolver:
    """Resolves template values: `resolve(value)` returns plain JSON with every intrinsic applied."""

    def __init__(self, context: StackContext) -> None:
        self.context = context

    def resolve(self, value: Any) -> Any:
        result = self._resolve(value)
        return None if result is NO_VALUE else result

    def condition(self, name: str) -> bool:
        if name not in self.context.conditions:
            raise IntrinsicError(f"unknown condition {name}")
        return self.context.conditions[name]

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), *_ = value.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, argument)
        resolved = {key: self._resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    # -- the functions -------------------------------------------------------------------------

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise IntrinsicError(f"Ref needs a name, got {name!r}")
        if name.startswith("AWS::"):
            return self.context.pseudo(name)
        if name in self.context.parameters:
            return self.context.parameters[name]
        if self.context.ref is None:
            raise IntrinsicError(f"Ref {name}: no resources known here")
        return self.context.ref(name)

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            logical_id, _, attribute = argument.partition(".")
        elif isinstance(argument, list) and len(argument) == 2:
            logical_id = self._resolve(argument[0])
            attribute = self._resolve(argument[1])
        else:
            raise IntrinsicError(f"Fn::GetAtt needs [LogicalId, Attribute], got {argument!r}")
        if self.context.get_att is None:
            raise IntrinsicError(f"Fn::GetAtt {logical_id}.{attribute}: no resources known here")
        return self.context.get_att(str(logical_id), str(attribute))

    def _join(self, argument: Any) -> str:
        delimiter, items = self._pair(argument, "Fn::Join")
        values = self._resolve(items)
        if not isinstance(values, list):
            raise IntrinsicError(f"Fn::Join needs a list, got {values!r}")
        return str(delimiter).join(_text(item) for item in values)

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            template, variables = argument, {}
        else:
            template, raw = self._pair(argument, "Fn::Sub")
            variables = self._resolve(raw)
            if not isinstance(variables, dict):
                raise IntrinsicError("Fn::Sub's second argument must be an object")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} writes ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, _, attribute = name.partition(".")
                return _text(self._get_att([logical_id, attribute]))
            return _text(self._ref(name))

        return _SUB_VARIABLE.sub(replace, str(template))

    def _select(self, argument: Any) -> Any:
        index, items = self._pair(argument, "Fn::Select")
        position = int(self._resolve(index))
        values = self._resolve(items)
        if not isinstance(values, list) or not 0 <= position < len(values):
            raise IntrinsicError(f"Fn::Select index {position} out of range")
        return values[position]

    def _split(self, argument: Any) -> list[str]:
        delimiter, source = self._pair(argument, "Fn::Split")
        return _text(self._resolve(source)).split(str(delimiter))

    def _if(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise IntrinsicError("Fn::If needs [Condition, ValueIfTrue, ValueIfFalse]")
        return self._resolve(argument[1] if self.condition(str(argument[0])) else argument[2])

    def _base64(self, argument: Any) -> str:
        return base64.b64encode(_text(self._resolve(argument)).encode()).decode()

    def _find_in_map(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) < 3:
            raise IntrinsicError("Fn::FindInMap needs [Map, TopKey, SecondKey]")
        name, top, second = (self._resolve(item) for item in argument[:3])
        try:
            return self.context.mappings[name][top][second]
        except KeyError:
            raise IntrinsicError(f"Fn::FindInMap: no {name}.{top}.{second}") from None

    def _get_azs(self, argument: Any) -> list[str]:
        region = _text(self._resolve(argument)) or self.context.region
        return [f"{region}{letter}" for letter in "abc"]

    def _to_json_string(self, argument: Any) -> str:
        return json.dumps(self._resolve(argument), separators=(",", ":"))

    def _equals(self, argument: Any) -> bool:
        left, right = self._pair(argument, "Fn::Equals")
        return _text(self._resolve(left)) == _text(self._resolve(right))

    def _and(self, argument: Any) -> bool:
        return all(self._truth(item) for item in _list(argument, "Fn::And"))

    def _or(self, argument: Any) -> bool:
        return any(self._truth(item) for item in _list(argument, "Fn::Or"))

    def _not(self, argument: Any) -> bool:
        items = _list(argument, "Fn::Not")
        return not self._truth(items[0])

    def _contains(self, argument: Any) -> bool:
        items, needle = self._pair(argument, "Fn::Contains")
        values = self._resolve(items)
        return isinstance(values, list) and _text(self._resolve(needle)) in [_text(v) for v in values]

    def _condition_ref(self, argument: Any) -> bool:
        return self.condition(str(argument))

    def _import_value(self, argument: Any) -> Any:
        name = self._resolve(argument)
        if not isinstance(name, str):
            raise IntrinsicError(f"Fn::ImportValue needs an export name, got {name!r}")
        if self.context.import_value is None:
            raise IntrinsicError(f"Fn::ImportValue {name!r}: no exports known here")
        return self.context.import_value(name)

    def _get_stack_output(self, argument: Any) -> Any:
        fields = self._resolve(argument)
        if not isinstance(fields, dict) or not {"StackName", "OutputName"} <= set(fields):
            raise IntrinsicError(f"Fn::GetStackOutput needs StackName and OutputName, got {argument!r}")
        region = fields.get("Region", self.context.region)
        if region != self.context.region or "RoleArn" in fields:
            raise IntrinsicError("Fn::GetStackOutput: other regions and accounts are not emulated")
        if self.context.stack_output is None:
            raise IntrinsicError("Fn::GetStackOutput: no stacks known here")
        return self.context.stack_output(str(fields["StackName"]), str(fields["OutputName"]))

    def _truth(self, item: Any) -> bool:
        value = self._resolve(item)
        if isinstance(value, bool):
            return value
        return _text(value).lower() == "true"

    @staticmethod
    def _pair(argument: Any, name: str) -> tuple[Any, Any]:
        if not isinstance(argument, list) or len(argument) != 2:
            raise IntrinsicError(f"{name} needs two arguments, got {argument!r}")
        return argument[0], argument[1]


def _list(argument: Any, name: str) -> list[Any]:
    if not isinstance(argument, list) or not argument:
        raise IntrinsicError(f"{name} needs a list of conditions")
    return argument


def _text(value: Any) -> str:
    """A scalar as CloudFormation writes it into a string (booleans in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise IntrinsicError(f"expected a string, got {value!r}")
    return str(value)


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": Resolver._ref,
    "Fn::GetAtt": Resolver._get_att,
    "Fn::Join": Resolver._join,
    "Fn::Sub": Resolver._sub,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::If": Resolver._if,
    "Fn::Base64": Resolver._base64,
    "Fn::FindInMap": Resolver._find_in_map,
    "Fn::GetAZs": Resolver._get_azs,
    "Fn::ToJsonString": Resolver._to_json_string,
    "Fn::Equals": Resolver._equals,
    "Fn::And": Resolver._and,
    "Fn::Or": Resolver._or,
    "Fn::Not": Resolver._not,
    "Fn::Contains": Resolver._contains,
    "Condition": Resolver._condition_ref,
    "Fn::ImportValue": Resolver._import_value,
    "Fn::GetStackOutput": Resolver._get_stack_output,
}


def evaluate_conditions(template: Mapping[str, Any], context: StackContext) -> dict[str, bool]:
    """Every condition of the template, evaluated in dependency order (conditions may name others).

    Stores the results in `context.conditions` and returns them.
    """
    definitions: Mapping[str, Any] = template.get("Conditions", {})
    results: dict[str, bool] = {}
    context.conditions = results

    def evaluate(name: str, path: frozenset[str]) -> None:
        if name in results:
            return
        if name not in definitions:
            raise IntrinsicError(f"unknown condition {name}")
        if name in path:
            raise IntrinsicError(f"condition {name} refers to itself")
        for needed in _condition_names(definitions[name]):
            evaluate(needed, path | {name})
        results[name] = Resolver(context)._truth(definitions[name])

    for name in definitions:
        evaluate(name, frozenset())
    return results


def _condition_names(value: Any) -> set[str]:
    if isinstance(value, list):
        return set().union(*(_condition_names(item) for item in value)) if value else set()
    if isinstance(value, dict):
        if set(value) == {"Condition"} and isinstance(value["Condition"], str):
            return {value["Condition"]}
        return set().union(*(_condition_names(item) for item in value.values())) if value else set()
    return set()


def references(value: Any) -> set[str]:
    """Logical ids a template value depends on through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()

    def visit(item: Any) -> None:
        if isinstance(item, list):
            for child in item:
                visit(child)
        elif isinstance(item, dict):
            for key, child in item.items():
                if key == "Ref" and isinstance(child, str):
                    if not child.startswith("AWS::"):
                        found.add(child)
                elif key == "Fn::GetAtt":
                    if isinstance(child, str):
                        found.add(child.partition(".")[0])
                    elif isinstance(child, list) and child and isinstance(child[0], str):
                        found.add(child[0])
                    visit(child)
                elif key == "Fn::Sub":
                    template = child[0] if isinstance(child, list) and child else child
                    own = set(child[1]) if isinstance(child, list) and len(child) > 1 else set()
                    for name in _SUB_VARIABLE.findall(str(template)):
                        if name.startswith("!") or name.startswith("AWS::") or name in own:
                            continue
                        found.add(name.partition(".")[0])
                    if isinstance(child, list):
                        visit(child[1:])
                else:
                    visit(child)

    visit(value)
    return found


def stringify(value: Any) -> Any:
    """Scalars as strings, the way CloudFormation hands a custom resource its properties."""
    if isinstance(value, dict):
        return {key: stringify(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stringify(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value
