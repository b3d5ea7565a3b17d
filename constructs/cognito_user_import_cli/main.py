"""The `cognito-user-import` console script: emulator, deploy-local, destroy-local, validate, plan."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "cdk-cognito-user-import"
DEFAULT_PORT = 2646
"""The emulator's port when none is given: C-O-G-N on a phone keypad. Chosen to be clear of other
local tools: LocalStack (4566, 4510-4559), moto server (5000), DynamoDB Local (8000), MinIO (9000) and
the usual development servers (3000, 5173, 8080, 8888...)."""
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"

_DEPLOY_DESCRIPTION = (
    "Synthesize the CDK app in the current folder (or --app-dir) with its CDK CLI, then create its stacks' "
    "resources in the local emulator and run their custom resources' handlers as CloudFormation does "
    "(Create, Update with OldResourceProperties, Delete on rollback). Prints the handlers' progress, the "
    "stack outputs and a table of what was emulated, modelled or only a placeholder."
)
_DEPLOY_EPILOG = f"""\
STACK: names or patterns (* and ?) as `cdk deploy` takes them, matched against the names `cdk ls`
prints; default: every stack. The stacks they depend on are deployed first.

Without --endpoint an emulator is started for this run and stopped at its end. Against a running
one (`cognito-user-import emulator`, then --endpoint {DEFAULT_URL}) what is deployed stays
there: deploy again after a change and it is an update.

--sign-in USERNAME proves a seeded account usable: once every stack is deployed (while the emulator
is still up), the password an import set for USERNAME is read from its passwords secret in the
emulator and used to sign in through a client of the import's pool whose ExplicitAuthFlows allow
ALLOW_ADMIN_USER_PASSWORD_AUTH (a client secret's SECRET_HASH is sent when it has one).

Exit status: 0 deployed (and signed in), 1 failed (rolled back; or deployed, but a --sign-in
failed: the stacks stay), 130 cancelled with Ctrl-C (rolled back)."""

_DESTROY_DESCRIPTION = (
    "Delete the app's stacks from a running emulator, as `cdk destroy` does: the app is synthesized afresh "
    "to know its stacks, custom resources get their Delete (an import job still running is stopped), "
    "then the rest goes in reverse dependency order. Asks for confirmation first (y/N)."
)
_DESTROY_EPILOG = """\
STACK: names or patterns (* and ?) as `cdk destroy` takes them; default: every stack of the app. The
stacks that depend on them are deleted too. Without a terminal to ask on (CI, a pipe), nothing is
deleted unless --force is given (exit status 2). It also finishes what a killed deploy-local left."""


def package_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def context_pair(text: str) -> tuple[str, str]:
    """KEY=VALUE, as the CDK CLI's --context takes it (the value may hold further '=')."""
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _wrapped(text: str) -> str:
    """A one-line description filled to the width of the epilogs (kept as written, raw)."""
    return textwrap.fill(text, width=100)


def _emulator_help() -> tuple[str, str]:
    """The emulator's own description and epilog (settings, control endpoints), when it provides them."""
    try:
        from cognito_user_import_emulator import cli_help
    except ImportError:
        return "Serve the local Cognito import-job emulator until Ctrl-C or SIGTERM.", ""
    return cli_help.EMULATOR_DESCRIPTION, cli_help.EMULATOR_EPILOG


def _add_emulator(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    description, epilog = _emulator_help()
    emulator = commands.add_parser(
        "emulator",
        help="serve the local Cognito import-job emulator (moto server plus the import-job operations)",
        description=_wrapped(description),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    emulator.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT}; 0 = any)"
    )


