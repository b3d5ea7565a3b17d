"""deploy-local and destroy-local: a CDK app's stacks deployed into the emulator the way CloudFormation would.

Synthesize with the CDK CLI, upload the file assets, then create, update or delete the template's
resources in dependency order; custom resources go through their function with CloudFormation's
events. What was deployed is kept in the emulator (state.py), so a second run is an update.

Ctrl-C (SIGINT) cancels a deployment as CloudFormation's cancel does: a running function invocation
is left to end, then everything this run made is rolled back, custom resources through their
handler's Delete (for an import: the job is stopped before its pool is deleted). destroy-local also
finishes what a killed deploy-local left, custom resource requests still in flight included.

Each command answers its exit code: 0 done, 1 failed, 2 refused as given, 130 cancelled (Ctrl-C).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from .assembly import AssemblyError, read_assembly, synthesize
from .cost import CallCost
from .deployer import StackDeployer
from .destroyer import StackDestroyer
from .errors import DeployCancelled, DeployError
from .placeholders import is_placeholder
from .pool_report import describe_users
from .reporter import ConsoleReporter, Reporter
from .selection import SelectionError, select_stacks
from .session import Session, open_session
from .sign_in import SignInError, sign_in

FAILED_EXIT_CODE = 1
USAGE_EXIT_CODE = 2
"""A command that cannot go on as it was given (argparse's code for bad arguments)."""
CANCELLED_EXIT_CODE = 130
"""What a shell reports for a command ended by Ctrl-C."""


def deploy_local(
    app_dir: str,
    endpoint: str | None,
    show_users: int = 0,
    stacks: Sequence[str] = (),
    reporter: Reporter | None = None,
    sign_in_as: Sequence[str] = (),
    context: Mapping[str, str] | None = None,
    outputs_file: str | None = None,
) -> int:
    """Synthesize the app in app_dir and deploy its stacks into the emulator. Returns the exit code.

    stacks: names or patterns as `cdk deploy` takes them (default: every stack); the stacks they
    depend on are deployed first. show_users > 0 lists that many usernames (and the counts by
    status) of each user pool afterwards. sign_in_as: usernames to sign in as once every stack is
    deployed, with the password an import set from its passwords secret (sign_in.py); a failure
    leaves the stacks deployed and the exit code 1. context: `cdk deploy -c KEY=VALUE`'s values for
    the synth. outputs_file: as `cdk deploy --outputs-file`, the deployed stacks' outputs written as
    JSON, {stack name: {output key: value}}, after each stack (so a failed run keeps what deployed).
    """
    reporter = reporter or ConsoleReporter()
    app = Path(app_dir).resolve()
    written: dict[str, dict[str, str]] = {}

    def deploy() -> bool:
        reporter.progress(f"Synthesizing {app} with the CDK CLI ...")
        selection = select_stacks(
            read_assembly(synthesize(app, reporter=reporter, context=context)), stacks, for_destroy=False
        )
        if selection.added:
            reporter.progress(f"Including dependency stacks: {', '.join(selection.added)}")
        with open_session(endpoint, reporter) as session:
            cost = CallCost(session.endpoint)
            for stack in selection.stacks:
                cost.reset()
                StackDeployer(session, stack, reporter).deploy()
                if outputs_file:
                    _write_outputs(session, stack.name, Path(outputs_file), written)
                reporter.progress(f"Cost of {stack.name}:")
                for line in cost.lines():
                    reporter.progress(f"  {line}")
                if show_users > 0:
                    _show_users(session, stack.name, show_users, reporter)
            _sign_in(session, [stack.name for stack in selection.stacks], sign_in_as, reporter)
        return True

    return run_deploy_local(deploy, reporter)


def destroy_local(
    app_dir: str,
    endpoint: str | None,
    stacks: Sequence[str] = (),
    force: bool = False,
    reporter: Reporter | None = None,
    context: Mapping[str, str] | None = None,
) -> int:
    """Delete the app's stacks from the emulator (custom resources through their handler first).

    As `cdk destroy` does, the app is synthesized afresh to know its stacks (never an old cdk.out),
    stacks selects some (default: all; the stacks depending on them go too), and a person confirms
    first unless force is set. Without a terminal to ask on, nothing is deleted without force.
    context: `cdk destroy -c KEY=VALUE`'s values for the synth. A stack whose export another deployed
    stack still imports is not deleted (DELETE_FAILED, as CloudFormation refuses it).
    """
    reporter = reporter or ConsoleReporter()
    app = Path(app_dir).resolve()
    if not endpoint:
        reporter.progress(
            "destroy-local: nothing to destroy: without --endpoint URL the emulator is the one a "
            "deploy-local started and stopped. Pass --endpoint of the running emulator you deployed to."
        )
        return 0
    if not force and not sys.stdin.isatty():
        reporter.problem(
            "destroy-local: refusing to delete without confirmation: standard input is not a terminal, "
            "so it cannot ask. Pass --force to delete without asking."
        )
        return USAGE_EXIT_CODE

    def destroy() -> bool:
        reporter.progress(f"Synthesizing {app} with the CDK CLI ...")
        selection = select_stacks(
            read_assembly(synthesize(app, reporter=reporter, context=context)),
            stacks,
            for_destroy=True,
        )
        if selection.added:
            reporter.progress(f"Including dependent stacks: {', '.join(selection.added)}")
        with open_session(endpoint, reporter) as session:
            names = [stack.name for stack in reversed(selection.stacks)]
            deployed = [name for name in names if session.store.load(name) is not None]
            if deployed and not force and not confirm_destroy(deployed, endpoint, reporter=reporter):
                reporter.progress("destroy-local: nothing deleted")
                return False
            for name in names:
                StackDestroyer(session, name, reporter).destroy()
        return True

    return run_destroy_local(destroy, reporter)


def run_deploy_local(work: Callable[[], bool], reporter: Reporter) -> int:
    """deploy-local's work run, and its exit code (see run_command)."""
    # Before any stack changed, or during a rollback: what is left is in the stack's state.
    interrupted = "deploy-local CANCELLED (Ctrl-C); if a stack was left part-made, destroy-local removes it"
    return run_command("deploy-local", work, reporter, interrupted=interrupted)


def run_destroy_local(work: Callable[[], bool], reporter: Reporter) -> int:
    """destroy-local's work run, and its exit code (see run_command)."""
    interrupted = "destroy-local CANCELLED (Ctrl-C): run it again to delete what is left"
    return run_command("destroy-local", work, reporter, interrupted=interrupted)


def run_command(command: str, work: Callable[[], bool], reporter: Reporter, *, interrupted: str) -> int:
    """Run a command's work and answer its exit code, saying how it ended.

    work answers False when it ended early with nothing done (a person declined): exit code 0, and
    nothing more is said. interrupted: what a Ctrl-C that no rollback answered (one before any stack
    changed, or a second one during a rollback) leaves a person to know.
    """
    started = time.monotonic()
    try:
        completed = work()
    except DeployCancelled as cancelled:
        reporter.problem(f"{command} CANCELLED: {cancelled}")
        return CANCELLED_EXIT_CODE
    except KeyboardInterrupt:
        reporter.problem(interrupted)
        return CANCELLED_EXIT_CODE
    except (DeployError, AssemblyError, SelectionError) as error:
        reporter.problem(f"{command} FAILED: {error}")
        return FAILED_EXIT_CODE
    if completed:
        reporter.progress(f"{command}: done in {time.monotonic() - started:.1f} s")
    return 0


def confirm_destroy(
    names: Sequence[str], endpoint: str, stream: TextIO | None = None, *, reporter: Reporter | None = None
) -> bool:
    """Ask as `cdk destroy` does; only an answer of y or yes deletes (end of input is a no).

    The answer is read from stream when given (else standard input), or from the reporter's person.
    """
    asker = reporter or ConsoleReporter(answers=stream)
    answer = asker.ask(
        f"Are you sure you want to delete: {', '.join(names)} (from the emulator at {endpoint}) (y/N)? "
    )
    return answer.strip().lower() in ("y", "yes")


def _write_outputs(session: Session, stack_name: str, path: Path, written: dict[str, dict[str, str]]) -> None:
    """The outputs file as the CDK CLI writes it: every stack deployed so far, by stack name."""
    state = session.store.load(stack_name)
    written[stack_name] = dict(state.outputs) if state else {}
    path.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")


def _show_users(session: Session, stack_name: str, show: int, reporter: Reporter) -> None:
    state = session.store.load(stack_name)
    for resource in state.resources.values() if state else []:
        if resource.resource_type == "AWS::Cognito::UserPool" and not is_placeholder(resource.physical_id):
            for line in describe_users(session.client("cognito-idp"), resource.physical_id, show=show):
                reporter.progress(line)


def _sign_in(
    session: Session, stack_names: Sequence[str], usernames: Sequence[str], reporter: Reporter
) -> None:
    states = [state for name in stack_names if (state := session.store.load(name)) is not None]
    for username in usernames:
        try:
            lines = sign_in(session.client, states, username)
        except SignInError as error:
            raise SignInError(
                f"the stacks are deployed (and stay), but signing in as {username} failed: {error}"
            ) from None
        for line in lines:
            reporter.progress(line)
