"""What happens to users after an import (passwords, sign-in, groups, attributes), made to answer as
Cognito does where moto 5.2.5 answers otherwise. Patched into moto's Cognito backend class, so the
emulator's own import job users and moto's users get the same rules.

- Passwords (AdminSetUserPassword and every moto path that checks one): the pool's policy, with
  Cognito's messages ("Password did not conform with policy: Password not long enough"). moto words every
  breach alike, allows only 5 characters when a policy leaves MinimumLength out (Cognito's default is 8)
  and refuses passwords of 99 characters or more.
- Password sign-in (AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH or ADMIN_NO_SRP_AUTH): only through a
  client whose ExplicitAuthFlows allow it, with the SECRET_HASH of a client that has a secret; an
  imported user still RESET_REQUIRED gets PasswordResetRequiredException, a wrong password "Incorrect
  username or password.", an unconfirmed user UserNotConfirmedException. moto lets any client sign in,
  ignores the secret and answers NotAuthorizedException with the username as its message.
- Groups: a missing group is ResourceNotFoundException "Group not found." (moto's message is the name).
  Adding a member again and removing a non-member succeed and change nothing, in moto as in Cognito.
- AdminUpdateUserAttributes: names outside the pool's schema and immutable attributes are refused
  (InvalidParameterException); a new email or phone_number is unverified unless the same call verifies
  it, and is held back where the pool requires verification before an update. moto stores anything.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpGroup,
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolAttribute,
    CognitoIdpUserPoolClient,
    UserStatus,
)
from moto.cognitoidp.utils import check_secret_hash

from .errors import CognitoError, invalid_parameter, not_found

Method = Callable[..., Any]

_PATCH_MARK = "_cognito_user_import_emulator_accounts"

#: The password policy a pool gets when it sets none, and the length when its policy leaves it out.
DEFAULT_MINIMUM_LENGTH = 8
#: The service model's length limit of a password (PasswordType).
MAX_PASSWORD_LENGTH = 256
#: The special characters of Cognito's password policy (developer guide, "Password policies").
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")
_POLICY_RULES: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("RequireLowercase", lambda p: bool(re.search("[a-z]", p)), "Password must have lowercase characters"),
    ("RequireUppercase", lambda p: bool(re.search("[A-Z]", p)), "Password must have uppercase characters"),
    ("RequireNumbers", lambda p: bool(re.search("[0-9]", p)), "Password must have numeric characters"),
    ("RequireSymbols", lambda p: any(c in SYMBOLS for c in p), "Password must have symbol characters"),
)

PASSWORD_FLOWS = frozenset({"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"})
#: ExplicitAuthFlows values that allow the admin password flows (the second is the legacy name).
PASSWORD_FLOW_SETTINGS = frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"})
#: What a client created without ExplicitAuthFlows allows (CreateUserPoolClient's reference page).
DEFAULT_CLIENT_FLOWS = ("ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH")
WRONG_CREDENTIALS = "Incorrect username or password."

#: The attributes whose change needs verification, and their verified flags.
VERIFIED_FLAGS = {"email": "email_verified", "phone_number": "phone_number_verified"}


# ---- passwords ----------------------------------------------------------------------------------


def password_problem(policy: dict[str, Any], password: str) -> str | None:
    """The first rule of ``policy`` that ``password`` breaks, in Cognito's words, or None.

    Cognito names one breach at a time; the order it checks them in is unpublished, so length comes
    first, then the character classes. A rule the policy leaves out is required, as moto assumes.
    """
    if len(password) < int(policy.get("MinimumLength") or DEFAULT_MINIMUM_LENGTH):
        return "Password not long enough"
    for setting, holds, message in _POLICY_RULES:
        if policy.get(setting, True) and not holds(password):
            return message
    return None


def _validate_password(self: CognitoIdpBackend, user_pool_id: str, password: str) -> None:
    pool = self.describe_user_pool(user_pool_id)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise invalid_parameter(
            "1 validation error detected: Value at 'password' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_PASSWORD_LENGTH}"
        )
    policy = (pool.extended_config.get("Policies") or {}).get("PasswordPolicy") or {}
    problem = password_problem(policy, password)
    if problem is not None:
        raise CognitoError("InvalidPasswordException", f"Password did not conform with policy: {problem}")


# ---- password sign-in ---------------------------------------------------------------------------


def _client_allows_password_flow(client: CognitoIdpUserPoolClient, settings: frozenset[str]) -> bool:
    flows = client.extended_config.get("ExplicitAuthFlows") or DEFAULT_CLIENT_FLOWS
    return bool(settings.intersection(flows))


def _check_secret(client: CognitoIdpUserPoolClient, username: str, secret_hash: str | None) -> None:
    if not client.generate_secret:
        return
    if not secret_hash:
        raise CognitoError(
            "NotAuthorizedException",
            f"Client {client.id} is configured with secret but SECRET_HASH was not received",
        )
    if not check_secret_hash(client.secret, client.id, username, secret_hash):
        raise CognitoError("NotAuthorizedException", f"Unable to verify secret hash for client {client.id}")


def _signing_in_user(
    pool: CognitoIdpUserPool, client: CognitoIdpUserPoolClient, username: str
) -> CognitoIdpUser:
    user: CognitoIdpUser | None = pool._get_user(username)
    if user is None:
        # A client that prevents user-existence errors answers as for a wrong password.
        if client.extended_config.get("PreventUserExistenceErrors") == "ENABLED":
            raise CognitoError("NotAuthorizedException", WRONG_CREDENTIALS)
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return user


def _auth_parameter(auth_parameters: dict[str, Any], name: str) -> str:
    value = auth_parameters.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_parameter(f"Missing required parameter {name}")
    return value


def check_password_sign_in(
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    auth_parameters: dict[str, Any],
    flow_settings: frozenset[str] = PASSWORD_FLOW_SETTINGS,
) -> None:
    """Refuse a password sign-in (admin, or the client's with ``flow_settings``) as Cognito does; a
    sign-in that passes goes on to moto's (tokens, or the NEW_PASSWORD_REQUIRED challenge), then to the
    MFA step (mfa.py, sign_in.py)."""
    if not _client_allows_password_flow(client, flow_settings):
        raise invalid_parameter("Auth flow not enabled for this client")
    username = _auth_parameter(auth_parameters, "USERNAME")
    password = _auth_parameter(auth_parameters, "PASSWORD")
    _check_secret(client, username, auth_parameters.get("SECRET_HASH"))
    user = _signing_in_user(pool, client, username)
    if not user.enabled:
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    # An imported user has no password until one is set: whatever is sent, Cognito asks for a reset.
    if user.status == UserStatus.RESET_REQUIRED:
        raise CognitoError("PasswordResetRequiredException", "Password reset required for the user")
    if user.password != password:
        raise CognitoError("NotAuthorizedException", WRONG_CREDENTIALS)
    if user.status == UserStatus.UNCONFIRMED:
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")


def _admin_initiate_auth(original: Method) -> Method:
    @functools.wraps(original)
    def admin_initiate_auth(
        self: CognitoIdpBackend,
        user_pool_id: str,
        client_id: str,
        auth_flow: str,
        auth_parameters: dict[str, Any] | None,
    ) -> Any:
        if auth_flow in PASSWORD_FLOWS:
            pool = self.describe_user_pool(user_pool_id)  # ResourceNotFoundException
            client = pool.clients.get(client_id)
            if client is None:
                raise not_found(f"User pool client {client_id} does not exist.")
            check_password_sign_in(pool, client, auth_parameters or {})
        return original(self, user_pool_id, client_id, auth_flow, auth_parameters)

    return admin_initiate_auth


# ---- groups -------------------------------------------------------------------------------------


def _get_group(self: CognitoIdpBackend, user_pool_id: str, group_name: str) -> CognitoIdpGroup:
    """moto's get_group with Cognito's message; AdminAddUserToGroup, AdminRemoveUserFromGroup and
    ListUsersInGroup look their group up through it."""
    pool = self.describe_user_pool(user_pool_id)
    group: CognitoIdpGroup | None = pool.groups.get(group_name)
    if group is None:
        raise not_found("Group not found.")
    return group


# ---- attributes ---------------------------------------------------------------------------------


def _attribute_problem(pool: CognitoIdpUserPool, name: str) -> str | None:
    attribute = pool.schema_attributes.get(name)
    if attribute is not None:
        return None if attribute.mutable else "Attribute cannot be updated."
    # moto keeps only the attributes a pool was created with; the standard ones exist in every pool.
    standard = CognitoIdpUserPoolAttribute.STANDARD_SCHEMA.get(name)
    if standard is None:
        return "Attribute does not exist in the schema."
    return None if standard["Mutable"] else "Attribute cannot be updated."


def check_attribute_names(pool: CognitoIdpUserPool, attributes: list[dict[str, Any]]) -> None:
    problems = [
        f"user.{item.get('Name')}: {problem}"
        for item in attributes
        if (problem := _attribute_problem(pool, str(item.get("Name")))) is not None
    ]
    if problems:
        raise invalid_parameter("Invalid user attributes: " + "".join(f"{p}\n" for p in problems))


def verified_update(
    pool: CognitoIdpUserPool, user: CognitoIdpUser, attributes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The update as Cognito applies it: a changed email or phone_number is unverified unless the same
    call sets its verified flag true; where the pool requires verification before an update
    (UserAttributeUpdateSettings), an unverified new value is not stored (Cognito would send a code)."""
    update = {str(item["Name"]): item.get("Value") for item in attributes}
    settings = pool.extended_config.get("UserAttributeUpdateSettings") or {}
    held_back = set(settings.get("AttributesRequireVerificationBeforeUpdate") or [])
    for name, flag in VERIFIED_FLAGS.items():
        if name not in update or update[name] == user.attribute_lookup.get(name):
            continue
        verified = str(update.get(flag, "")).lower() == "true"
        if name in held_back and not verified:
            del update[name]
        elif flag not in update:
            update[flag] = "false"
    return [{"Name": name, "Value": value} for name, value in update.items()]


def _admin_update_user_attributes(original: Method) -> Method:
    @functools.wraps(original)
    def admin_update_user_attributes(
        self: CognitoIdpBackend, user_pool_id: str, username: str, attributes: list[dict[str, Any]]
    ) -> Any:
        pool = self.describe_user_pool(user_pool_id)
        user = self.admin_get_user(user_pool_id, username)  # UserNotFoundException first, as Cognito
        check_attribute_names(pool, attributes or [])
        return original(self, user_pool_id, username, verified_update(pool, user, attributes or []))

    return admin_update_user_attributes


# ---- installation -------------------------------------------------------------------------------

_REPLACED: dict[str, Method] = {"_validate_password": _validate_password, "get_group": _get_group}
_WRAPPED: dict[str, Callable[[Method], Method]] = {
    "admin_initiate_auth": _admin_initiate_auth,
    "admin_update_user_attributes": _admin_update_user_attributes,
}


def install() -> None:
    """Patch moto's Cognito backend class; safe to call more than once."""
    for name, function in _REPLACED.items():
        setattr(CognitoIdpBackend, name, function)
    for name, wrap in _WRAPPED.items():
        current = getattr(CognitoIdpBackend, name)
        if not getattr(current, _PATCH_MARK, False):
            wrapped = wrap(current)
            setattr(wrapped, _PATCH_MARK, True)
            setattr(CognitoIdpBackend, name, wrapped)
