"""deploy-local and destroy-local: a CDK app's stacks deployed into the emulator the way CloudFormation would.

Synthesize with the CDK CLI, upload the file assets, then create, update or delete the template's
resources in dependency order; custom resources go through their function with CloudFormation's
events. What was deployed is kept in the emulator (state.py), so a second run is an update.

Ctrl-C (SIGINT) cancels a deployment as CloudFormation's cancel does: a running function invocation
is left to end, then everything this run made is rolled back, custom resources through their
handler's Delete (for an import: the job is stopped before its pool is deleted). destroy-local also
finishes what a killed deploy-local left, custom resource requests still in flight included.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .assembly import AssemblyError, StackArtifact, read_assembly, synthesize
from .cost import CallCost
from .custom_resource import CustomResourceCaller, Request, RequestCancelled, Response, ResponseServer
from .intrinsics import IntrinsicError, Resolver, StackContext, evaluate_conditions, references, stringify
from .invoke import LambdaFunction, LambdaRunner, effective_timeout, unzip_code
from .modelled import MODELLED_CUSTOM_RESOURCES
from .placeholders import is_placeholder, placeholder_attribute, placeholder_id, placeholders_used
from .pool_report import describe_users
from .resources import (
    PROVISIONERS,
    SILENTLY_SKIPPED,
    Environment,
    Provisioned,
    Provisioner,
    ResourceError,
    is_custom_resource,
)
from .selection import SelectionError, select_stacks
from .state import (
    COMPLETE,
    IN_PROGRESS,
    ROLLBACK_FAILED,
    DeployedResource,
    PendingRequest,
    StackState,
    StateStore,
    create_bucket,
)
from .summary import resource_table

DEFAULT_REGION = "us-east-1"
BOOTSTRAP_VERSION = "21"
"""What the CDK's BootstrapVersion parameter (an SSM parameter in AWS) resolves to locally."""
CANCELLED_EXIT_CODE = 130
"""What a shell reports for a command ended by Ctrl-C."""
USAGE_EXIT_CODE = 2
"""A command that cannot go on as it was given (argparse's code for bad arguments)."""
POLL_SETTLE_GRACE_SECONDS = 3.0


class DeployError(RuntimeError):
    """The deployment (or destroy) failed; the message is the reason a person reads."""


class DeployCancelled(DeployError):
    """A person cancelled the deployment (Ctrl-C); what it made was rolled back."""


def deploy_local(app_dir: str, endpoint: str | None, show_users: int = 0, stacks: Sequence[str] = ()) -> int:
    """Synthesize the app in app_dir and deploy its stacks into the emulator. Returns the exit code.

    stacks: names or patterns as `cdk deploy` takes them (default: every stack); the stacks they
    depend on are deployed first. show_users > 0 lists that many usernames (and the counts by
    status) of each user pool afterwards.
    """
    started = time.monotonic()
    app = Path(app_dir).resolve()
    try:
        say(f"Synthesizing {app} with the CDK CLI ...")
        selection = select_stacks(read_assembly(synthesize(app)), stacks, for_destroy=False)
        if selection.added:
            say(f"Including dependency stacks: {', '.join(selection.added)}")
        with _session(endpoint) as session:
            cost = CallCost(session.endpoint)
            for stack in selection.stacks:
                cost.reset()
                StackDeployer(session, stack).deploy()
                say(f"Cost of {stack.name}:")
                for line in cost.lines():
                    say(f"  {line}")
                if show_users > 0:
                    _show_users(session, stack.name, show_users)
    except DeployCancelled as cancelled:
        say(f"deploy-local CANCELLED: {cancelled}", stream=sys.stderr)
        return CANCELLED_EXIT_CODE
    except KeyboardInterrupt:
        # Before any stack changed, or during a rollback: what is left is in the stack's state.
        say(
            "deploy-local CANCELLED (Ctrl-C); if a stack was left part-made, destroy-local removes it",
            stream=sys.stderr,
        )
        return CANCELLED_EXIT_CODE
    except (DeployError, AssemblyError, SelectionError) as error:
        say(f"deploy-local FAILED: {error}", stream=sys.stderr)
        return 1
    say(f"deploy-local: done in {time.monotonic() - started:.1f} s")
    return 0


