"""The `cognito-user-import` console script: emulator, deploy-local, destroy-local, validate."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-user-import",
        description="Seed Amazon Cognito user pools with import jobs: local emulator, local deploys, checks.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    emulator = commands.add_parser(
        "emulator", help="serve the local Cognito import-job emulator until stopped"
    )
    emulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    emulator.add_argument("--port", type=int, default=4566, help="port to listen on (default: 4566; 0 = any)")

    for name, verb in (("deploy-local", "deploy"), ("destroy-local", "destroy")):
        sub = commands.add_parser(name, help=f"{verb} the CDK app in the current folder against the emulator")
        sub.add_argument(
            "--endpoint",
            help="URL of a running emulator (default: start one for this run and stop it afterwards)",
        )
        sub.add_argument("--app-dir", default=".", help="folder of the CDK app (default: the current folder)")
    commands.choices["deploy-local"].add_argument(
        "--show-users",
        type=int,
        default=0,
        metavar="N",
        help="afterwards, list N usernames and the user counts by status of each user pool (default: 0)",
    )

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
    validate.add_argument("files", nargs="+", metavar="FILE.csv")
    validate.add_argument(
        "--pool-schema",
        metavar="JSON",
        help="a DescribeUserPool response saved as JSON (default: generic rules for any pool)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Each command's module is imported only when used: validate must not need moto or the CDK.
    if args.command == "emulator":
        from cognito_user_import.emulator.serve import serve_forever

        return serve_forever(host=args.host, port=args.port)
    if args.command == "deploy-local":
        from cognito_user_import.local.driver import deploy_local

        return deploy_local(app_dir=args.app_dir, endpoint=args.endpoint, show_users=args.show_users)
    if args.command == "destroy-local":
        from cognito_user_import.local.driver import destroy_local

        return destroy_local(app_dir=args.app_dir, endpoint=args.endpoint)
    if args.command == "validate":
        from cognito_user_import.validate_cli import run_validate

        return run_validate(files=args.files, pool_schema=args.pool_schema)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
