"""Run the benchmarks: ``python -m bench [NAME ...] [--quick]``; exit 1 if any target fails."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import platform
import sys
import time
import traceback

from bench import BENCHMARKS
from bench._result import Measurement, fmt

# Benchmarks that drive the handler against the in-process emulator (the others spawn their own work).
_NEEDS_EMULATOR = {"report_latency", "redeploy_10k"}


def _table(rows: list[Measurement]) -> str:
    header = ("benchmark", "target", "measured", "limit", "result")
    lines = [
        (
            m.benchmark,
            m.target,
            fmt(m.value, m.unit),
            "" if m.limit is None else fmt(m.limit, m.unit),
            m.verdict,
        )
        for m in rows
    ]
    widths = [max(len(str(row[i])) for row in [header, *lines]) for i in range(len(header))]
    out = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *lines]
    ]
    out.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes and fewer runs: a smoke run, not figures"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show the handler's and emulator's logs")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("CDK_DISABLE_CLI_TELEMETRY", "1")
    if args.verbose:
        logging.basicConfig(level=logging.INFO)
    else:
        logging.disable(logging.CRITICAL)  # crhelper resets its loggers' levels on every call

    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
        f"{' (--quick: sizes shrunk, figures are not comparable)' if args.quick else ''}",
        flush=True,
    )
    emulator = None
    if _NEEDS_EMULATOR & set(names):
        from cognito_user_import_emulator import Emulator

        emulator = Emulator().start()
    rows: list[Measurement] = []
    crashed: list[str] = []
    try:
        for name in names:
            started = time.perf_counter()
            print(f"... {name}", end="", flush=True)
            module = importlib.import_module(f"bench.{name}")
            try:
                measured = module.run(emulator, quick=args.quick)
            except Exception:
                crashed.append(name)
                print(f": ERROR after {time.perf_counter() - started:.0f} s")
                traceback.print_exc()
                continue
            print(f" ({time.perf_counter() - started:.0f} s)", flush=True)
            for m in measured:
                if m.detail:
                    print(f"    {m.target}: {m.detail}")
            rows.extend(measured)
    finally:
        if emulator is not None:
            emulator.stop()

    print()
    print(_table(rows))
    failed = [m for m in rows if m.passed is False]
    for name in crashed:
        print(f"{name}: ERROR (see the traceback above)")
    print()
    print(
        "FAIL" if failed or crashed else "PASS",
        f"({len(failed)} of {sum(m.limit is not None for m in rows)} targets failed)",
    )
    return 1 if failed or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
