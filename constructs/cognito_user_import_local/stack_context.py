"""What a template's intrinsic functions see: parameters, pseudo parameters, and the deployed resources."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .intrinsics import IntrinsicError, StackContext, evaluate_conditions
from .placeholders import is_placeholder, placeholder_attribute
from .resources import is_custom_resource
from .state import DeployedResource

BOOTSTRAP_VERSION = "21"
"""What the CDK's BootstrapVersion parameter (an SSM parameter in AWS) resolves to locally."""


def stack_context(
    template: dict[str, Any],
    *,
    stack_name: str,
    stack_id: str,
    region: str,
    account_id: str,
    resources: Mapping[str, DeployedResource],
    import_value: Callable[[str], Any] | None = None,
    stack_output: Callable[[str, str], Any] | None = None,
) -> StackContext:
    """The context to resolve the template in, its Conditions evaluated; Ref and Fn::GetAtt read resources.

    import_value, stack_output: what Fn::ImportValue and Fn::GetStackOutput read (the other stacks'
    exports and outputs, exports.py).
    """
    lookups = _DeployedLookups(resources, stack_id)
    context = StackContext(
        stack_name=stack_name,
        stack_id=stack_id,
        region=region,
        account_id=account_id,
        parameters=_parameter_values(template),
        mappings=template.get("Mappings", {}),
        ref=lookups.ref,
        get_att=lookups.get_att,
        import_value=import_value,
        stack_output=stack_output,
    )
    evaluate_conditions(template, context)
    return context


def _parameter_values(template: dict[str, Any]) -> dict[str, Any]:
    """Each parameter's default (no values are passed locally); the CDK's bootstrap version is known."""
    parameters: dict[str, Any] = {}
    for name, declaration in template.get("Parameters", {}).items():
        default = declaration.get("Default")
        if str(declaration.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
            default = BOOTSTRAP_VERSION if "cdk-bootstrap" in str(default) else default
        parameters[name] = default
    return parameters


class _DeployedLookups:
    """Ref and Fn::GetAtt on the resources deployed so far, failing as CloudFormation words it."""

    def __init__(self, resources: Mapping[str, DeployedResource], stack_id: str) -> None:
        self.resources = resources
        self.stack_id = stack_id

    def ref(self, logical_id: str) -> str:
        if logical_id not in self.resources:
            raise IntrinsicError(f"Ref {logical_id}: no such resource deployed")
        return self.resources[logical_id].physical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        resource = self.resources.get(logical_id)
        if resource is None:
            raise IntrinsicError(f"Fn::GetAtt {logical_id}.{attribute}: no such resource deployed")
        if is_placeholder(resource.physical_id):
            return placeholder_attribute(logical_id, attribute)
        if attribute not in resource.attributes:
            if is_custom_resource(resource.resource_type):
                raise IntrinsicError(
                    f"CustomResource attribute error: Vendor response doesn't contain {attribute} key "
                    f"in object {self.stack_id}|{logical_id}"
                )
            raise IntrinsicError(f"Fn::GetAtt {logical_id}.{attribute}: attribute not emulated")
        return resource.attributes[attribute]
