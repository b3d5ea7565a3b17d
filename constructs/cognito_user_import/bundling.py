"""Local bundling of the handler's Lambda code: no Docker, no network, same bytes from any folder."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

HANDLER_PACKAGE = "cognito_user_import_handler"
#: Packages copied next to the handler. boto3 is left out on purpose: the Lambda runtime provides it.
BUNDLED_PACKAGES = (HANDLER_PACKAGE, "cognito_user_csv", "crhelper")
# Byte code and type information are not needed at run time, and .pyc bytes differ between runs.
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.pyi", "py.typed")


def package_dir(name: str) -> Path:
    """Where the importable package ``name`` lives: a checkout (editable install) or site-packages (wheel)."""
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise RuntimeError(f"cannot bundle the Lambda code: package {name!r} is not importable here")
    return Path(locations[0])


def copy_packages(output_dir: Path, names: tuple[str, ...] = BUNDLED_PACKAGES) -> None:
    """Copy each package's source files into ``output_dir/<name>``."""
    for name in names:
        # copyfile, not copy2: site-packages files may be read-only, and modes or times must not leak in.
        shutil.copytree(
            package_dir(name),
            output_dir / name,
            ignore=_IGNORED,
            copy_function=shutil.copyfile,
            dirs_exist_ok=True,
        )


@jsii.implements(ILocalBundling)
class PackageCopyBundling:
    """An ILocalBundling that copies the installed handler and crhelper packages into the asset folder."""

    def __init__(self, names: tuple[str, ...] = BUNDLED_PACKAGES) -> None:
        self._names = names

    # jsii passes the BundlingOptions as a second positional argument; they are not needed here.
    def try_bundle(self, output_dir: str, *_options: Any, **_keywords: Any) -> bool:
        copy_packages(Path(output_dir), self._names)
        return True


def handler_code() -> lambda_.Code:
    """The handler's code, hashed on the bundled output: the same hash across runs and folders."""
    return lambda_.Code.from_asset(
        str(package_dir(HANDLER_PACKAGE)),
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds, and CDK only needs a name here.
            image=DockerImage.from_registry("local-bundling-only"),
            local=PackageCopyBundling(),
        ),
    )
