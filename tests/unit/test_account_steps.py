"""The account steps as pure logic: what each row asks for, and how the runner applies, resumes and
reports them (a fake Cognito client records the calls; no AWS, no emulator)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_user_csv.account_rows import AccountRow, parse_groups, read_account_rows
from cognito_user_import_handler.account_steps import FAILURES_KEPT, StepProgress, StepRunner
from cognito_user_import_handler.accounts import (
    ADD,
    ATTRIBUTES,
    PASSWORD,
    REMOVE,
    AccountInputs,
    Step,
    plan_steps,
)


def _inputs(**overrides: Any) -> AccountInputs:
    values: dict[str, Any] = {
        "changed": {"ana", "bo", "cy"},
        "existing": set(),
        "update_existing": False,
        "current_attributes": lambda _name: {},
        "previous_groups": {},
    }
    return AccountInputs(**(values | overrides))


@pytest.mark.parametrize(
    ("cell", "groups"),
    [
        ("admins", ("admins",)),
        ("admins testers", ("admins", "testers")),
        (" admins,testers ; ops ", ("admins", "testers", "ops")),
        ("admins;admins", ("admins",)),
        ("", ()),
    ],
)
def test_group_cells_split_on_spaces_commas_and_semicolons(cell: str, groups: tuple[str, ...]) -> None:
    assert parse_groups(cell) == groups


def test_account_rows_carry_line_groups_and_non_empty_attributes() -> None:
    body = io.BytesIO(
        b"\xef\xbb\xbfcognito:username,email,given_name,groups\r\n"
        b'ana,ana@example.com,"Ana, Jr.",admins testers\r\n\r\nbo,bo@example.com,,\r\n'
    )
    rows = list(read_account_rows(body))
    assert rows == [
        AccountRow(2, "ana", ("admins", "testers"), {"email": "ana@example.com", "given_name": "Ana, Jr."}),
        AccountRow(4, "bo", (), {"email": "bo@example.com"}),
    ]


def test_without_a_groups_column_no_membership_is_touched() -> None:
    rows = [AccountRow(2, "ana", None)]
    assert list(plan_steps(rows, _inputs(previous_groups={"ana": ("admins",)}))) == []


def test_groups_are_added_when_new_and_removed_only_when_the_previous_file_listed_them() -> None:
    rows = [AccountRow(2, "ana", ("admins", "testers")), AccountRow(3, "bo", ())]
    previous = {"ana": ("admins", "ops"), "bo": ("testers",)}
    steps = list(plan_steps(rows, _inputs(previous_groups=previous)))
    assert steps == [
        Step(ADD, "ana", 2, group="testers"),
        Step(REMOVE, "ana", 2, group="ops"),
        Step(REMOVE, "bo", 3, group="testers"),
    ]


def test_unchanged_rows_need_nothing_unless_the_passwords_are_new() -> None:
    rows = [AccountRow(2, "ana", ("admins",))]
    unchanged = _inputs(changed=set(), passwords={"ana": "ana"})
    assert list(plan_steps(rows, unchanged)) == []
    new_version = _inputs(changed=set(), passwords={"ana": "ana"}, new_passwords=True)
    assert list(plan_steps(rows, new_version)) == [Step(PASSWORD, "ana", 2)]


def test_update_sends_only_the_values_that_differ() -> None:
    rows = [AccountRow(2, "ana", None, {"email": "ana@example.com", "given_name": "Anna"})]
    current = {"email": "ana@example.com", "given_name": "Ana", "family_name": "Souza"}
    inputs = _inputs(existing={"ana"}, update_existing=True, current_attributes=lambda _n: current)
    assert list(plan_steps(rows, inputs)) == [Step(ATTRIBUTES, "ana", 2, attributes={"given_name": "Anna"})]
    assert list(plan_steps(rows, _inputs(existing={"ana"}))) == []  # SKIP: nothing applied


def test_steps_survive_the_ledger_round_trip() -> None:
    step = Step(ATTRIBUTES, "ana", 2, attributes={"given_name": "Anna, Jr."})
    assert Step.from_line(step.to_line()) == step
    assert Step.from_line(Step(ADD, "bo", 3, group="ops").to_line()) == Step(ADD, "bo", 3, group="ops")
    addressed = Step(PASSWORD, "user1", 2, target="user1@example.com")
    assert Step.from_line(addressed.to_line()) == addressed


class FakeCognito:
    """Records each call; fails the ones listed in `errors` (username -> error code)."""

    def __init__(self, errors: dict[str, str] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._errors = errors or {}

    def __getattr__(self, operation: str) -> Any:
        def call(**request: Any) -> dict[str, Any]:
            self.calls.append((operation, request))
            code = self._errors.get(request["Username"])
            if code:
                raise ClientError({"Error": {"Code": code, "Message": "refused"}}, operation)
            return {}

        return call


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0  # each look at the clock is a second later
        return self.now


def test_each_step_makes_its_call_and_is_counted() -> None:
    cognito = FakeCognito()
    steps = [
        Step(ATTRIBUTES, "ana", 2, attributes={"given_name": "Anna"}),
        Step(PASSWORD, "ana", 2),
        Step(ADD, "ana", 2, group="admins"),
        Step(REMOVE, "bo", 3, group="ops"),
    ]
    progress = StepProgress()
    done = StepRunner(cognito, "pool", {"ana": "secret-1"}).run(
        steps, progress, keep_going=lambda: True, save=lambda _p: None, now=Clock()
    )
    assert done
    calls = dict(cognito.calls)  # two lanes: the password's call runs beside the others
    assert calls["admin_set_user_password"] == {
        "UserPoolId": "pool",
        "Username": "ana",
        "Password": "secret-1",
        "Permanent": True,
    }
    updates = [name for name, _ in cognito.calls if name != "admin_set_user_password"]
    assert updates == [
        "admin_update_user_attributes",
        "admin_add_user_to_group",
        "admin_remove_user_from_group",
    ]
    assert (progress.updated_users, progress.passwords_set, progress.group_memberships) == (1, 1, 2)


def test_out_of_time_stops_between_steps_saves_and_resumes_without_repeats() -> None:
    cognito = FakeCognito()
    steps = [Step(ADD, f"user{n}", n + 2, group="g") for n in range(10)]
    progress = StepProgress()
    saved: list[int] = []
    budget = iter([True] * 4 + [False])
    runner = StepRunner(cognito, "pool", {})

    first = runner.run(
        steps,
        progress,
        keep_going=lambda: next(budget),
        save=lambda p: saved.append(p.steps_done()),
        now=Clock(),
    )
    second = runner.run(
        steps, progress, keep_going=lambda: True, save=lambda p: saved.append(p.steps_done()), now=Clock()
    )

    assert (first, second) == (False, True)
    assert saved[0] == 4 and saved[-1] == 10  # one lane here: progress is its place in the lane
    assert [request["Username"] for _, request in cognito.calls] == [f"user{n}" for n in range(10)]


def test_failures_name_line_user_and_what_failed_and_missing_users_are_not_failures() -> None:
    cognito = FakeCognito({"bo": "InvalidPasswordException", "cy": "UserNotFoundException"})
    steps = [Step(PASSWORD, "bo", 3), Step(ADD, "cy", 4, group="admins"), Step(ADD, "dee", 5, group="admins")]
    progress = StepProgress()
    StepRunner(cognito, "pool", {"bo": "weak"}).run(
        steps, progress, keep_going=lambda: True, save=lambda _p: None, now=Clock()
    )
    assert progress.failures == [
        "line 3 (bo): setting the password failed: InvalidPasswordException: refused"
    ]
    assert (progress.failure_count, progress.missing_users, progress.group_memberships) == (1, 1, 1)


def test_failures_kept_are_capped_but_all_counted() -> None:
    names = [f"user{n}" for n in range(FAILURES_KEPT + 5)]
    cognito = FakeCognito(dict.fromkeys(names, "ResourceNotFoundException"))
    progress = StepProgress()
    StepRunner(cognito, "pool", {}).run(
        [Step(ADD, n, 2, group="gone") for n in names],
        progress,
        keep_going=lambda: True,
        save=lambda _p: None,
        now=Clock(),
    )
    assert len(progress.failures) == FAILURES_KEPT
    assert progress.failure_count == FAILURES_KEPT + 5


def _convert(text: str) -> tuple[str, list[str]]:
    from cognito_user_csv.conversion import convert
    from cognito_user_csv.schema import PoolSchema

    out = io.StringIO()
    result = convert(io.BytesIO(text.encode()), out, schema=PoolSchema.generic(), file_name="f.csv")
    return out.getvalue(), [str(problem) for problem in result.problems]


def test_the_groups_column_is_checked_but_never_sent_to_cognito() -> None:
    written, problems = _convert(
        "cognito:username,email,email_verified,groups\nana,ana@example.com,true,admins testers\n"
    )
    assert problems == []
    assert "groups" not in written.splitlines()[0] and "admins" not in written


def test_a_group_name_cognito_refuses_is_named_with_file_line_and_column() -> None:
    long_name = "g" * 129
    _, problems = _convert(
        f"cognito:username,email,email_verified,groups\nana,ana@example.com,true,{long_name}\n"
    )
    assert len(problems) == 1
    assert "f.csv:2" in problems[0] and "groups" in problems[0] and "1-128" in problems[0]


def test_user_records_carry_groups_and_refuse_names_with_separators() -> None:
    from cognito_user_csv.users import UserRecord, render_users

    rendered = render_users([UserRecord("ana", {"email": "ana@example.com"}, groups=["admins", "ops"])])
    assert rendered.splitlines() == ["cognito:username,email,groups", "ana,ana@example.com,admins ops"]
    with pytest.raises(ValueError, match="group 'Team A' cannot be seeded: names are separated by spaces"):
        UserRecord("bo", groups=["Team A"])