def destroy_local(app_dir: str, endpoint: str | None, stacks: Sequence[str] = (), force: bool = False) -> int:
    """Delete the app's stacks from the emulator (custom resources through their handler first).

    As `cdk destroy` does, the app is synthesized afresh to know its stacks (never an old cdk.out),
    stacks selects some (default: all; the stacks depending on them go too), and a person confirms
    first unless force is set. Without a terminal to ask on, nothing is deleted without force.
    """
    started = time.monotonic()
    app = Path(app_dir).resolve()
    if not endpoint:
        say(
            "destroy-local: nothing to destroy: without --endpoint URL the emulator is the one a "
            "deploy-local started and stopped. Pass --endpoint of the running emulator you deployed to."
        )
        return 0
    if not force and not sys.stdin.isatty():
        say(
            "destroy-local: refusing to delete without confirmation: standard input is not a terminal, "
            "so it cannot ask. Pass --force to delete without asking.",
            stream=sys.stderr,
        )
        return USAGE_EXIT_CODE
    try:
        say(f"Synthesizing {app} with the CDK CLI ...")
        selection = select_stacks(read_assembly(synthesize(app)), stacks, for_destroy=True)
        if selection.added:
            say(f"Including dependent stacks: {', '.join(selection.added)}")
        with _session(endpoint) as session:
            names = [stack.name for stack in reversed(selection.stacks)]
            deployed = [name for name in names if session.store.load(name) is not None]
            if deployed and not force and not confirm_destroy(deployed, endpoint):
                say("destroy-local: nothing deleted")
                return 0
            for name in names:
                StackDestroyer(session, name).destroy()
    except KeyboardInterrupt:
        say("destroy-local CANCELLED (Ctrl-C): run it again to delete what is left", stream=sys.stderr)
        return CANCELLED_EXIT_CODE
    except (DeployError, AssemblyError, SelectionError) as error:
        say(f"destroy-local FAILED: {error}", stream=sys.stderr)
        return 1
    say(f"destroy-local: done in {time.monotonic() - started:.1f} s")
    return 0


def confirm_destroy(names: Sequence[str], endpoint: str, stream: TextIO | None = None) -> bool:
    """Ask as `cdk destroy` does; only an answer of y or yes deletes (end of input is a no)."""
    print(
        f"Are you sure you want to delete: {', '.join(names)} (from the emulator at {endpoint}) (y/N)? ",
        end="",
        flush=True,
    )
    answer = (stream or sys.stdin).readline()
    if not answer.endswith("\n"):
        print(flush=True)  # end of input: finish the prompt's line
    return answer.strip().lower() in ("y", "yes")


def _show_users(session: Session, stack_name: str, show: int) -> None:
    state = session.store.load(stack_name)
    for resource in state.resources.values() if state else []:
        if resource.resource_type == "AWS::Cognito::UserPool" and not is_placeholder(resource.physical_id):
            for line in describe_users(session.client("cognito-idp"), resource.physical_id, show=show):
                say(line)


def say(message: str, *, stream: Any = None) -> None:
    print(message, file=stream or sys.stdout, flush=True)


# -- the emulator session -------------------------------------------------------------------------


