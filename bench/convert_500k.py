"""convert_500k (issue 5): 500,000 users in bounded memory and time.

The file: ``bench._users_file`` writes 500,000 realistic users as ordinary CSV (quoted fields with
commas, CRLF, accents and other scripts, one ``TRUE`` in ten) into a temp dir, the address padded so
the file's Cognito form is 99.5 MB, just under the 100,000,000 bytes the handler allows (the ordinary
file itself is then about 94.5 MB: Cognito's form adds empty columns and ``\\,`` escapes).

Each measurement runs in a fresh ``python -m bench.convert_500k --child MODE`` process, the modules
already imported before the baseline is taken:

- ``rss``: ``convert(source, sink, schema=..., file_name=...)`` from a binary file to a text file in
  the temp dir (what the handler does with /tmp); peak RSS (``ru_maxrss``) after minus before.
- ``hwm``: the same, but the kernel's RSS high-water mark (VmHWM) is first reset to the current RSS
  (``/proc/self/clear_refs``), so a peak reached while importing cannot hide the conversion's.
- ``tracemalloc``: the same conversion under ``tracemalloc``; its peak of Python allocations.
- ``existing`` (no target): ``convert(..., keep=...)`` under ``tracemalloc`` with an
  ``ExistingUsernames`` of the file's 500,000 names beside it, as the handler's Create into a pool
  that already holds them all.
- ``time``: a plain ``csv.reader`` -> ``csv.writer`` pass over the same file and ``convert``, each
  three times (twice with --quick), alternating, in one process; the ratio of the best convert to the
  best plain pass (the best of each is the least disturbed by other work on the machine).
- ``synth``: ``cognito_user_import.synth_validation.validate_source`` with a ``cognito.UserPool`` of a
  CDK stack (the construct's synth-time path), timed alone (aws_cdk is loaded first).

Targets: memory <= 64 MB above the baseline (every measure); convert <= 2.5x the plain pass; synth-time
validation <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._result import Measurement
from bench._world import POOL_SCHEMA

NAME = "convert_500k"
USERS = 500_000
QUICK_USERS = 50_000
MEMORY_LIMIT_MB = 64.0
RATIO_LIMIT = 2.5
SYNTH_LIMIT_SECONDS = 10.0
MB = 1024 * 1024
COGNITO_BYTES = 99_500_000
"""The file's size in Cognito's dialect: just under the 100,000,000 bytes the handler allows."""

#: The pool the file is written for, as DescribeUserPool answers (the sample app's pool).
DESCRIBED_POOL: dict[str, Any] = {
    "Id": "us-east-1_bench",
    "Name": "bench-pool",
    "MfaConfiguration": "OFF",
    "AutoVerifiedAttributes": ["email"],
    "SchemaAttributes": [
        {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True},
        # As DescribeUserPool answers for the handler world's pool: custom attributes are prefixed.
        *({**attribute, "Name": f"custom:{attribute['Name']}"} for attribute in POOL_SCHEMA),
    ],
}


# ---- the child process -------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    """A figure of /proc/self/status in KiB (VmRSS: now; VmHWM: peak since start or clear_refs)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark to the current RSS (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _convert_once(path: Path, work: Path, keep: Callable[[str], bool] | None = None) -> dict[str, Any]:
    from cognito_user_csv.conversion import convert
    from cognito_user_csv.schema import PoolSchema

    schema = PoolSchema.from_describe_user_pool(DESCRIBED_POOL, [])
    out = work / "converted.csv"
    with open(path, "rb") as source, open(out, "w", encoding="utf-8", newline="") as sink:
        started = time.perf_counter()
        result = convert(source, sink, schema=schema, file_name="users.csv", keep=keep)
        elapsed = time.perf_counter() - started
    size = out.stat().st_size
    out.unlink()
    return {
        "seconds": elapsed,
        "rows": result.rows,
        "written": result.written,
        "problems": result.problem_count,
        "first_problems": [str(p) for p in result.problems[:3]],
        "output_bytes": size,
    }


def _plain_once(path: Path, work: Path) -> float:
    import csv

    out = work / "plain.csv"
    with (
        open(path, encoding="utf-8", newline="") as source,
        open(out, "w", encoding="utf-8", newline="") as sink,
    ):
        started = time.perf_counter()
        csv.writer(sink).writerows(csv.reader(source))
        elapsed = time.perf_counter() - started
    out.unlink()
    return elapsed


def _child(mode: str, path: Path, work: Path, repeats: int) -> dict[str, Any]:
    import resource

    # Everything the conversion needs is imported before the baseline.
    import cognito_user_csv.conversion
    import cognito_user_csv.schema  # noqa: F401

    if mode == "rss":
        before_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        before_now = _status_kb("VmRSS")
        result = _convert_once(path, work)
        after_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # ru_maxrss never goes down: a peak reached while importing hides a smaller one after it.
        result.update(
            baseline_kb=before_now,
            baseline_peak_kb=before_peak,
            delta_kb=after_peak - max(before_peak, before_now),
        )
        return result
    if mode == "hwm":
        # Its own process: resetting the high-water mark also upsets ru_maxrss on some kernels.
        before_now = _status_kb("VmRSS")
        if not _reset_peak_rss():
            return {"hwm_delta_kb": None}
        result = _convert_once(path, work)
        result.update(baseline_kb=before_now, hwm_delta_kb=_status_kb("VmHWM") - before_now)
        return result
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
        result = _convert_once(path, work)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result.update(peak_bytes=peak)
        return result
    if mode == "existing":
        # Not a target: the handler's Create into a pool that already holds every user of the file.
        # It keeps ExistingUsernames.load's index of the pool's names (64-bit hashes, as built from
        # ListUsers) beside the conversion. The names are made here rather than listed.
        import tracemalloc

        from cognito_user_csv.username_index import UsernameIndex
        from cognito_user_import_handler.existing_users import ExistingUsernames

        tracemalloc.start()
        names = UsernameIndex()
        for i in range(repeats):
            names.add(f"user{i:07d}", 0)
        existing = ExistingUsernames(names, str)
        names_bytes, _ = tracemalloc.get_traced_memory()
        result = _convert_once(path, work, keep=lambda name: name not in existing)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result.update(peak_bytes=peak, names_bytes=names_bytes)
        return result
    if mode == "time":
        plain: list[float] = []
        converts: list[float] = []
        last: dict[str, Any] = {}
        for _ in range(repeats):
            plain.append(_plain_once(path, work))
            last = _convert_once(path, work)
            converts.append(last["seconds"])
        last.update(plain=plain, convert=converts)
        return last
    if mode == "synth":
        os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
        from aws_cdk import App, Stack
        from aws_cdk import aws_cognito as cognito

        from cognito_user_import.synth_validation import validate_source

        app = App(outdir=str(work / "cdk.out"))
        stack = Stack(app, "BenchSynthStack")
        pool = cognito.UserPool(
            stack,
            "Pool",
            sign_in_aliases=cognito.SignInAliases(username=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes={
                "tenant": cognito.StringAttribute(min_len=1, max_len=64, mutable=True),
                "plan": cognito.StringAttribute(min_len=1, max_len=32, mutable=True),
                "seats": cognito.NumberAttribute(min=1, max=10000, mutable=True),
            },
        )
        seconds: list[float] = []
        for _ in range(repeats):
            started = time.perf_counter()
            validate_source(path, "users.csv", pool)  # raises ValidationError on any problem
            seconds.append(time.perf_counter() - started)
        return {"seconds": seconds}
    raise ValueError(f"unknown mode {mode}")


# ---- the parent --------------------------------------------------------------------------------


def _spawn(mode: str, path: Path, work: Path, repeats: int = 1) -> dict[str, Any]:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    # Through an intermediate process: a child's ru_maxrss starts at the RSS of the process that
    # forked it (the kernel keeps the pre-exec high-water mark), and this one may be large; the
    # intermediate is small, so the grandchild's ru_maxrss starts near its own RSS.
    command = [
        sys.executable,
        "-c",
        "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))",
        sys.executable,
        "-m",
        "bench.convert_500k",
        "--child",
        mode,
        str(path),
        str(work),
        str(repeats),
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=1800, cwd=Path(__file__).parent.parent
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("problems"):
        raise RuntimeError(
            f"the generated file has {result['problems']} problems: {result['first_problems']}"
        )
    return result


def run(emulator: object = None, *, quick: bool = False) -> list[Measurement]:
    from bench._users_file import write_users_file

    users = QUICK_USERS if quick else USERS
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        work = Path(tmp)
        path = work / "users.csv"
        started = time.perf_counter()
        # 99.5 MB in Cognito's form for 500,000 users; the same bytes a user for --quick.
        file_bytes, _ = write_users_file(path, users, cognito_bytes=COGNITO_BYTES * users // USERS)
        generated = time.perf_counter() - started
        rss = _spawn("rss", path, work)
        hwm = _spawn("hwm", path, work)
        traced = _spawn("tracemalloc", path, work)
        existing = _spawn("existing", path, work, repeats=users)
        timed = _spawn("time", path, work, repeats=2 if quick else 3)
        synth = _spawn("synth", path, work, repeats=1 if quick else 2)

    if timed["written"] != users or timed["rows"] != users:
        raise RuntimeError(f"convert wrote {timed['written']} of {users} users")
    size = (
        f"{users:,} users, {file_bytes / 1e6:.1f} MB ordinary CSV -> {timed['output_bytes'] / 1e6:.1f} MB"
        f" Cognito CSV (generated in {generated:.1f} s)"
    )
    best_plain, best_convert = min(timed["plain"]), min(timed["convert"])
    ratio = best_convert / best_plain
    times = (
        f"convert {', '.join(f'{s:.2f}' for s in timed['convert'])} s; plain csv pass"
        f" {', '.join(f'{s:.2f}' for s in timed['plain'])} s"
    )
    return [
        Measurement(
            NAME,
            "convert peak RSS (ru_maxrss) above baseline",
            rss["delta_kb"] / 1024,
            "MB",
            MEMORY_LIMIT_MB,
            f"ru_maxrss {rss['delta_kb'] / 1024:.1f} MB above its value before (RSS then"
            f" {rss['baseline_kb'] / 1024:.1f} MB, ru_maxrss {rss['baseline_peak_kb'] / 1024:.1f} MB)",
        ),
        Measurement(
            NAME,
            "convert peak RSS (VmHWM) above baseline",
            (hwm["hwm_delta_kb"] or 0) / 1024,
            "MB",
            MEMORY_LIMIT_MB if hwm["hwm_delta_kb"] is not None else None,
            "VmHWM reset to the current RSS just before convert (/proc/self/clear_refs)"
            if hwm["hwm_delta_kb"] is not None
            else "clear_refs not permitted here: not measured",
        ),
        Measurement(NAME, "convert tracemalloc peak", traced["peak_bytes"] / MB, "MB", MEMORY_LIMIT_MB, size),
        Measurement(
            NAME,
            "convert + pool's names in memory (tracemalloc)",
            existing["peak_bytes"] / MB,
            "MB",
            None,
            f"not a target: a Create into a pool already holding all {users:,} users keeps"
            f" ExistingUsernames' set of their names ({existing['names_bytes'] / MB:.1f} MB) during convert",
        ),
        Measurement(NAME, "convert time / plain csv pass", ratio, "x", RATIO_LIMIT, times),
        Measurement(NAME, "convert wall time (best)", best_convert, "s", None, times),
        Measurement(NAME, "plain csv.reader->csv.writer (best)", best_plain, "s", None, times),
        Measurement(
            NAME,
            "synth-time validate_source",
            max(synth["seconds"]),
            "s",
            SYNTH_LIMIT_SECONDS,
            f"runs: {', '.join(f'{s:.2f}' for s in synth['seconds'])} s",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", required=True)
    parser.add_argument("path", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("repeats", type=int)
    args = parser.parse_args()
    print(json.dumps(_child(args.child, args.path, args.work, args.repeats)))


if __name__ == "__main__":
    main()
