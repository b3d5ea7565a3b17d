"""The console script's surface: --version, a description for every command, the default port, and the
questions destroy-local asks."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from importlib.metadata import version

import pytest

from cognito_user_import_cli.main import DEFAULT_PORT, build_parser
from cognito_user_import_local.commands import confirm_destroy

COMMANDS = ("emulator", "deploy-local", "destroy-local", "validate")
PORTS_OF_OTHER_TOOLS = {
    3000,
    4200,
    4566,
    4567,
    5000,
    5173,
    5432,
    6379,
    8000,
    8080,
    8081,
    8443,
    8888,
    9000,
    9090,
}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cognito_user_import_cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version_is_the_installed_distributions() -> None:
    result = _cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"cognito-user-import {version('cdk-cognito-user-import')}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", version("cdk-cognito-user-import"))


def test_every_command_is_listed_with_a_summary() -> None:
    listing = _cli("--help").stdout
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s*\n?\s+\w.+$", listing, re.MULTILINE), (command, listing)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    # usage lines, a blank line, then the description before the arguments.
    description = text.split("\n\n", 2)[1]
    assert not description.startswith(("positional arguments", "options")), text
    assert len(description) > 40, text


def test_local_deploys_take_stacks_and_destroy_takes_force() -> None:
    parser = build_parser()
    deploy = parser.parse_args(["deploy-local", "Stage/*", "Other"])
    assert deploy.stacks == ["Stage/*", "Other"] and deploy.endpoint is None
    destroy = parser.parse_args(["destroy-local", "--endpoint", "http://127.0.0.1:1", "--force"])
    assert destroy.stacks == [] and destroy.force is True
    assert parser.parse_args(["destroy-local", "--endpoint", "http://127.0.0.1:1"]).force is False


def test_destroy_local_needs_the_emulator_it_deletes_from() -> None:
    result = _cli("destroy-local")
    assert result.returncode == 2
    assert "--endpoint" in result.stderr


def test_default_port_is_no_other_tools() -> None:
    assert build_parser().parse_args(["emulator"]).port == DEFAULT_PORT
    assert DEFAULT_PORT not in PORTS_OF_OTHER_TOOLS and not 4510 <= DEFAULT_PORT <= 4599  # LocalStack
    assert f"default: {DEFAULT_PORT}" in _cli("emulator", "--help").stdout


@pytest.mark.parametrize(
    ("typed", "deletes"), [("y\n", True), ("YES\n", True), ("n\n", False), ("\n", False), ("", False)]
)
def test_only_yes_confirms_a_destroy(typed: str, deletes: bool, capsys: pytest.CaptureFixture[str]) -> None:
    assert confirm_destroy(["A", "B"], "http://127.0.0.1:1", io.StringIO(typed)) is deletes
    assert "Are you sure you want to delete: A, B" in capsys.readouterr().out
