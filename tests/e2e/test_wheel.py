"""The release artefacts: the wheel and sdist build and pass `twine check`, and a newcomer who follows the
README's "Use it in your own app" section, and nothing else, gets an app of their own deployed into the
emulator, from the wheel, with the lowest aws-cdk-lib the package allows.

The README's commands and files are taken from the section itself, so the test cannot drift from it: each
bash block is run in order in one shell, each file block is written where the line above it says. Only
the wheel's path is filled in, and the commands that need an AWS account (`cdk bootstrap`, `cdk deploy`)
are left out. The lowest versions are imposed through pip's environment (PIP_CONSTRAINT), not a step.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Use it in your own app"
WHEEL_IN_README = re.compile(r"file:///path/to/(cdk_cognito_user_import-([\d.]+)-py3-none-any\.whl)")
FILE_LINE = re.compile(r"^`([\w./-]+)`.*:$")
AWS_ONLY = re.compile(r"^\s*npx cdk (bootstrap|deploy)\b")
MARKER = "_installed_from_wheel.py"
LOWEST = ("aws-cdk-lib", "constructs")
"""The dependencies installed at the lowest version the wheel's range allows."""


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` (sdist, then the wheel from the sdist) of a clean copy of the sources."""
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for root in ("constructs", "lambda"):
        shutil.copytree(ROOT / root, src / root, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, src, cwd=src)
    return out


def _wheel(dist: Path) -> Path:
    [wheel] = dist.glob("cdk_cognito_user_import-*-py3-none-any.whl")
    return wheel


def test_wheel_and_sdist_hold_both_packages_and_pass_twine_check(dist: Path) -> None:
    [sdist] = dist.glob("cdk_cognito_user_import-*.tar.gz")
    output = run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()), cwd=dist)
    assert output.count("PASSED") == 2, output

    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
        [metadata_name] = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    assert {
        "cognito_user_import/py.typed",
        "cognito_user_csv/py.typed",
        "cognito_user_import_handler/py.typed",
    } <= names
    assert "cognito_user_import_local/lambda_bootstrap.py" in names
    assert not [name for name in names if name.startswith("tests/") or "__pycache__" in name]
    requires = metadata.get_all("Requires-Dist") or []
    # Ranges, not pins: an app brings its own aws-cdk-lib; constraints.txt pins this project's.
    assert any(re.fullmatch(r"aws-cdk-lib<3,>=2\.\d+\.\d+|aws-cdk-lib>=2\.\d+\.\d+,<3", r) for r in requires)
    assert any(r.startswith("moto[") and 'extra == "local"' in r for r in requires), requires

    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "constructs/cognito_user_import_cli/main.py"} <= members
    assert "lambda/cognito_user_import_handler/index.py" in members


def lowest_versions(wheel: Path) -> dict[str, str]:
    """The lower bound of each LOWEST dependency, read from the wheel's own Requires-Dist."""
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        requires = Parser().parsestr(archive.read(name).decode()).get_all("Requires-Dist") or []
    found: dict[str, str] = {}
    for requirement in requires:
        match = re.match(r"([\w.-]+)\s*[^;]*?>=\s*([\w.]+)", requirement)
        if match and match.group(1) in LOWEST:
            found[match.group(1)] = match.group(2)
    assert set(found) == set(LOWEST), requires
    return found


def readme_blocks(section: str) -> list[tuple[str, str, str]]:
    """(language, body, the last line of text before it) of each fenced block, in order."""
    blocks: list[tuple[str, str, str]] = []
    text_line, language = "", None
    body: list[str] = []
    for line in section.splitlines():
        if language is None and line.startswith("```"):
            language, body = line[3:].strip(), []
        elif language is not None and line.startswith("```"):
            blocks.append((language, "\n".join(body), text_line))
            language = None
        elif language is not None:
            body.append(line)
        elif line.strip():
            text_line = line.strip()
    return blocks


def readme_script(readme: str, wheel: Path) -> str:
    """The section's bash blocks and files as one shell script, in the order the README gives them."""
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    mentioned = WHEEL_IN_README.search(section)
    assert mentioned, "the README's install line names no wheel"
    assert mentioned.group(1) == wheel.name, (
        f"README installs {mentioned.group(1)}, the build made {wheel.name}"
    )
    section = section.replace(mentioned.group(0), wheel.as_uri())
    lines = ["set -euo pipefail"]
    blocks = readme_blocks(section)
    for language, body, text_line in blocks:
        target = FILE_LINE.match(text_line)
        if language == "bash":
            lines += [line for line in body.splitlines() if not AWS_ONLY.match(line)]
        else:
            assert target, f"a {language} block whose file the line above does not name: {text_line!r}"
            lines.append(f"cat > {shlex.quote(target.group(1))} <<'README_FILE'\n{body}\nREADME_FILE")
    assert [language for language, _, _ in blocks][-1] == "bash", "the section should end by deploying"
    return "\n".join(lines) + "\n"


def test_readme_own_app_deploys_from_the_wheel_with_the_lowest_aws_cdk_lib(
    dist: Path, tmp_path: Path
) -> None:
    wheel = _wheel(dist)
    constraints = tmp_path / "lowest.txt"
    lowest = lowest_versions(wheel)
    constraints.write_text("".join(f"{name}=={version}\n" for name, version in lowest.items()))
    script = readme_script((ROOT / "README.md").read_text(encoding="utf-8"), wheel)
    # Only the newcomer's machine: no project venv, no project CDK CLI on PATH.
    path = [p for p in os.environ["PATH"].split(os.pathsep) if not p.startswith((str(ROOT), sys.prefix))]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(
        PATH=os.pathsep.join(path),
        PIP_CONSTRAINT=str(constraints),
        PIP_NO_COMPILE="1",  # faster; the interpreter compiles on import as usual
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        CDK_DISABLE_CLI_TELEMETRY="1",
    )
    # A file only the installed copy has, put there once pip has installed it: finding it in the
    # function's asset proves the Lambda code came from the wheel, not from this checkout.
    marker_step = (
        '\npython3 -c "import cognito_user_import_handler as h, pathlib; '
        f"pathlib.Path(h.__file__).with_name('{MARKER}').write_text('# from the wheel')\"\n"
    )
    script = script.replace("\nnpm install aws-cdk@2\n", f"\nnpm install aws-cdk@2{marker_step}", 1)
    assert marker_step in script

    output = run("bash", "-c", script, cwd=tmp_path, env=env, timeout=900)

    app = tmp_path / "my-app"
    freeze = run(app / ".venv" / "bin" / "pip", "freeze", cwd=app, env=env)
    for name, version in lowest.items():
        assert f"{name}=={version}" in freeze.splitlines(), freeze
    assert "MyUsers: CREATE_COMPLETE" in output or "Stack MyUsers: CREATE_COMPLETE" in output, output
    assert re.search(r"MyUsers\.ImportedUsers\s+= 2$", output, re.MULTILINE), output
    assert "Custom::CognitoUserImport" in output and "handler run" in output
    assert "Traceback" not in output
    [asset] = [p for p in (app / "cdk.out").glob("asset.*") if (p / "cognito_user_import_handler").is_dir()]
    assert (asset / "cognito_user_import_handler" / MARKER).is_file()
    assert (asset / "crhelper" / "resource_helper.py").is_file()
    assert not list(asset.rglob("__pycache__"))
    assert not ROOT.joinpath("lambda", "cognito_user_import_handler", MARKER).exists()
