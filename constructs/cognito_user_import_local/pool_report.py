"""What a local deploy shows of the users it imported: counts by status and a few usernames."""

from __future__ import annotations

from collections import Counter
from typing import Any


def describe_users(cognito: Any, pool_id: str, *, show: int) -> list[str]:
    """Lines for a person: the pool's user count by status, then the first `show` usernames.

    Only what a person signs in with and the status; other attributes stay in the pool. In pools
    that sign in with email or phone the username is an opaque id, so the address is shown beside it.
    """
    sign_in = set(cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("UsernameAttributes", []))
    statuses: Counter[str] = Counter()
    sample: list[tuple[str, str]] = []
    for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool_id):
        for user in page.get("Users", []):
            statuses[user["UserStatus"]] += 1
            if len(sample) < show:
                aliases = [a["Value"] for a in user.get("Attributes", []) if a["Name"] in sign_in]
                shown = " ".join([*aliases, f"({user['Username']})"]) if aliases else user["Username"]
                sample.append((shown, user["UserStatus"]))
    total = sum(statuses.values())
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    lines = [f"Users in pool {pool_id}: {total}" + (f" ({by_status})" if by_status else "")]
    width = max((len(shown) for shown, _ in sample), default=0)
    lines += [f"  {shown:<{width}}  {status}" for shown, status in sample]
    if total > len(sample) and sample:
        lines.append(f"  ... and {total - len(sample)} more")
    return lines
