"""What every provisioner shares: the environment it works in, what it returns, how it fails."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError

from ..reporter import ConsoleReporter, Reporter


class ResourceError(RuntimeError):
    """The emulator refused a resource operation; the message says which and why."""


@dataclass(frozen=True)
class Provisioned:
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Environment:
    """The clients and names a provisioner works with."""

    clients: Any
    """A callable: service name -> boto3 client pointed at the emulator."""
    stack_name: str
    region: str
    account_id: str
    partition: str = "aws"
    reporter: Reporter = field(default_factory=ConsoleReporter)
    """Where a provisioner notes what the emulator cannot do as AWS would."""

    def client(self, service: str) -> Any:
        return self.clients(service)

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                self.partition,
                service,
                self.region if region else "",
                self.account_id if account else "",
                resource,
            ]
        )

    def physical_name(self, logical_id: str, limit: int = 64, *, lower: bool = False) -> str:
        """A generated name like CloudFormation's: <stack>-<logical id>-<random>, within limit."""
        alphabet = string.ascii_uppercase + string.digits
        suffix = "".join(secrets.choice(alphabet) for _ in range(12))
        room = max(1, limit - len(suffix) - 2)
        stack_part = self.stack_name[: room // 2]
        logical_part = logical_id[: room - len(stack_part)]
        name = f"{stack_part}-{logical_part}-{suffix}"
        return name.lower() if lower else name


class Provisioner(Protocol):
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned: ...

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned: ...

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None: ...


def pick(props: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The properties among names that are set (CloudFormation's names that are the API's too)."""
    return {name: props[name] for name in names if name in props}


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def already_gone_is_fine(code: str) -> Iterator[None]:
    """Deleting what is already gone succeeds, as it does in CloudFormation."""
    try:
        yield
    except ClientError as error:
        if error_code(error) != code:
            raise
