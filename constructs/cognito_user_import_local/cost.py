"""What a deployment cost in Cognito calls, from the emulator's ``/_emulator/calls``.

The counts are reset before a stack is deployed and read after it, so they hold that stack's calls:
its import handler's and the driver's own (creating pools is not in a quota category). Each quota
category used is reported with its calls, throttled calls and its peak share (the most calls in any
one-second window over the quota's requests per second), and so is each operation that AWS limits per
pool as well (5 a second per pool for the job and pool-read operations).
"""

from __future__ import annotations

from typing import Any

from cognito_user_import_emulator import EmulatorControl


class CallCost:
    """Reset and read the Cognito call counts of the emulator at `url`."""

    def __init__(self, url: str) -> None:
        self._control = EmulatorControl(url)

    def reset(self) -> None:
        self._control.calls.reset()

    def lines(self) -> list[str]:
        calls = self._control.calls.to_json()
        quotas = bool(self._control.settings.to_json().get("aws_quotas"))
        return cost_lines(calls, aws_quotas=quotas)


def peak_shares(calls: dict[str, Any]) -> dict[str, float]:
    """Peak share of each quota used: per category, and per pool and operation where AWS sets one."""
    categories = calls.get("categories", {})
    shares: dict[str, float] = {}
    for name, counts in categories.items():
        if counts.get("calls") and counts.get("quota_rps"):
            shares[name] = counts["peak_rps"] / counts["quota_rps"]
    for operation, counts in calls.get("operations", {}).items():
        per_pool = categories.get(counts.get("category") or "", {}).get("per_pool_quota_rps")
        if per_pool and counts.get("calls"):
            shares[f"{operation} per pool"] = counts["peak_rps"] / per_pool
    return shares


def cost_lines(calls: dict[str, Any], *, aws_quotas: bool) -> list[str]:
    """The summary a person reads: total, peak share, then one line per category used."""
    categories = {name: c for name, c in calls.get("categories", {}).items() if c.get("calls")}
    total = sum(int(c["calls"]) for c in categories.values())
    mode = "AWS quotas enforced" if aws_quotas else "AWS quotas off in this emulator"
    if not total:
        return [f"Cognito calls: none ({mode})"]
    shares = peak_shares(calls)
    top = max(shares, key=lambda name: shares[name])
    throttled = sum(int(c.get("throttled", 0)) for c in categories.values())
    lines = [
        f"Cognito calls: {total} ({mode}); peak share of a quota {shares[top]:.2f} ({top});"
        f" throttled {throttled}"
    ]
    operations = calls.get("operations", {})
    for name, counts in categories.items():
        used = ", ".join(
            f"{operation} {c['calls']}" for operation, c in operations.items() if c.get("category") == name
        )
        lines.append(
            f"  {name}: {counts['calls']} calls ({used}), peak {counts['peak_rps']}/s of"
            f" {counts['quota_rps']:g}/s (share {shares.get(name, 0.0):.2f})"
        )
        for operation, c in operations.items():
            per_pool = counts.get("per_pool_quota_rps")
            if c.get("category") == name and per_pool:
                lines.append(
                    f"    {operation} per pool: peak {c['peak_rps']}/s of {per_pool:g}/s"
                    f" (share {c['peak_rps'] / per_pool:.2f})"
                )
    return lines
