"""asset_size (issue 3): the handler's Lambda asset, zipped, is at most 1 MB.

A small stack (a ``cognito.UserPool`` and one ``UserImport`` of a two-user file) is synthesized with
``aws_cdk.App(outdir=<temp dir>)`` in a fresh subprocess. The Lambda function's code asset is found
through the stack's asset manifest (the ``<hash>.zip`` its ``Code.S3Key`` names), its folder is zipped
with deflate (level 6, what ``zipfile`` and the CDK CLI use) and the zip's size is reported. "1 MB" is
read as 1,000,000 bytes, the stricter reading.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bench._result import Measurement

NAME = "asset_size"
LIMIT_BYTES = 1_000_000

_APP = """
import sys
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from cognito_user_import import UserCsv, UserImport

outdir, users = sys.argv[1], sys.argv[2]
app = App(outdir=outdir)
stack = Stack(app, "BenchAssetStack", env={"account": "123456789012", "region": "us-east-1"})
pool = cognito.UserPool(stack, "Pool", auto_verify=cognito.AutoVerifiedAttrs(email=True))
UserImport(stack, "SeedUsers", user_pool=pool, source=UserCsv.from_file(users))
app.synth()
"""


def _function_asset_dir(outdir: Path) -> Path:
    template: dict[str, Any] = json.loads((outdir / "BenchAssetStack.template.json").read_text())
    manifest: dict[str, Any] = json.loads((outdir / "BenchAssetStack.assets.json").read_text())
    keys = [
        resource["Properties"]["Code"].get("S3Key")
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    ]
    hashes = {str(key).removesuffix(".zip") for key in keys if isinstance(key, str)}
    if len(hashes) != 1:
        raise RuntimeError(f"expected one Lambda code asset in the stack, found {sorted(hashes)}")
    (asset_hash,) = hashes
    source = manifest["files"][asset_hash]["source"]
    if source.get("packaging") != "zip":
        raise RuntimeError(f"the Lambda asset {asset_hash} is not a zipped folder: {source}")
    return outdir / source["path"]


def zip_size(folder: Path, target: Path) -> tuple[int, int, int]:
    """(zip bytes, bytes before compression, files) of ``folder`` zipped with deflate."""
    raw = files = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
                raw += path.stat().st_size
                files += 1
    return target.stat().st_size, raw, files


def run(emulator: object = None, *, quick: bool = False) -> list[Measurement]:
    with tempfile.TemporaryDirectory(prefix="bench-asset-") as work:
        outdir = Path(work) / "cdk.out"
        users = Path(work) / "users.csv"
        users.write_text(
            "cognito:username,email,email_verified\nalice,alice@example.com,true\nbob,bob@example.com,true\n"
        )
        env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
        done = subprocess.run(
            [sys.executable, "-c", _APP, str(outdir), str(users)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"synth failed:\n{done.stderr[-3000:]}")
        folder = _function_asset_dir(outdir)
        size, raw, files = zip_size(folder, Path(work) / "handler.zip")
        top = sorted(p.name for p in folder.iterdir())
    detail = f"{files} files, {raw:,} B unzipped; top level: {', '.join(top)}"
    return [Measurement(NAME, "handler asset zipped", size, "bytes", LIMIT_BYTES, detail)]
