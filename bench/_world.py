"""What the benchmarks add to the emulator's handler world: the Lambda environment, a cold handler, users.

The world itself (pool, logs role, bucket, function record, the ResponseURL that records when each
response arrived) is ``handler_world``, shared with the handler tests.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# The handler world is a test harness; the benchmarks drive the handler through the same one.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "harness"))

from handler_world import POOL_SCHEMA, REGION, LambdaContext, World, create_world

__all__ = [
    "POOL_SCHEMA",
    "LambdaContext",
    "World",
    "cold_handler",
    "create_world",
    "set_aws_environment",
    "user_rows",
]


def set_aws_environment(endpoint_url: str | None = None) -> None:
    """What the Lambda runtime provides (a region, credentials), pointed at the emulator when given."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ["AWS_REGION"] = REGION
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    if endpoint_url is not None:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url


def cold_handler() -> Any:
    """The handler as a cold Lambda starts it: no cached crhelper resource or clients, production settings.

    The service is left for the handler to build itself, so ImportService's default poll interval
    (2 s) is the one measured.
    """
    from cognito_user_import_handler import index

    index._resource = None
    index._service = None
    return index.handler


def user_rows(count: int, start: int = 0) -> bytes:
    """A small ordinary CSV of ``count`` valid users for the world's pool (accents and a quoted comma)."""
    lines = [
        "cognito:username,email,email_verified,given_name,family_name,custom:tenant,custom:seats,address"
    ]
    for i in range(start, start + count):
        lines.append(
            f"user{i:06d},user{i:06d}@example.com,true,Zoë,Müller-Łukasz,tenant-{i % 97},{i % 500 + 1},"
            f'"{i} Rue de l\'Église, Apt {i % 30}, Paris"'
        )
    return ("\n".join(lines) + "\n").encode()
