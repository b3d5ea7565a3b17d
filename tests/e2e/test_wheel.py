"""The wheel works on its own: installed into a fresh environment, a small app synthesizes there and the
Lambda asset is bundled from the installed package, not from a checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "_installed_from_wheel.py"

APP = """
import os
from aws_cdk import App, Stack, aws_cognito as cognito
from cognito_user_import import UserCsv, UserImport

app = App(outdir=os.environ["OUT"])
stack = Stack(app, "FromWheel")
pool = cognito.UserPool(stack, "Pool", auto_verify=cognito.AutoVerifiedAttrs(email=True))
UserImport(stack, "Seed", user_pool=pool, source=UserCsv.from_file("users.csv"))
app.synth()
"""


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy, so the build leaves nothing in the checkout (build/, egg-info) that others use.
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "constructs" / "cognito_user_import", src / "constructs" / "cognito_user_import", ignore=ignore
    )
    shutil.copytree(
        ROOT / "lambda" / "cognito_user_import_handler",
        src / "lambda" / "cognito_user_import_handler",
        ignore=ignore,
    )
    dist = tmp_path_factory.mktemp("dist")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--disable-pip-version-check",
        "-q",
        "-w",
        dist,
        src,
        cwd=src,
    )
    [built] = dist.glob("cdk_cognito_user_import-*.whl")
    return built


def test_wheel_synthesizes_with_the_installed_handler(wheel: Path, tmp_path: Path) -> None:
    # A fresh environment that reuses this one's dependencies through a .pth line (no download), without
    # this environment's editable finder: .pth files are only run in site-packages itself.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip()
    )
    (site / "_reuse_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--disable-pip-version-check",
        "-q",
        "--ignore-installed",
        "--target",
        site,
        wheel,
        cwd=tmp_path,
    )

    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(APP)
    (app_dir / "users.csv").write_text("cognito:username,email,email_verified\njane,jane@example.com,true\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", OUT=str(app_dir / "cdk.out"))

    located = run(
        python,
        "-c",
        "import cognito_user_import, cognito_user_import_handler as h; "
        "print(cognito_user_import.__file__); print(h.__file__)",
        cwd=app_dir,
        env=env,
    ).split()
    assert all(Path(p).is_relative_to(site) for p in located), located
    # A file only the installed copy has: finding it in the asset proves where the code came from.
    (site / "cognito_user_import_handler" / MARKER).write_text("# installed from the wheel\n")

    run(python, "app.py", cwd=app_dir, env=env)
    template = json.loads((app_dir / "cdk.out" / "FromWheel.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    asset = app_dir / "cdk.out" / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    handler = asset / "cognito_user_import_handler"
    assert (handler / MARKER).is_file()
    assert (handler / "index.py").is_file()
    assert (asset / "crhelper" / "resource_helper.py").is_file()
    assert not list(asset.rglob("__pycache__"))
    assert not ROOT.joinpath("lambda", "cognito_user_import_handler", MARKER).exists()
