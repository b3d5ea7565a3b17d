"""Benchmarks of cdk-cognito-user-import (issues 3, 5, 6, 9 and 13): ``python -m bench [NAME ...] [--quick]``.

Each module measures one thing against its target and answers ``Measurement``s; ``__main__`` runs
them, prints a table with PASS/FAIL per target and exits 1 if any target fails. Never part of the
test suite. See bench/README.md for what each one measures and the latest figures.
"""

BENCHMARKS = ("report_latency", "asset_size", "convert_500k", "redeploy_10k", "emulator_calls", "api_cost")