class Session:
    """Clients for the emulator, the ResponseURL server, the function runner and a scratch folder."""

    def __init__(self, endpoint: str, region: str, work_dir: Path, server: ResponseServer) -> None:
        self.endpoint = endpoint
        self.region = region
        self.work_dir = work_dir
        self.server = server
        self._boto = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            region_name=region,
        )
        self._clients: dict[str, Any] = {}
        self.account_id = str(self.client("sts").get_caller_identity()["Account"])
        self.runner = LambdaRunner(
            work_dir, endpoint=endpoint, region=region, echo=_handler_line, secrets=server.urls
        )
        self.store = StateStore(self.client("s3"), self.account_id, region)
        self._code_dirs: dict[str, Path] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._boto.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.endpoint,
                config=Config(retries={"mode": "standard", "max_attempts": 5}),
            )
        return self._clients[service]

    def environment(self, stack_name: str) -> Environment:
        return Environment(self.client, stack_name, self.region, self.account_id)

    def function_for(self, service_token: str, resources: dict[str, DeployedResource]) -> LambdaFunction:
        """The deployed function a ServiceToken names, its code fetched from the emulator and unzipped."""
        name = service_token.split(":function:")[-1].split(":")[0]
        for resource in resources.values():
            if resource.resource_type != "AWS::Lambda::Function":
                continue
            if resource.attributes.get("Arn") == service_token or resource.physical_id == name:
                return self._function(resource)
        raise DeployError(
            f"ServiceToken {service_token} is not a function of this stack (only Lambda-backed custom "
            "resources are emulated)"
        )

    def _function(self, resource: DeployedResource) -> LambdaFunction:
        props = resource.properties
        code = props.get("Code", {})
        key = f"{code.get('S3Bucket')}/{code.get('S3Key')}" if "S3Key" in code else resource.physical_id
        if key not in self._code_dirs:
            target = self.work_dir / "functions" / uuid.uuid4().hex
            if "ZipFile" in code:
                from .resources import inline_package

                unzip_code(inline_package(str(code["ZipFile"]), str(props.get("Runtime", ""))), target)
            else:
                body = self.client("s3").get_object(Bucket=code["S3Bucket"], Key=code["S3Key"])["Body"].read()
                unzip_code(body, target)
            self._code_dirs[key] = target
        variables = props.get("Environment", {}).get("Variables", {})
        return LambdaFunction(
            name=resource.physical_id,
            arn=str(resource.attributes["Arn"]),
            handler=str(props["Handler"]),
            code_dir=self._code_dirs[key],
            timeout_seconds=float(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
            environment={str(k): str(v) for k, v in variables.items()},
        )


@contextmanager
def _session(endpoint: str | None) -> Iterator[Session]:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    with (
        _emulator(endpoint) as url,
        ResponseServer() as server,
        tempfile.TemporaryDirectory(prefix="cognito-user-import-local-") as work,
    ):
        try:
            yield Session(url, region, Path(work), server)
        except (ClientError, BotoCoreError) as error:
            raise DeployError(f"the emulator at {url} refused a request: {error}") from error


@contextmanager
def _emulator(endpoint: str | None) -> Iterator[str]:
    if endpoint:
        say(f"Emulator: {endpoint} (running; what is deployed stays there)")
        yield endpoint.rstrip("/")
        return
    from cognito_user_import_emulator import Emulator

    with Emulator(port=0) as emulator:
        say(f"Emulator: {emulator.url} (started for this run, stopped at its end)")
        yield emulator.url


def _handler_line(line: str) -> None:
    say(f"      | {line}")


# -- deploying a stack ---------------------------------------------------------------------------


@dataclass
class _Change:
    """One step done in this run, so that a failure can be rolled back."""

    action: str
    """"create" or "update"."""
    logical_id: str
    resource: DeployedResource
    previous: DeployedResource | None = None


class _Stack:
    """What deploying and destroying share: the stack's context, resolver and resource operations."""

    def __init__(self, session: Session, name: str, state: StackState | None) -> None:
        self.session = session
        self.name = name
        self.state = state
        self.stack_id = (
            state.stack_id
            if state
            else f"arn:aws:cloudformation:{session.region}:{session.account_id}:stack/{name}/{uuid.uuid4()}"
        )
        self.resources: dict[str, DeployedResource] = dict(state.resources) if state else {}
        self.env = session.environment(name)
        self.caller = CustomResourceCaller(
            runner=session.runner,
            server=session.server,
            events=session.client("events"),
            stack_id=self.stack_id,
            echo=_handler_line,
            lambda_client=session.client("lambda"),
        )

    def context(self, template: dict[str, Any]) -> StackContext:
        parameters: dict[str, Any] = {}
        for name, declaration in template.get("Parameters", {}).items():
            default = declaration.get("Default")
            if str(declaration.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                default = BOOTSTRAP_VERSION if "cdk-bootstrap" in str(default) else default
            parameters[name] = default
        context = StackContext(
            stack_name=self.name,
            stack_id=self.stack_id,
            region=self.session.region,
            account_id=self.session.account_id,
            parameters=parameters,
            mappings=template.get("Mappings", {}),
            ref=self._ref,
            get_att=self._get_att,
        )
        evaluate_conditions(template, context)
        return context

    def _ref(self, logical_id: str) -> str:
        if logical_id not in self.resources:
            raise IntrinsicError(f"Ref {logical_id}: no such resource deployed")
        return self.resources[logical_id].physical_id

    def _get_att(self, logical_id: str, attribute: str) -> Any:
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

    def function_of(self, properties: dict[str, Any]) -> LambdaFunction:
        return self.session.function_for(str(properties.get("ServiceToken", "")), self.resources)

    def call_custom(self, request: Request) -> Response:
        return self.caller.call(request, self.function_of(request.properties))

    def pending_physical_id(self, logical_id: str, pending: PendingRequest) -> str | None:
        """The physical id an unanswered request made, from crhelper's pending poll (then removed).

        An invocation may still be running and make that poll: it is waited for until the function's
        timeout. None when the request left no poll (it ended some other way, or never got far).
        """
        function = self.function_of(pending.properties)
        deadline = time.monotonic() + effective_timeout(function) + POLL_SETTLE_GRACE_SECONDS
        say(f"  {logical_id}: a {pending.request_type} request was in flight; looking for its pending poll")
        while True:
            polls = self.caller.pending_polls(function, pending.request_id)
            if polls or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
        self.caller.drop(polls, function)
        physical_id = next((poll.physical_id for poll in polls if poll.physical_id), None)
        if physical_id is None:
            say(f"  {logical_id}: no pending poll: the request's physical id is unknown", stream=sys.stderr)
        return physical_id

    def delete_resource(self, logical_id: str, resource: DeployedResource) -> None:
        """Delete one resource; raises DeployError with the reason when the service or handler refuses."""
        kind = resource.resource_type
        if resource.deletion_policy in ("Retain", "RetainExceptOnCreate", "Snapshot"):
            say(
                f"  RETAIN  {kind:<28} {logical_id} ({resource.physical_id}): "
                f"DeletionPolicy {resource.deletion_policy}"
            )
            return
        if kind in SILENTLY_SKIPPED or is_placeholder(resource.physical_id):
            return
        say(f"  DELETE  {kind:<28} {logical_id} ({resource.physical_id})")
        provisioner = _provisioner(kind)
        if provisioner is None:
            response = self.call_custom(
                Request("Delete", kind, logical_id, resource.properties, physical_id=resource.physical_id)
            )
            if not response.ok:
                raise DeployError(f"{logical_id} ({kind}) failed to delete: {response.reason}")
            return
        try:
            provisioner.delete(self.env, resource.physical_id, resource.properties)
        except (ClientError, BotoCoreError, ResourceError) as error:
            raise DeployError(f"{logical_id} ({kind}) failed to delete: {error}") from error


class StackDeployer(_Stack):
    def __init__(self, session: Session, stack: StackArtifact) -> None:
        super().__init__(session, stack.name, session.store.load(stack.name))
        self.artifact = stack
        self.template = stack.template
        self.changes: list[_Change] = []
        self.assets: list[dict[str, str]] = []
        self.pending: dict[str, PendingRequest] = {}
        """Custom resource requests in flight, saved with every checkpoint."""

    def deploy(self) -> None:
        started = time.monotonic()
        updating = self.state is not None
        if self.state is not None and self.state.status != COMPLETE:
            raise DeployError(
                f"stack {self.name} is {self.state.status}: a deploy-local of it is still running, or ended "
                "before it finished; run destroy-local to remove what it left"
            )
        say(f"Stack {self.name}: {'update' if updating else 'create'}")
        context = self.context(self.template)
        resolver = Resolver(context)
        self.assets = self._upload_assets(resolver)
        order = deployment_order(self.template, context.conditions)
        new_ids: set[str] = set(order)
        try:
            for logical_id in order:
                self._deploy_resource(logical_id, resolver)
        except (DeployCancelled, KeyboardInterrupt) as cancelled:
            what = f": {cancelled}" if str(cancelled) else ""
            say(f"  {self.name}: cancel requested (Ctrl-C){what}", stream=sys.stderr)
            outcome = self._roll_back()
            raise DeployCancelled(f"stack {self.name}: cancelled by the user; {outcome}") from None
        except DeployError as error:
            say(f"  {self.name}: {'UPDATE' if updating else 'CREATE'}_FAILED: {error}", stream=sys.stderr)
            self._roll_back()
            raise DeployError(f"stack {self.name}: {error}") from error
        replaced = [change for change in self.changes if _replaced(change)]
        removed = [
            logical_id
            for logical_id in (self.state.resources if self.state else {})
            if logical_id not in new_ids
        ]
        self._clean_up(replaced, removed)
        outputs = self._outputs(resolver, context.conditions)
        prior_assets = self.state.assets if self.state else []
        state = StackState(
            stack_name=self.name,
            stack_id=self.stack_id,
            template=self.template,
            resources={logical_id: self.resources[logical_id] for logical_id in order},
            outputs=outputs,
            assets=_merge_assets(prior_assets, self.assets),
        )
        self.session.store.save(state)
        status = "UPDATE_COMPLETE" if updating else "CREATE_COMPLETE"
        if updating and not self.changes and not removed:
            status = "no changes"
        say(f"Stack {self.name}: {status} in {time.monotonic() - started:.1f} s")
        say(f"Resources of {self.name}:")
        for line in resource_table(state.resources):
            say(line)
        if outputs:
            say(f"Outputs of {self.name}:")
            width = max(len(key) for key in outputs)
            for key, value in outputs.items():
                say(f"  {self.name}.{key:<{width}} = {value}")

    def _checkpoint(self, status: str = IN_PROGRESS) -> None:
        """Save what exists now, so that a destroy-local can finish whatever this run leaves."""
        prior = self.state
        self.session.store.save(
            StackState(
                stack_name=self.name,
                stack_id=self.stack_id,
                template=self.template,
                resources={key: value for key, value in self.resources.items() if not _placeholder(value)},
                outputs=prior.outputs if prior else {},
                assets=_merge_assets(prior.assets if prior else [], self.assets),
                status=status,
                pending=dict(self.pending),
            )
        )

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
                say(f"  asset   {key} uploaded to s3://{bucket} ({len(body) / 1024:.0f} KiB)")
            uploaded.append({"bucket": bucket, "key": key})
        return uploaded

    def _deploy_resource(self, logical_id: str, resolver: Resolver) -> None:
        declaration = self.template["Resources"][logical_id]
        kind = str(declaration["Type"])
        try:
            props = resolver.resolve(declaration.get("Properties", {})) or {}
        except IntrinsicError as error:
            raise DeployError(f"{logical_id} ({kind}): {error}") from error
        custom = is_custom_resource(kind)
        if custom:
            props = stringify(props)
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
                say(f"  PLACEHOLDER {kind:<24} {logical_id}: {reason}")
            return
        if previous is not None and is_placeholder(previous.physical_id):
            previous = None  # what was a placeholder is now made for real
        action = "update" if previous is not None else "create"
        verb = action.upper()
        say(f"  {verb:<7} {kind:<28} {logical_id}")
        if custom and kind not in MODELLED_CUSTOM_RESOURCES:
            result = self._custom(action, kind, logical_id, props, previous, depends)
        else:
            result = self._provision(action, kind, logical_id, props, previous)
        resource = DeployedResource(kind, result.physical_id, props, result.attributes, depends, policy)
        self.resources[logical_id] = resource
        self.changes.append(_Change(action, logical_id, resource, previous))
        self._checkpoint()
        detail = (
            ", ".join(f"{key}={_short(value)}" for key, value in result.attributes.items()) if custom else ""
        )
        say(f"  {verb}_COMPLETE {logical_id} -> {result.physical_id}{': ' + detail if detail else ''}")

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
            self.changes.append(_Change("update", logical_id, resource, previous))

    def _provision(
        self,
        action: str,
        kind: str,
        logical_id: str,
        props: dict[str, Any],
        previous: DeployedResource | None,
    ) -> Provisioned:
        provisioner = _provisioner(kind)
        assert provisioner is not None, kind
        try:
            if previous is None:
                return provisioner.create(self.env, logical_id, props)
            current = Provisioned(previous.physical_id, previous.attributes)
            return provisioner.update(self.env, logical_id, current, props, previous.properties)
        except (ClientError, BotoCoreError, ResourceError, KeyError) as error:
            raise DeployError(f"{logical_id} ({kind}) failed to {action}: {_message(error)}") from error

    def _custom(
        self,
        action: str,
        kind: str,
        logical_id: str,
        props: dict[str, Any],
        previous: DeployedResource | None,
        depends: list[str],
    ) -> Provisioned:
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
        self.pending[logical_id] = PendingRequest(
            request.request_type, request.request_id, kind, props, depends
        )
        self._checkpoint()
        # Settled here when the request ends or is cancelled; a second Ctrl-C or a kill leaves it
        # recorded for the rollback or destroy-local to settle from its pending poll.
        try:
            response = self.call_custom(request)
        except RequestCancelled as cancelled:
            del self.pending[logical_id]
            self._abandon(logical_id, kind, props, depends, previous, cancelled.physical_id)
            raise DeployCancelled(f"{logical_id} ({kind}): {action} cancelled") from None
        except DeployError:
            del self.pending[logical_id]
            raise
        del self.pending[logical_id]
        if not response.ok:
            if previous is None and response.physical_id:
                # CloudFormation deletes what a failed Create reported, in its rollback.
                failed = DeployedResource(kind, response.physical_id, props, {}, [])
                self.changes.append(_Change("create", logical_id, failed))
            elif previous is not None:
                attempted = DeployedResource(kind, previous.physical_id, props, previous.attributes, [])
                self.changes.append(_Change("update", logical_id, attempted, previous))
            raise DeployError(f"{logical_id} ({kind}) failed to {action}: {response.reason}")
        return Provisioned(
            response.physical_id or (previous.physical_id if previous else logical_id), response.data
        )

    def _abandon(
        self,
        logical_id: str,
        kind: str,
        props: dict[str, Any],
        depends: list[str],
        previous: DeployedResource | None,
        physical_id: str | None,
    ) -> None:
        """Note for the rollback what a cancelled request made (the physical id its handler reported)."""
        if not physical_id:
            if previous is None:
                say(
                    f"  {logical_id}: its physical id is unknown (no answer and no pending poll): "
                    "the rollback cannot send it a Delete",
                    stream=sys.stderr,
                )
            return
        if previous is not None and physical_id == previous.physical_id:
            return  # nothing new was made: the previous resource stays
        made = DeployedResource(kind, physical_id, props, {}, depends)
        self.changes.append(_Change("abandon", logical_id, made, previous))
        if previous is None:
            self.resources[logical_id] = made

    def _roll_back(self) -> str:
        """Undo this run's changes, newest first; answers the outcome a person reads."""
        for logical_id, pending in list(self.pending.items()):
            # A request interrupted before it could be cancelled cleanly: what it made is in its poll.
            try:
                physical_id = self.pending_physical_id(logical_id, pending)
            except DeployError as error:
                say(f"  {logical_id}: {error}", stream=sys.stderr)
                physical_id = None
            previous = self.resources.get(logical_id)
            self._abandon(
                logical_id,
                pending.resource_type,
                pending.properties,
                pending.depends_on,
                previous,
                physical_id,
            )
            del self.pending[logical_id]
        if self.changes:
            say(f"  Rolling back {self.name} ...")
        failures = 0
        for change in reversed(self.changes):
            try:
                if change.action in ("create", "abandon"):
                    # A cancelled request's resource goes through the handler's Delete too.
                    self.delete_resource(change.logical_id, change.resource)
                    if change.previous is not None:
                        self.resources[change.logical_id] = change.previous
                    else:
                        self.resources.pop(change.logical_id, None)
                elif change.previous is not None:
                    self._restore(change)
            except DeployError as error:
                failures += 1
                say(f"  rollback of {change.logical_id} failed: {error}", stream=sys.stderr)
            self._checkpoint()
        if self.state is not None:
            # Resources the rollback could not delete stay recorded next to the previous deployment.
            left = {
                change.logical_id: self.resources[change.logical_id]
                for change in self.changes
                if change.action == "create" and change.logical_id in self.resources
            }
            self.state.resources = {**self.state.resources, **left}
            self.session.store.save(self.state)
            outcome = "UPDATE_ROLLBACK_COMPLETE (the previous deployment stays)"
            if failures:
                outcome = f"UPDATE_ROLLBACK_COMPLETE with {failures} failures (see above)"
        elif any(not _placeholder(resource) for resource in self.resources.values()):
            self._checkpoint(ROLLBACK_FAILED)
            outcome = "ROLLBACK_FAILED: what is left stays recorded; destroy-local removes it"
        else:
            self.session.store.remove(self.name)
            outcome = "ROLLBACK_COMPLETE (nothing of it is left in the emulator)"
        say(f"  {self.name}: {outcome}")
        return outcome

    def _restore(self, change: _Change) -> None:
        """Put an updated resource back to its previous properties, as UPDATE_ROLLBACK does."""
        previous = change.previous
        assert previous is not None
        kind = previous.resource_type
        if is_placeholder(change.resource.physical_id):
            self.resources[change.logical_id] = previous  # nothing was done to the previous resource
            return
        say(f"  UPDATE  {kind:<28} {change.logical_id} (rollback to the previous properties)")
        provisioner = _provisioner(kind)
        if provisioner is None:
            response = self.call_custom(
                Request(
                    "Update",
                    kind,
                    change.logical_id,
                    previous.properties,
                    physical_id=change.resource.physical_id,
                    old_properties=change.resource.properties,
                )
            )
            if not response.ok:
                raise DeployError(response.reason)
        else:
            current = Provisioned(change.resource.physical_id, change.resource.attributes)
            try:
                provisioner.update(
                    self.env, change.logical_id, current, previous.properties, change.resource.properties
                )
            except (ClientError, BotoCoreError, ResourceError) as error:
                raise DeployError(_message(error)) from error
        self.resources[change.logical_id] = previous

    def _clean_up(self, replaced: list[_Change], removed: list[str]) -> None:
        """After a successful update: delete what was replaced, then what left the template."""
        failures: list[str] = []
        for change in replaced:
            assert change.previous is not None
            try:
                self.delete_resource(change.logical_id, change.previous)
            except DeployError as error:
                failures.append(str(error))
        old = self.state.resources if self.state else {}
        for logical_id in deletion_order({key: old[key] for key in removed}):
            try:
                self.delete_resource(logical_id, old[logical_id])
            except DeployError as error:
                failures.append(str(error))
            self.resources.pop(logical_id, None)
        for failure in failures:
            # CloudFormation reports clean-up failures but keeps the update.
            say(f"  clean-up: {failure}", stream=sys.stderr)

    def _outputs(self, resolver: Resolver, conditions: dict[str, bool]) -> dict[str, str]:
        outputs: dict[str, str] = {}
        for key, declaration in self.template.get("Outputs", {}).items():
            if "Condition" in declaration and not conditions.get(declaration["Condition"], False):
                continue
            try:
                value = resolver.resolve(declaration["Value"])
            except IntrinsicError as error:
                raise DeployError(f"output {key}: {error}") from error
            outputs[key] = str(stringify(value))
        return outputs


class StackDestroyer(_Stack):
    def __init__(self, session: Session, name: str) -> None:
        super().__init__(session, name, session.store.load(name))

    def destroy(self) -> None:
        if self.state is None:
            say(f"Stack {self.name}: not deployed in this emulator, nothing to delete")
            return
        started = time.monotonic()
        if self.state.status == COMPLETE:
            say(f"Stack {self.name}: delete")
        else:
            say(f"Stack {self.name}: delete ({self.state.status}: its last deploy-local did not finish)")
        failed: dict[str, str] = {}
        for logical_id, pending in list(self.state.pending.items()):
            try:
                self._settle(logical_id, pending)
            except DeployError as error:
                failed[logical_id] = str(error)
                continue
            del self.state.pending[logical_id]
        for logical_id in deletion_order(self.resources):
            if logical_id in failed:
                continue
            resource = self.resources[logical_id]
            blocked = [
                other for other in failed if logical_id in self.resources.get(other, resource).depends_on
            ]
            if blocked:
                failed[logical_id] = f"still used by {', '.join(blocked)}"
                continue
            try:
                self.delete_resource(logical_id, resource)
            except DeployError as error:
                failed[logical_id] = str(error)
        if failed:
            # Keep what is left, so that another destroy-local can finish the job.
            assert self.state is not None
            self.state.resources = {key: self.resources[key] for key in failed if key in self.resources}
            self.session.store.save(self.state)
            reasons = "; ".join(f"{key}: {reason}" for key, reason in failed.items())
            raise DeployError(f"stack {self.name}: DELETE_FAILED: {reasons}")
        s3 = self.session.client("s3")
        for asset in self.state.assets:
            with suppress(ClientError):
                s3.delete_object(Bucket=asset["bucket"], Key=asset["key"])
        if self.state.assets:
            say(f"  assets  {len(self.state.assets)} deleted")
        self.session.store.remove(self.name)
        say(f"Stack {self.name}: DELETE_COMPLETE in {time.monotonic() - started:.1f} s")

    def _settle(self, logical_id: str, pending: PendingRequest) -> None:
        """A request a deploy-local sent and never saw answered: learn what it made, and delete that."""
        physical_id = self.pending_physical_id(logical_id, pending)
        previous = self.resources.get(logical_id)
        if physical_id is None:
            return
        if previous is not None and previous.physical_id == physical_id:
            return
        made = DeployedResource(
            pending.resource_type, physical_id, pending.properties, {}, list(pending.depends_on)
        )
        if previous is None:
            self.resources[logical_id] = made  # deleted in its turn below
        else:
            self.delete_resource(logical_id, made)  # an Update's new resource, before the previous one


# -- ordering --------------------------------------------------------------------------------------


def dependencies(declaration: dict[str, Any]) -> set[str]:
    """Logical ids a resource declaration needs first: DependsOn plus Ref/GetAtt/Sub references."""
    depends_on = declaration.get("DependsOn", [])
    explicit = {depends_on} if isinstance(depends_on, str) else set(depends_on)
    return explicit | references(declaration.get("Properties", {}))


def deployment_order(template: dict[str, Any], conditions: dict[str, bool]) -> list[str]:
    """The resources to deploy (Condition true), each after what it needs, otherwise in template order."""
    declarations: dict[str, Any] = template.get("Resources", {})
    wanted = [
        logical_id
        for logical_id, declaration in declarations.items()
        if "Condition" not in declaration or conditions.get(declaration["Condition"], False)
    ]
    graph = {logical_id: dependencies(declarations[logical_id]) & set(declarations) for logical_id in wanted}
    return _topological(wanted, graph.__getitem__)


def deletion_order(resources: dict[str, DeployedResource]) -> list[str]:
    """Deployed resources, each before what it depends on."""
    graph = {
        logical_id: set(resource.depends_on) & set(resources) for logical_id, resource in resources.items()
    }
    return list(reversed(_topological(list(resources), graph.__getitem__)))


def _topological(nodes: list[str], needs: Callable[[str], set[str]]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = placed

    def visit(node: str, path: tuple[str, ...]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise DeployError(f"circular dependency between resources: {' -> '.join((*path, node))}")
        state[node] = 1
        for needed in sorted(needs(node)):
            if needed in nodes:
                visit(needed, (*path, node))
            else:
                raise DeployError(
                    f"{node} depends on {needed}, which is not deployed (its Condition is false?)"
                )
        state[node] = 2
        order.append(node)

    for node in nodes:
        visit(node, ())
    return order


def _placeholder(resource: DeployedResource) -> bool:
    return is_placeholder(resource.physical_id)


def _provisioner(kind: str) -> Provisioner | None:
    """What creates, updates and deletes a resource of this type; None for a handler-run custom resource."""
    return PROVISIONERS.get(kind) or MODELLED_CUSTOM_RESOURCES.get(kind)


def _replaced(change: _Change) -> bool:
    return (
        change.action == "update"
        and change.previous is not None
        and change.previous.physical_id != change.resource.physical_id
    )


def _merge_assets(old: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    merged = list(old)
    for asset in new:
        if asset not in merged:
            merged.append(asset)
    return merged


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _message(error: BaseException) -> str:
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return f"{detail.get('Code', 'Error')}: {detail.get('Message', error)}"
    return str(error)
