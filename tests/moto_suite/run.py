"""moto 5.2.5's own Cognito tests (``tests/test_cognitoidp``) in server mode, against plain moto server
and against the emulator, compared: ``make moto-suite`` (or ``.venv/bin/python tests/moto_suite/run.py``).

moto's code is not part of this repository: its sdist is downloaded into a cache dir at run time
(``MOTO_SUITE_CACHE``, default ``.cache/moto-suite``) and only its tests are unpacked there. The
packages those tests import beyond the venv (requirements.txt here, pinned) go into the cache dir too.

Each server runs in its own process on a free port, with moto's tests pointed at it by
``TEST_SERVER_MODE=true`` and ``TEST_SERVER_MODE_ENDPOINT``. Plain moto runs with
``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true`` (as moto's own server-mode CI does: its tests skip the
TOTP-off case in server mode); the emulator checks TOTP codes against each user's own secret and runs
without it. The emulator runs with AWS-quota
mode off, since moto's tests are not paced.

Exit 1 when a test that passes on plain moto does not pass on the emulator and is not listed in
differences.txt (each listed one is documented Cognito behaviour, see docs/facts.md); the counts and
the differences are printed. Not part of ``make test``: pytest never collects this directory's files.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MOTO_VERSION = "5.2.5"
SUITE = "tests/test_cognitoidp"
#: moto's test package files the suite imports (the package, its helpers, its conftest).
SUITE_FILES = ("tests/__init__.py", "tests/conftest.py", "tests/markers.py")
SUITE_TIMEOUT_SECONDS = 1800
START_TIMEOUT_SECONDS = 60
MOTO_TESTS_PORT = 5000
PIP = (sys.executable, "-m", "pip", "--disable-pip-version-check")


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _cache() -> Path:
    return Path(os.environ.get("MOTO_SUITE_CACHE", ROOT / ".cache" / "moto-suite")).resolve()


def _prepare(cache: Path) -> Path:
    """moto's tests unpacked under cache/src, the extra packages under cache/site; returns src."""
    cache.mkdir(parents=True, exist_ok=True)
    sdist = cache / f"moto-{MOTO_VERSION}.tar.gz"
    if not sdist.exists():
        subprocess.run(
            [
                *PIP,
                "download",
                "-q",
                "--no-binary",
                ":all:",
                "--no-deps",
                f"moto=={MOTO_VERSION}",
                "-d",
                str(cache),
            ],
            check=True,
        )
    src = cache / "src"
    if not (src / SUITE).is_dir():
        shutil.rmtree(src, ignore_errors=True)
        prefix = f"moto-{MOTO_VERSION}/"
        with tarfile.open(sdist) as archive:
            members = [
                m
                for m in archive.getmembers()
                if m.name.removeprefix(prefix) in SUITE_FILES or m.name.startswith(prefix + SUITE + "/")
            ]
            for member in members:
                member.name = member.name.removeprefix(prefix)
            archive.extractall(src, members=members, filter="data")
    site = cache / "site"
    requirements = HERE / "requirements.txt"
    stamp = site / ".requirements"
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        subprocess.run(
            [*PIP, "install", "-q", "--no-deps", "--target", str(site), "-r", str(requirements)],
            check=True,
        )
        stamp.write_text(requirements.read_text())
    return src


def _port() -> int:
    """MOTO_SUITE_PORT, else 5000 when free (moto's replay and JWKS tests call http://localhost:5000
    whatever the endpoint), else any free port (those tests then fail on both servers alike)."""
    if os.environ.get("MOTO_SUITE_PORT"):
        return int(os.environ["MOTO_SUITE_PORT"])
    for wanted in (MOTO_TESTS_PORT, 0):
        with socket.socket() as sock:
            # As the servers bind: the previous server's port in TIME_WAIT is still free for them.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", wanted))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # an answer, whatever it says: the server is up
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not answer within {START_TIMEOUT_SECONDS} s")


@contextmanager
def _server(kind: str, cache: Path) -> Iterator[str]:
    port = _port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if kind == "moto":
        env["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
        command = [_bin("moto_server"), "-p", str(port)]
    else:
        command = [_bin("cognito-user-import"), "emulator", "--port", str(port)]
    # In the cache dir: moto's recorder writes its file into the server's working directory.
    with (cache / f"{kind}-server.log").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cache)
        try:
            _wait_until_up(url, process)
            if kind == "emulator":
                settings = json.dumps({"aws_quotas": False, "call_latency_seconds": 0}).encode()
                request = urllib.request.Request(f"{url}/_emulator/settings", data=settings, method="POST")
                urllib.request.urlopen(request, timeout=10).close()
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _run_suite(src: Path, site: Path, url: str, report: Path) -> None:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(site), str(src)]),
        TEST_SERVER_MODE="true",
        TEST_SERVER_MODE_ENDPOINT=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q", "--tb=no"]
    command += ["-o", "addopts=", "--rootdir", str(src), f"--junitxml={report}", SUITE]
    subprocess.run(command, cwd=src, env=env, timeout=SUITE_TIMEOUT_SECONDS, check=False)


def _outcomes(report: Path) -> dict[str, str]:
    """Test id -> passed, failed, skipped (errors count as failed)."""
    outcomes = {}
    for case in ElementTree.parse(report).iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            outcomes[test_id] = "failed"
        elif "skipped" in tags:
            outcomes[test_id] = "skipped"
        else:
            outcomes[test_id] = "passed"
    return outcomes


def _documented() -> dict[str, str]:
    """differences.txt: test name (the part after '::'), a tab or spaces, the reason."""
    found = {}
    for line in (HERE / "differences.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            found[name] = reason.strip()
    return found


def _counts(outcomes: dict[str, str]) -> str:
    values = list(outcomes.values())
    kinds = ("passed", "failed", "skipped")
    return ", ".join(f"{values.count(kind)} {kind}" for kind in kinds) + f" of {len(values)}"


def main() -> int:
    cache = _cache()
    src = _prepare(cache)
    results: dict[str, dict[str, str]] = {}
    for kind in ("moto", "emulator"):
        report = cache / f"{kind}.xml"
        with _server(kind, cache) as url:
            _run_suite(src, cache / "site", url, report)
        results[kind] = _outcomes(report)
        print(f"{kind}: {_counts(results[kind])}", flush=True)
    documented = _documented()
    lost = sorted(
        test_id
        for test_id, outcome in results["moto"].items()
        if outcome == "passed" and results["emulator"].get(test_id) != "passed"
    )
    undocumented = [t for t in lost if t.rsplit("::", 1)[-1] not in documented]
    for test_id in lost:
        name = test_id.rsplit("::", 1)[-1]
        print(f"  differs: {name}: {documented.get(name, 'NOT DOCUMENTED')}")
    print(f"passes on moto, not on the emulator: {len(lost)} ({len(undocumented)} not documented)")
    return 1 if undocumented else 0


if __name__ == "__main__":
    raise SystemExit(main())
