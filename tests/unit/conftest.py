"""Fixtures the local driver's resource tests share."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from cognito_user_import_emulator import Emulator
from cognito_user_import_local.resources.base import Environment


def emulator_client(emulator: Emulator, service: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=emulator.url,
        region_name=emulator.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def env(emulator: Emulator) -> Environment:
    """A provisioner's environment on the test emulator: stack "Stack", account 123456789012."""
    return Environment(
        lambda service: emulator_client(emulator, service), "Stack", emulator.region, "123456789012"
    )
