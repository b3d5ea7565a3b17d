"""Usernames in a case-insensitive pool: every admin call and sign-in finds the user in any case and
answers with the stored spelling, as Cognito does; a case-sensitive pool stays exact."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:  # the kit comes from the fixture; conftest is not imported at run time
    from conftest import EmulatorKit

PASSWORD = "Correct-Horse-42"
INSENSITIVE = {"UsernameConfiguration": {"CaseSensitive": False}}


def _imported_pool(kit: EmulatorKit, **pool: object) -> str:
    pool_id = kit.pool(**pool)
    job = kit.run(pool_id, kit.csv(kit.header(pool_id), [kit.user("Cust00001")]))
    assert job["Status"] == "Succeeded"
    kit.cognito.create_group(UserPoolId=pool_id, GroupName="editors")
    return pool_id


def test_a_case_insensitive_pool_finds_users_in_any_case(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    cognito = kit.cognito
    pool_id = _imported_pool(kit, **INSENSITIVE)
    ids = {"UserPoolId": pool_id}

    assert cognito.admin_get_user(**ids, Username="cust00001")["Username"] == "Cust00001"
    assert cognito.admin_get_user(**ids, Username="CUST00001")["Username"] == "Cust00001"
    cognito.admin_set_user_password(**ids, Username="cUST00001", Password=PASSWORD, Permanent=True)
    cognito.admin_update_user_attributes(
        **ids, Username="cust00001", UserAttributes=[{"Name": "name", "Value": "Ann"}]
    )
    cognito.admin_add_user_to_group(**ids, Username="CUST00001", GroupName="editors")
    groups = cognito.admin_list_groups_for_user(**ids, Username="cust00001")["Groups"]
    assert [g["GroupName"] for g in groups] == ["editors"]
    members = cognito.list_users_in_group(**ids, GroupName="editors")["Users"]
    assert [m["Username"] for m in members] == ["Cust00001"]

    client = cognito.create_user_pool_client(
        **ids,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    signed_in = cognito.admin_initiate_auth(
        **ids, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "cust00001", "PASSWORD": PASSWORD},
    )  # fmt: skip
    assert cognito.get_user(AccessToken=signed_in["AuthenticationResult"]["AccessToken"])["UserAttributes"]

    with pytest.raises(ClientError) as taken:
        cognito.admin_create_user(**ids, Username="CUST00001", MessageAction="SUPPRESS")
    assert taken.value.response["Error"]["Code"] == "UsernameExistsException"

    cognito.admin_disable_user(**ids, Username="cust00001")
    assert cognito.admin_get_user(**ids, Username="Cust00001")["Enabled"] is False
    cognito.admin_enable_user(**ids, Username="CUST00001")
    cognito.admin_remove_user_from_group(**ids, Username="cust00001", GroupName="editors")
    assert cognito.list_users_in_group(**ids, GroupName="editors")["Users"] == []
    cognito.admin_delete_user(**ids, Username="cust00001")
    assert kit.users(pool_id) == {}
    with pytest.raises(ClientError) as gone:
        cognito.admin_get_user(**ids, Username="Cust00001")
    assert gone.value.response["Error"]["Code"] == "UserNotFoundException"


@pytest.mark.parametrize("pool", [{}, {"UsernameConfiguration": {"CaseSensitive": True}}])
def test_a_case_sensitive_pool_stays_exact(emu_kit: EmulatorKit, pool: dict[str, object]) -> None:
    kit = emu_kit
    pool_id = _imported_pool(kit, **pool)
    assert kit.cognito.admin_get_user(UserPoolId=pool_id, Username="Cust00001")["Username"] == "Cust00001"
    with pytest.raises(ClientError) as missing:
        kit.cognito.admin_get_user(UserPoolId=pool_id, Username="cust00001")
    assert missing.value.response["Error"]["Code"] == "UserNotFoundException"
    kit.cognito.admin_create_user(UserPoolId=pool_id, Username="cust00001", MessageAction="SUPPRESS")
    assert sorted(kit.users(pool_id)) == ["Cust00001", "cust00001"]
