"""deploy-local's cost summary: the Cognito calls per category and the peak share of each quota."""

from __future__ import annotations

from typing import Any

from cognito_user_import_local.cost import cost_lines, peak_shares

CALLS: dict[str, Any] = {
    "operations": {
        "DescribeUserImportJob": {
            "category": "UserPoolResourceRead",
            "calls": 12,
            "throttled": 0,
            "peak_rps": 2,
        },
        "DescribeUserPool": {"category": "UserPoolResourceRead", "calls": 1, "throttled": 0, "peak_rps": 1},
        "ListUsers": {"category": "UserList", "calls": 167, "throttled": 1, "peak_rps": 15},
        "CreateUserPool": {"category": None, "calls": 1, "throttled": 0, "peak_rps": 1},
    },
    "categories": {
        "UserPoolResourceRead": {
            "quota_rps": 20,
            "per_pool_quota_rps": 5,
            "calls": 13,
            "throttled": 0,
            "peak_rps": 3,
        },
        "UserList": {
            "quota_rps": 30,
            "per_pool_quota_rps": None,
            "calls": 167,
            "throttled": 1,
            "peak_rps": 15,
        },
        "UserCreation": {
            "quota_rps": 50,
            "per_pool_quota_rps": None,
            "calls": 0,
            "throttled": 0,
            "peak_rps": 0,
        },
    },
}


def test_peak_shares_per_category_and_per_pool() -> None:
    shares = peak_shares(CALLS)

    assert shares == {
        "UserPoolResourceRead": 3 / 20,
        "UserList": 15 / 30,
        "DescribeUserImportJob per pool": 2 / 5,
        "DescribeUserPool per pool": 1 / 5,
    }


def test_summary_names_total_peak_share_and_each_category_used() -> None:
    lines = cost_lines(CALLS, aws_quotas=True)

    assert lines[0] == (
        "Cognito calls: 180 (AWS quotas enforced); peak share of a quota 0.50 (UserList); throttled 1"
    )
    assert "  UserList: 167 calls (ListUsers 167), peak 15/s of 30/s (share 0.50)" in lines
    assert "    DescribeUserImportJob per pool: peak 2/s of 5/s (share 0.40)" in lines
    assert not any("UserCreation" in line for line in lines)  # unused categories are left out


def test_no_calls() -> None:
    assert cost_lines({"operations": {}, "categories": {}}, aws_quotas=False) == [
        "Cognito calls: none (AWS quotas off in this emulator)"
    ]
