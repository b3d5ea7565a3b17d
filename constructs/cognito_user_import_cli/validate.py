"""``cognito-user-import validate FILE.csv [...] [--pool-schema JSON]``: check user files offline.

Each file is checked with the same rules the construct applies at synth time and the handler at
deploy time (``cognito_user_csv``). Problems go to stderr as
``FILE:LINE (username): column X: value 'v' ...`` (at most 20 a file, then a count of the rest), a
clean file gets ``FILE: N users, OK`` on stdout. Exit status: 0 when every file is clean, 1 when any
has a problem or cannot be read, 2 when the pool schema cannot be read.

Without ``--pool-schema`` the generic rules apply: any standard attribute and any ``custom:`` column,
MFA either way, and each user verified through email or phone_number. ``--pool-schema`` takes a
saved DescribeUserPool response (``aws cognito-idp describe-user-pool ... > pool.json``), optionally
with GetCSVHeader's ``"CSVHeader"`` list added beside ``"UserPool"``, or a ``PoolSchema.to_json()``.

Header names match the pool's exactly; ``username`` and ``mfa_enabled`` are accepted for
``cognito:username`` and ``cognito:mfa_enabled``.

A ``password_hash`` column is accepted only with ``--password-hashing-algorithm`` (BCRYPT, SCRYPT,
ARGON2ID or PBKDF2_SHA256), the algorithm the import job is created with.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from cognito_user_csv.conversion import validate_file
from cognito_user_csv.facts import PASSWORD_HASHING_ALGORITHMS
from cognito_user_csv.problems import ValidationError
from cognito_user_csv.schema import PoolSchema

HELP = __doc__


def load_schema(pool_schema: str | None) -> PoolSchema:
    """The rules to check with: the generic ones, or those of a saved pool description."""
    if pool_schema is None:
        return PoolSchema.generic()
    return PoolSchema.from_json(Path(pool_schema).read_text(encoding="utf-8"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``validate`` beyond FILE and --pool-schema, for the console script's parser."""
    parser.add_argument(
        "--password-hashing-algorithm",
        choices=PASSWORD_HASHING_ALGORITHMS,
        help="the import job's PasswordHashingAlgorithm; only with one may a file have a "
        "password_hash column",
    )


def run_validate(
    files: list[str],
    pool_schema: str | None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    password_hashing_algorithm: str | None = None,
    schema: PoolSchema | None = None,
) -> int:
    """Check each file; print problems to ``err`` and one line per clean file to ``out``.

    schema: the pool's rules when given (the pool shape's flags), else those of pool_schema."""
    out = out or sys.stdout
    err = err or sys.stderr
    algorithm = password_hashing_algorithm
    if algorithm is not None and algorithm not in PASSWORD_HASHING_ALGORITHMS:
        allowed = ", ".join(PASSWORD_HASHING_ALGORITHMS)
        print(f"--password-hashing-algorithm {algorithm!r}: allowed: {allowed}", file=err)
        return 2
    try:
        schema = schema or load_schema(pool_schema)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"{pool_schema}: cannot read the pool schema: {error}", file=err)
        return 2
    status = 0
    for name in files:
        try:
            result = validate_file(
                name, schema=schema, display_name=name, password_hashing_algorithm=algorithm
            )
        except OSError as error:
            print(f"{name}: cannot read: {error.strerror or error}", file=err)
            status = 1
            continue
        if result.problem_count:
            print(ValidationError(result.problems, result.problem_count, file=name), file=err)
            status = 1
        else:
            noun = "user" if result.rows == 1 else "users"
            print(f"{name}: {result.rows} {noun}, OK", file=out)
    return status


IMPORT_RESOURCE_TYPE = "Custom::CognitoUserImport"


def run_validate_app(
    app_dir: str, context: dict[str, str], *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """``validate --app``: synthesize the app, as deploy-local does; each UserImport's file known at synth
    is checked against its own pool then, by the construct itself (exactly the synth's rules: the pool's
    case sensitivity, sign-in attributes, MFA, required and custom attributes). Exit 1 on a problem."""
    from cognito_user_import_local.assembly import AssemblyError, read_assembly, synthesize
    from cognito_user_import_local.reporter import ConsoleReporter

    out, err = out or sys.stdout, err or sys.stderr
    app = Path(app_dir).resolve()
    try:
        stacks = read_assembly(synthesize(app, reporter=ConsoleReporter(), context=context))
    except AssemblyError as error:
        print(f"{app}: {error}", file=err)
        return 1
    for stack in stacks:
        resources = stack.template.get("Resources", {}).values()
        count = sum(1 for resource in resources if resource.get("Type") == IMPORT_RESOURCE_TYPE)
        if count:
            noun = "UserImport" if count == 1 else "UserImports"
            print(
                f"{stack.name}: {count} {noun}, each file OK against its pool (as synth checks it)", file=out
            )
    return 0
