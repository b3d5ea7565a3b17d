"""Password sign-in's last step, as Cognito answers it: the MFA challenge (mfa.py) after a right password,
for the admin flows (AdminInitiateAuth) and the client's own (InitiateAuth with USER_PASSWORD_AUTH).
InitiateAuth's USER_PASSWORD_AUTH gets the same checks as the admin flows (accounts.py): moto lets any
client use it, ignores the client's secret and signs in a RESET_REQUIRED user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, CognitoIdpUserPoolClient

from . import mfa
from .accounts import PASSWORD_FLOWS, check_password_sign_in

Method = Callable[..., Any]

_PATCH_MARK = "_cognito_user_import_emulator_sign_in"
USER_PASSWORD_FLOW = "USER_PASSWORD_AUTH"
#: ExplicitAuthFlows values that allow USER_PASSWORD_AUTH (the second is the legacy name).
USER_PASSWORD_FLOW_SETTINGS = frozenset({"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"})


def _username(auth_parameters: dict[str, Any] | None) -> str:
    return str((auth_parameters or {}).get("USERNAME") or "")


def _admin_initiate_auth(original: Method) -> Method:
    @functools.wraps(original)
    def admin_initiate_auth(
        self: CognitoIdpBackend,
        user_pool_id: str,
        client_id: str,
        auth_flow: str,
        auth_parameters: dict[str, Any] | None,
    ) -> Any:
        result = original(self, user_pool_id, client_id, auth_flow, auth_parameters)
        if auth_flow not in PASSWORD_FLOWS:
            return result
        pool = self.describe_user_pool(user_pool_id)
        return mfa.gate(self, pool, pool.clients[client_id], _username(auth_parameters), result)

    return admin_initiate_auth


def _client_pool(
    backend: CognitoIdpBackend, client_id: str
) -> tuple[CognitoIdpUserPool, CognitoIdpUserPoolClient] | None:
    for pool in backend.user_pools.values():
        client = pool.clients.get(client_id)
        if client is not None:
            return pool, client
    return None


def _initiate_auth(original: Method) -> Method:
    @functools.wraps(original)
    def initiate_auth(
        self: CognitoIdpBackend, client_id: str, auth_flow: str, auth_parameters: dict[str, Any] | None
    ) -> Any:
        found = _client_pool(self, client_id) if auth_flow == USER_PASSWORD_FLOW else None
        if found is None:  # another flow, or a client moto answers ResourceNotFoundException for
            return original(self, client_id, auth_flow, auth_parameters)
        pool, client = found
        check_password_sign_in(pool, client, auth_parameters or {}, USER_PASSWORD_FLOW_SETTINGS)
        result = original(self, client_id, auth_flow, auth_parameters)
        return mfa.gate(self, pool, client, _username(auth_parameters), result)

    return initiate_auth


_WRAPPED: dict[str, Callable[[Method], Method]] = {
    "admin_initiate_auth": _admin_initiate_auth,
    "initiate_auth": _initiate_auth,
}


def install() -> None:
    """Patch moto's Cognito backend class (after accounts.install()); safe to call more than once."""
    mfa.install()
    for name, wrap in _WRAPPED.items():
        current = getattr(CognitoIdpBackend, name)
        if not getattr(current, _PATCH_MARK, False):
            wrapped = wrap(current)
            setattr(wrapped, _PATCH_MARK, True)
            setattr(CognitoIdpBackend, name, wrapped)
