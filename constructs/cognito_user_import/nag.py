"""cdk-nag acknowledgements for the wildcards this library needs, each for one exact resource pattern.

cdk-nag reports IAM5 once per wildcard resource, as ``AwsSolutions-IAM5[Resource::<flattened ARN>]``,
and an acknowledgement of the bare rule does not cover those findings. Acknowledging each pattern
exactly keeps any other wildcard (one a user adds to the same role) reported.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations

from constructs import IConstruct

WILDCARD_RULE = "AwsSolutions-IAM5"


def flatten_reference(node: Any) -> str:
    """A resolved CloudFormation value as cdk-nag's flattenCfnReference writes it in a finding."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def acknowledge_wildcard_resources(scope: IConstruct, resources: list[str], reason: str) -> None:
    """Acknowledge IAM5 for exactly these resource ARNs on ``scope`` and the resources below it.

    The ARNs are resolved now, in ``scope``'s stack. A reference that only becomes final later (a pool in
    another stack, a logical id overridden afterwards) then no longer matches, and cdk-nag reports it:
    failing safe, for the user to acknowledge.
    """
    stack = Stack.of(scope)
    for resource in resources:
        finding = flatten_reference(stack.resolve(resource))
        Validations.of(scope).acknowledge(
            Acknowledgment(id=f"{WILDCARD_RULE}[Resource::{finding}]", reason=reason)
        )