def _add_local_deploys(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, summary, description, epilog in (
        (
            "deploy-local",
            "deploy the CDK app's stacks into the local emulator",
            _DEPLOY_DESCRIPTION,
            _DEPLOY_EPILOG,
        ),
        (
            "destroy-local",
            "delete the CDK app's stacks from a running emulator",
            _DESTROY_DESCRIPTION,
            _DESTROY_EPILOG,
        ),
    ):
        sub = commands.add_parser(
            name,
            help=summary,
            description=_wrapped(description),
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("stacks", nargs="*", metavar="STACK", help="stack names or patterns (default: all)")
        deploying = name == "deploy-local"
        sub.add_argument(
            "--endpoint",
            metavar="URL",
            required=not deploying,
            help=f"URL of a running emulator, e.g. {DEFAULT_URL}"
            + (" (default: start one for this run and stop it afterwards)" if deploying else ""),
        )
        sub.add_argument(
            "--app-dir",
            default=".",
            metavar="DIR",
            help="folder of the CDK app (default: the current folder)",
        )
        sub.add_argument(
            "-c",
            "--context",
            action="append",
            default=[],
            type=context_pair,
            metavar="KEY=VALUE",
            help="a context value for the synth, as `cdk deploy -c KEY=VALUE` passes it (repeatable)",
        )
    _add_deploy_only(commands.choices["deploy-local"])
    commands.choices["destroy-local"].add_argument(
        "--force", "-f", action="store_true", help="delete without asking for confirmation"
    )


def _add_deploy_only(deploy: argparse.ArgumentParser) -> None:
    """The options only deploy-local has: what it writes and shows afterwards."""
    deploy.add_argument(
        "--outputs-file",
        "-O",
        metavar="FILE",
        help="write the outputs to FILE as `cdk deploy --outputs-file` does: {stack: {output: value}}",
    )
    deploy.add_argument(
        "--show-users",
        type=int,
        default=0,
        metavar="N",
        help="afterwards, list N usernames and the user counts by status of each user pool (default: 0)",
    )
    deploy.add_argument(
        "--sign-in",
        action="append",
        default=[],
        metavar="USERNAME",
        help=(
            "afterwards, sign in as USERNAME with the password its UserImport set from a passwords secret, "
            "and print the access token shortened, never the password (see below; repeatable)"
        ),
    )


def _add_validate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    validate = commands.add_parser(
        "validate",
        help="check user CSV files offline",
        description="Check user CSV files with the rules the construct (synth) and handler (deploy) apply.",
        epilog=(
            "Header names match the pool's exactly; 'username' and 'mfa_enabled' are accepted for "
            "cognito:username and cognito:mfa_enabled. Exit status: 0 when every file is clean, 1 when "
            "any has a problem, 2 when the pool schema cannot be read."
        ),
    )
    validate.add_argument("files", nargs="*", metavar="FILE.csv")
    validate.add_argument(
        "--app",
        nargs="?",
        const=".",
        metavar="DIR",
        help="synthesize the CDK app in DIR (default: the current folder) and check each UserImport's file "
        "against its own pool, exactly as synth does",
    )
    validate.add_argument(
        "-c",
        "--context",
        action="append",
        default=[],
        type=context_pair,
        metavar="KEY=VALUE",
        help="with --app: a context value for the synth (repeatable)",
    )
    validate.add_argument(
        "--pool-schema",
        metavar="JSON",
        help="a DescribeUserPool response saved as JSON (default: generic rules for any pool)",
    )
    from cognito_user_import_cli.validate import add_arguments  # its own options (no moto, no CDK)

    add_arguments(validate)
    from cognito_user_import_cli.pool_shape import add_shape_arguments

    add_shape_arguments(validate)


def _add_plan(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    plan = commands.add_parser(
        "plan",
        help="show what a deployment of a users file would do to a pool (read-only)",
        description=(
            "Read-only: validate FILE and print the counts of what a deployment would do; with --details "
            "first, per user, what it would do (import, skip and why, update which attributes, groups "
            "added or removed, password set); with --json all of it as JSON. "
            "Uses the caller's AWS credentials, or the emulator with --endpoint."
        ),
        epilog="Exit status: 0, or 1 when a deployment would fail before any job (the reason follows).",
    )
    plan.add_argument("file", metavar="FILE")
    plan.add_argument("--user-pool-id", required=True, metavar="ID")
    plan.add_argument("--endpoint", metavar="URL", help="an emulator's URL (default: AWS)")
    plan.add_argument("--existing-users", choices=["skip", "update", "fail"], default="skip")
    plan.add_argument("--passwords-secret", metavar="ARN", help="the passwords secret's ARN")
    plan.add_argument("--details", action="store_true", help="one line per user before the counts")
    plan.add_argument(
        "--json", action="store_true", help="print {users: [...], summary: {...}} as JSON for scripts"
    )


def _validate(args: argparse.Namespace) -> int:
    from cognito_user_import_cli.pool_shape import shape_given, shaped_schema
    from cognito_user_import_cli.validate import run_validate, run_validate_app

    if args.app is not None:
        if args.files or args.pool_schema or shape_given(args):
            print(
                "validate --app takes no FILE, --pool-schema or pool shape: the app has them", file=sys.stderr
            )
            return 2
        return run_validate_app(args.app, dict(args.context))
    if not args.files:
        print("validate: give FILE.csv ... or --app", file=sys.stderr)
        return 2
    if shape_given(args) and args.pool_schema:
        print("validate: give --pool-schema or the pool's shape, not both", file=sys.stderr)
        return 2
    return run_validate(
        files=args.files,
        pool_schema=args.pool_schema,
        password_hashing_algorithm=args.password_hashing_algorithm,
        schema=shaped_schema(args) if shape_given(args) else None,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-user-import",
        description="Seed Amazon Cognito user pools with import jobs: local emulator, local deploys, checks.",
        epilog="`cognito-user-import COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_emulator(commands)
    _add_local_deploys(commands)
    _add_validate(commands)
    _add_plan(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Each command's module is imported only when used: validate must not need moto or the CDK.
    if args.command == "emulator":
        from cognito_user_import_emulator.serve import serve_forever

        return serve_forever(host=args.host, port=args.port)
    if args.command == "deploy-local":
        from cognito_user_import_local.commands import deploy_local

        return deploy_local(
            app_dir=args.app_dir,
            endpoint=args.endpoint,
            show_users=args.show_users,
            stacks=args.stacks,
            sign_in_as=args.sign_in,
            context=dict(args.context),
            outputs_file=args.outputs_file,
        )
    if args.command == "destroy-local":
        from cognito_user_import_local.commands import destroy_local

        return destroy_local(
            app_dir=args.app_dir,
            endpoint=args.endpoint,
            stacks=args.stacks,
            force=args.force,
            context=dict(args.context),
        )
    if args.command == "plan":
        from cognito_user_import_cli.plan import run_plan

        return run_plan(args)
    if args.command == "validate":
        return _validate(args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
