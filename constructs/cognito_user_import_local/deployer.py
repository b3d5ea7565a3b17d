"""Deploying one stack: its assets uploaded, its resources created or updated in dependency order.

A second deployment of a stack is an update: unchanged resources are left alone, changed ones get
their Update, resources that left the template are deleted once all the rest succeeded. A failure
or a Ctrl-C rolls back what this run did (rollback.py).
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from .assembly import StackArtifact
from .custom_resource import Request, RequestCancelled
from .errors import DeployCancelled, DeployError
from .exports import Exports, check_exports
from .intrinsics import IntrinsicError, Resolver, stringify
from .journal import CREATE, UPDATE, Change, Journal
from .modelled import MODELLED_CUSTOM_RESOURCES
from .operations import StackOperations
from .ordering import deletion_order, dependencies, deployment_order
from .placeholders import is_placeholder, placeholder_id, placeholders_used
from .reporter import Reporter
from .resources import PROVISIONERS, SILENTLY_SKIPPED, is_custom_resource
from .resources.base import Provisioned
from .rollback import Rollback
from .session import Session
from .stack_context import stack_context
from .state import COMPLETE, DeployedResource, PendingRequest, StackState, create_bucket
from .summary import resource_table


class StackDeployer:
    def __init__(self, session: Session, stack: StackArtifact, reporter: Reporter) -> None:
        deployed = session.store.load(stack.name)
        self.session = session
        self.artifact = stack
        self.name = stack.name
        self.template = stack.template
        self.reporter = reporter
        self.journal = Journal(
            store=session.store,
            stack_name=stack.name,
            stack_id=deployed.stack_id if deployed else session.new_stack_id(stack.name),
            template=stack.template,
            deployed=deployed,
            resources=dict(deployed.resources) if deployed else {},
        )
        # One dict: what the journal records is what Ref reads and where functions are found.
        self.resources = self.journal.resources
        self.operations = StackOperations(
            session, stack.name, self.journal.stack_id, self.resources, reporter
        )
        self.rollback = Rollback(self.journal, self.operations, reporter)
        self.exports = Exports(session.store)

    def deploy(self) -> None:
        """Create or update the stack; raises DeployError (or DeployCancelled) once it is rolled back."""
        started = time.monotonic()
        deployed = self.journal.deployed
        if deployed is not None and deployed.status != COMPLETE:
            raise DeployError(
                f"stack {self.name} is {deployed.status}: a deploy-local of it is still running, or ended "
                "before it finished; run destroy-local to remove what it left"
            )
        updating = deployed is not None
        self.reporter.progress(f"Stack {self.name}: {'update' if updating else 'create'}")
        context = stack_context(
            self.template,
            stack_name=self.name,
            stack_id=self.journal.stack_id,
            region=self.session.region,
            account_id=self.session.account_id,
            resources=self.resources,
            import_value=self._import_value,
            stack_output=self.exports.stack_output,
        )
        resolver = Resolver(context)
        self.journal.assets = self._upload_assets(resolver)
        order = deployment_order(self.template, context.conditions)
        outputs: dict[str, str] = {}
        exports: dict[str, str] = {}

        def deploy_each_resource() -> None:
            for logical_id in order:
                self._deploy_resource(logical_id, resolver)
            # What the outputs export is checked before the update is kept: a failure rolls it back.
            outputs.update(self._outputs(resolver, context.conditions, exports))
            check_exports(self.exports, self.name, deployed.exports if deployed else {}, exports)

        self.rollback.run_steps(deploy_each_resource, updating=updating)
        removed = self._clean_up(order)
        state = self._save(order, outputs, exports)
        status = "UPDATE_COMPLETE" if updating else "CREATE_COMPLETE"
        if updating and not self.journal.changes and not removed:
            status = "no changes"
        self.reporter.progress(f"Stack {self.name}: {status} in {time.monotonic() - started:.1f} s")
        self._report(state)

    def _import_value(self, name: str) -> str:
        """Fn::ImportValue: another stack's export, recorded as imported (its stack cannot go first)."""
        value = self.exports.import_value(name)
        self.journal.imports.add(name)
        return value

    def _save(self, order: list[str], outputs: dict[str, str], exports: dict[str, str]) -> StackState:
        """The deployment complete: the resources of the template as deployed, in deployment order."""
        state = StackState(
            stack_name=self.name,
            stack_id=self.journal.stack_id,
            template=self.template,
            resources={logical_id: self.resources[logical_id] for logical_id in order},
            outputs=outputs,
            assets=self.journal.all_assets(),
            exports=exports,
            imports=sorted(self.journal.imports),
        )
        self.session.store.save(state)
        return state

    def _report(self, state: StackState) -> None:
        """The deployed stack: its resource table, then its outputs."""
        self.reporter.progress(f"Resources of {self.name}:")
        for line in resource_table(state.resources):
            self.reporter.progress(line)
        if state.outputs:
            self.reporter.progress(f"Outputs of {self.name}:")
            width = max(len(key) for key in state.outputs)
            for key, value in state.outputs.items():
                self.reporter.progress(f"  {self.name}.{key:<{width}} = {value}")

    def _upload_assets(self, resolver: Resolver) -> list[dict[str, str]]:
        s3 = self.session.client("s3")
        uploaded: list[dict[str, str]] = []
        for asset in self.artifact.assets:
            bucket = str(resolver.resolve({"Fn::Sub": asset.bucket_name}))
            key = str(resolver.resolve({"Fn::Sub": asset.object_key}))
            try:
                s3.head_bucket(Bucket=bucket)
            except ClientError:
                create_bucket(s3, bucket, self.session.region)
            try:
                s3.head_object(Bucket=bucket, Key=key)
            except ClientError:
                body = asset.content()
                s3.put_object(Bucket=bucket, Key=key, Body=body)
                self.reporter.progress(
                    f"  asset   {key} uploaded to s3://{bucket} ({len(body) / 1024:.0f} KiB)"
                )
            uploaded.append({"bucket": bucket, "key": key})
        return uploaded

    def _deploy_resource(self, logical_id: str, resolver: Resolver) -> None:
        declaration = self.template["Resources"][logical_id]
        kind = str(declaration["Type"])
        props = self._properties(logical_id, kind, declaration, resolver)
        previous = self.resources.get(logical_id)
        if previous is not None and previous.resource_type != kind:
            previous = None  # a new type under the same id: a new resource; the old one goes in clean-up
        depends = sorted(dependencies(declaration) & set(self.template["Resources"]))
        policy = str(declaration.get("DeletionPolicy", "Delete"))
        if previous is not None and previous.properties == props:
            previous.depends_on, previous.deletion_policy = depends, policy
            return  # unchanged: CloudFormation calls nothing
        reason = self._placeholder_reason(kind, props)
        if reason is not None:
            self._make_placeholder(
                logical_id, DeployedResource(kind, "", props, {}, depends, policy), previous
            )
            if reason:
                self.resources[logical_id].note = reason
                self.reporter.progress(f"  PLACEHOLDER {kind:<24} {logical_id}: {reason}")
            return
        if previous is not None and is_placeholder(previous.physical_id):
            previous = None  # what was a placeholder is now made for real
        action = UPDATE if previous is not None else CREATE
        verb = action.upper()
        self.reporter.progress(f"  {verb:<7} {kind:<28} {logical_id}")
        custom = is_custom_resource(kind)
        if custom and kind not in MODELLED_CUSTOM_RESOURCES:
            result = self._custom(action, kind, logical_id, props, previous, depends)
        else:
            result = self.operations.provision(action, kind, logical_id, props, previous)
        resource = DeployedResource(kind, result.physical_id, props, result.attributes, depends, policy)
        self.resources[logical_id] = resource
        self.journal.changes.append(Change(action, logical_id, resource, previous))
        self.journal.checkpoint()
        detail = (
            ", ".join(f"{key}={_short(value)}" for key, value in result.attributes.items()) if custom else ""
        )
        self.reporter.progress(
            f"  {verb}_COMPLETE {logical_id} -> {result.physical_id}{': ' + detail if detail else ''}"
        )

    @staticmethod
    def _properties(
        logical_id: str, kind: str, declaration: dict[str, Any], resolver: Resolver
    ) -> dict[str, Any]:
        """The resolved properties; a custom resource's as strings, as CloudFormation sends them."""
        try:
            props: dict[str, Any] = resolver.resolve(declaration.get("Properties", {})) or {}
        except IntrinsicError as error:
            raise DeployError(f"{logical_id} ({kind}): {error}") from error
        if is_custom_resource(kind):
            props = stringify(props)
        return props

    def _placeholder_reason(self, kind: str, props: dict[str, Any]) -> str | None:
        """Why this resource is to be a placeholder ("" for CDK metadata), or None to make it for real."""
        if kind in SILENTLY_SKIPPED:
            return ""
        used = placeholders_used(props)
        if used:
            return f"uses the placeholder {', '.join(used)} (so cannot be made for real)"
        if kind in PROVISIONERS or kind in MODELLED_CUSTOM_RESOURCES:
            return None
        if not is_custom_resource(kind):
            return f"{kind} is not emulated"
        token = str(props.get("ServiceToken", ""))
        name = token.split(":function:")[-1].split(":")[0] if ":function:" in token else None
        for resource in self.resources.values() if name else []:
            if resource.resource_type == "AWS::Lambda::Function" and name in (
                resource.physical_id,
                str(resource.attributes.get("Arn", "")).split(":")[-1],
            ):
                runtime = str(resource.properties.get("Runtime", ""))
                if runtime.startswith("python"):
                    return None
                what = runtime or "a container image"
                return f"its handler's runtime is {what}: only Python handlers run locally"
        return f"its ServiceToken {_short(token, 60)!r} is no Python function of this stack"

    def _make_placeholder(
        self, logical_id: str, resource: DeployedResource, previous: DeployedResource | None
    ) -> None:
        """Record a placeholder; a real resource it replaces is deleted once the deployment succeeds."""
        resource.physical_id = placeholder_id(logical_id)
        self.resources[logical_id] = resource
        if previous is not None and not is_placeholder(previous.physical_id):
            self.journal.changes.append(Change(UPDATE, logical_id, resource, previous))

    def _custom(
        self,
        action: str,
        kind: str,
        logical_id: str,
        props: dict[str, Any],
        previous: DeployedResource | None,
        depends: list[str],
    ) -> Provisioned:
        """Send a custom resource its Create or Update, recorded as in flight until it is answered."""
        if previous is None:
            request = Request("Create", kind, logical_id, props)
        else:
            request = Request(
                "Update",
                kind,
                logical_id,
                props,
                physical_id=previous.physical_id,
                old_properties=previous.properties,
            )
        pending = self.journal.pending
        pending[logical_id] = PendingRequest(request.request_type, request.request_id, kind, props, depends)
        self.journal.checkpoint()
        # Settled here when the request ends or is cancelled; a second Ctrl-C or a kill leaves it
        # recorded for the rollback or destroy-local to settle from its pending poll.
        try:
            response = self.operations.call_custom(request)
        except RequestCancelled as cancelled:
            self.rollback.note_abandoned(logical_id, pending.pop(logical_id), previous, cancelled.physical_id)
            raise DeployCancelled(f"{logical_id} ({kind}): {action} cancelled") from None
        except DeployError:
            del pending[logical_id]
            raise
        del pending[logical_id]
        if not response.ok:
            if previous is None and response.physical_id:
                # CloudFormation deletes what a failed Create reported, in its rollback.
                failed = DeployedResource(kind, response.physical_id, props, {}, [])
                self.journal.changes.append(Change(CREATE, logical_id, failed))
            elif previous is not None:
                attempted = DeployedResource(kind, previous.physical_id, props, previous.attributes, [])
                self.journal.changes.append(Change(UPDATE, logical_id, attempted, previous))
            raise DeployError(f"{logical_id} ({kind}) failed to {action}: {response.reason}")
        return Provisioned(
            response.physical_id or (previous.physical_id if previous else logical_id), response.data
        )

    def _clean_up(self, deployed_now: list[str]) -> list[str]:
        """After a successful update: delete what was replaced, then what left the template (answered)."""
        failures: list[str] = []
        for change in self.journal.changes:
            if not change.replaced:
                continue
            assert change.previous is not None
            try:
                self.operations.delete_resource(change.logical_id, change.previous)
            except DeployError as error:
                failures.append(str(error))
        old = self.journal.deployed.resources if self.journal.deployed else {}
        kept = set(deployed_now)
        removed = [logical_id for logical_id in old if logical_id not in kept]
        for logical_id in deletion_order({key: old[key] for key in removed}):
            try:
                self.operations.delete_resource(logical_id, old[logical_id])
            except DeployError as error:
                failures.append(str(error))
            self.resources.pop(logical_id, None)
        for failure in failures:
            # CloudFormation reports clean-up failures but keeps the update.
            self.reporter.problem(f"  clean-up: {failure}")
        return removed

    def _outputs(
        self, resolver: Resolver, conditions: dict[str, bool], exports: dict[str, str]
    ) -> dict[str, str]:
        """The outputs by key; those with an Export also go into exports, by export name."""
        outputs: dict[str, str] = {}
        for key, declaration in self.template.get("Outputs", {}).items():
            if "Condition" in declaration and not conditions.get(declaration["Condition"], False):
                continue
            try:
                value = resolver.resolve(declaration["Value"])
            except IntrinsicError as error:
                raise DeployError(f"output {key}: {error}") from error
            outputs[key] = str(stringify(value))
            if "Export" in declaration:
                try:
                    export_name = resolver.resolve(declaration["Export"].get("Name"))
                except IntrinsicError as error:
                    raise DeployError(f"output {key}'s export name: {error}") from error
                exports[str(export_name)] = outputs[key]
        return outputs


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
