"""Sign-in in MFA pools and of disabled users, as Cognito answers it: MFA_SETUP for a user with no factor
where MFA is ON, enrolling a software token (TOTP), SOFTWARE_TOKEN_MFA for an enrolled user, over HTTP
with real boto3. The test computes its codes itself (RFC 6238), independently of the emulator."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:  # the kit comes from the fixture; conftest is not imported at run time
    from conftest import EmulatorKit

PASSWORD = "Correct-Horse-42"
FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 with SHA-1, 30-second steps and 6 digits."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000).zfill(6)


def wrong_code(secret: str) -> str:
    """A code of none of the three accepted steps."""
    now = time.time()
    accepted = {totp_code(secret, now + k * 30) for k in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def _mfa_pool(kit: EmulatorKit, mfa: str) -> tuple[str, str]:
    pool_id = kit.pool(MfaConfiguration="OFF")
    kit.cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration=mfa
    )
    client = kit.cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS
    )
    return pool_id, str(client["UserPoolClient"]["ClientId"])


def _user(kit: EmulatorKit, pool_id: str, username: str) -> None:
    kit.cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        MessageAction="SUPPRESS",
    )
    kit.cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )


def _admin_sign_in(kit: EmulatorKit, pool_id: str, client_id: str, username: str) -> dict[str, Any]:
    return dict(
        kit.cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
    )


def _enrol_with_token(kit: EmulatorKit, access_token: str) -> str:
    secret = str(kit.cognito.associate_software_token(AccessToken=access_token)["SecretCode"])
    verified = kit.cognito.verify_software_token(AccessToken=access_token, UserCode=totp_code(secret))
    assert verified["Status"] == "SUCCESS"
    return secret


def _answer_totp(kit: EmulatorKit, pool_id: str, client_id: str, session: str, user: str, code: str) -> Any:
    return kit.cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=session,
        ChallengeResponses={"USERNAME": user, "SOFTWARE_TOKEN_MFA_CODE": code},
    )


def test_mfa_required_pool_sets_up_totp_at_first_sign_in_then_asks_for_codes(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id, client_id = _mfa_pool(kit, "ON")
    _user(kit, pool_id, "editor")

    first = _admin_sign_in(kit, pool_id, client_id, "editor")
    assert first["ChallengeName"] == "MFA_SETUP" and "AuthenticationResult" not in first
    assert json.loads(first["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]

    # Answering MFA_SETUP before a code is verified signs nobody in.
    with pytest.raises(ClientError) as unverified:
        kit.cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="MFA_SETUP", Session=first["Session"],
            ChallengeResponses={"USERNAME": "editor"},
        )  # fmt: skip
    assert unverified.value.response["Error"]["Code"] == "NotAuthorizedException"

    associated = kit.cognito.associate_software_token(Session=first["Session"])
    secret = associated["SecretCode"]
    base64.b32decode(secret + "=" * (-len(secret) % 8))  # base32
    with pytest.raises(ClientError) as mismatch:
        kit.cognito.verify_software_token(Session=associated["Session"], UserCode=wrong_code(secret))
    assert mismatch.value.response["Error"]["Code"] == "CodeMismatchException"
    verified = kit.cognito.verify_software_token(Session=associated["Session"], UserCode=totp_code(secret))
    assert verified["Status"] == "SUCCESS"
    done = kit.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": "editor"},
    )  # fmt: skip
    assert (
        kit.cognito.get_user(AccessToken=done["AuthenticationResult"]["AccessToken"])["Username"] == "editor"
    )
    settings = kit.cognito.admin_get_user(UserPoolId=pool_id, Username="editor")
    assert settings["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]

    again = _admin_sign_in(kit, pool_id, client_id, "editor")
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in again
    with pytest.raises(ClientError) as wrong:
        _answer_totp(kit, pool_id, client_id, again["Session"], "editor", wrong_code(secret))
    assert wrong.value.response["Error"]["Code"] == "CodeMismatchException"
    tokens = _answer_totp(kit, pool_id, client_id, again["Session"], "editor", totp_code(secret))
    assert (
        kit.cognito.get_user(AccessToken=tokens["AuthenticationResult"]["AccessToken"])["Username"]
        == "editor"
    )


def test_enrolled_with_an_access_token_and_mfa_preference(emu_kit: EmulatorKit) -> None:
    """The seeding path: sign in, associate and verify with the access token, then set the preference."""
    kit = emu_kit
    pool_id, client_id = _mfa_pool(kit, "OPTIONAL")
    _user(kit, pool_id, "admin")
    _user(kit, pool_id, "viewer")

    signed_in = _admin_sign_in(kit, pool_id, client_id, "admin")
    secret = _enrol_with_token(kit, signed_in["AuthenticationResult"]["AccessToken"])
    # Verified but not enabled: no challenge yet.
    assert "AuthenticationResult" in _admin_sign_in(kit, pool_id, client_id, "admin")
    kit.cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="admin", SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )

    user_flow = kit.cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "admin", "PASSWORD": PASSWORD},
    )  # fmt: skip
    assert user_flow["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in user_flow
    answered = kit.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=user_flow["Session"],
        ChallengeResponses={"USERNAME": "admin", "SOFTWARE_TOKEN_MFA_CODE": totp_code(secret)},
    )  # fmt: skip
    assert "AccessToken" in answered["AuthenticationResult"]
    # In an OPTIONAL pool, a user without MFA signs in with the password alone.
    assert "AuthenticationResult" in _admin_sign_in(kit, pool_id, client_id, "viewer")


def test_enabled_totp_challenges_even_when_not_preferred(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id, client_id = _mfa_pool(kit, "OPTIONAL")
    _user(kit, pool_id, "editor")
    token = _admin_sign_in(kit, pool_id, client_id, "editor")["AuthenticationResult"]["AccessToken"]
    secret = _enrol_with_token(kit, token)
    kit.cognito.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True})
    challenge = _admin_sign_in(kit, pool_id, client_id, "editor")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    answered = _answer_totp(kit, pool_id, client_id, challenge["Session"], "editor", totp_code(secret))
    assert "AccessToken" in answered["AuthenticationResult"]


def test_a_code_from_another_users_secret_is_refused(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id, client_id = _mfa_pool(kit, "OPTIONAL")
    secrets = {}
    for name in ("one", "two"):
        _user(kit, pool_id, name)
        token = _admin_sign_in(kit, pool_id, client_id, name)["AuthenticationResult"]["AccessToken"]
        secrets[name] = _enrol_with_token(kit, token)
        kit.cognito.admin_set_user_mfa_preference(
            UserPoolId=pool_id, Username=name, SoftwareTokenMfaSettings={"Enabled": True}
        )
    assert secrets["one"] != secrets["two"]
    challenge = _admin_sign_in(kit, pool_id, client_id, "one")
    code_of_two = totp_code(secrets["two"])
    if code_of_two in {totp_code(secrets["one"], time.time() + k * 30) for k in (-1, 0, 1)}:
        pytest.skip("the two secrets' codes collide in this window")  # one chance in about 330,000
    with pytest.raises(ClientError) as refused:
        _answer_totp(kit, pool_id, client_id, challenge["Session"], "one", code_of_two)
    assert refused.value.response["Error"]["Code"] == "CodeMismatchException"


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"])
def test_a_disabled_user_cannot_sign_in(emu_kit: EmulatorKit, flow: str) -> None:
    kit = emu_kit
    pool_id, client_id = _mfa_pool(kit, "OFF")
    _user(kit, pool_id, "gone")
    kit.cognito.admin_disable_user(UserPoolId=pool_id, Username="gone")
    parameters = {"USERNAME": "gone", "PASSWORD": PASSWORD}
    with pytest.raises(ClientError) as refused:
        if flow == "USER_PASSWORD_AUTH":
            kit.cognito.initiate_auth(ClientId=client_id, AuthFlow=flow, AuthParameters=parameters)
        else:
            kit.cognito.admin_initiate_auth(
                UserPoolId=pool_id, ClientId=client_id, AuthFlow=flow, AuthParameters=parameters
            )
    assert refused.value.response["Error"] == {
        "Code": "NotAuthorizedException",
        "Message": "User is disabled.",
    }
    kit.cognito.admin_enable_user(UserPoolId=pool_id, Username="gone")
    assert "AuthenticationResult" in _admin_sign_in(kit, pool_id, client_id, "gone")


def test_user_password_auth_needs_a_client_that_allows_it(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id = kit.pool()
    _user(kit, pool_id, "someone")
    client = kit.cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="srp-only", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
    )
    with pytest.raises(ClientError) as refused:
        kit.cognito.initiate_auth(
            ClientId=client["UserPoolClient"]["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "someone", "PASSWORD": PASSWORD},
        )  # fmt: skip
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
