"""Software-token (TOTP) MFA as Cognito answers it, where moto 5.2.5 answers otherwise. Patched into
moto's Cognito backend class.

- Sign-in (``gate``, called by sign_in.py after a password check passed): in a pool with MFA ``ON``, a
  user with no MFA factor gets ``MFA_SETUP``; in an ``ON`` or ``OPTIONAL`` pool, a user with TOTP enabled
  gets ``SOFTWARE_TOKEN_MFA``. moto hands out tokens in both cases (it challenges only a user whose
  *preferred* factor is TOTP, and never asks for setup at password sign-in).
- ``AssociateSoftwareToken`` (access token or ``MFA_SETUP`` session) gives each user a secret of its own;
  moto gives every user the same fixed secret.
- ``VerifySoftwareToken`` and the ``SOFTWARE_TOKEN_MFA`` challenge check the code against that secret
  (totp.py); moto accepts any code unless ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP`` is set.
- The ``MFA_SETUP`` challenge completes only with the session ``VerifySoftwareToken`` returned; moto
  signs in with any session it knows, verified or not.

SMS MFA is not modelled: a user with SMS MFA gets moto's answer.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
)
from moto.cognitoidp.utils import check_secret_hash

from . import totp
from .errors import CognitoError, invalid_parameter

Method = Callable[..., Any]

SETUP = "MFA_SETUP"
SOFTWARE_TOKEN = "SOFTWARE_TOKEN_MFA"
SMS = "SMS_MFA"

_PATCH_MARK = "_cognito_user_import_emulator_mfa"
# Kept on moto's objects, so they go when moto resets or deletes them.
_CHALLENGES = "_emulator_mfa_challenges"
_PENDING_SECRET = "_emulator_totp_pending"
_SECRET = "_emulator_totp_secret"

INVALID_SESSION = "Invalid session for the user."
WRONG_CODE = "Invalid code received for user"


@dataclass
class Challenge:
    """An MFA challenge the emulator issued: its pool, the user's stored username and its name.
    ``verified``: an MFA_SETUP session returned by VerifySoftwareToken, which may complete sign-in."""

    pool_id: str
    username: str
    name: str
    verified: bool = False


def _challenges(backend: CognitoIdpBackend) -> dict[str, Challenge]:
    challenges: dict[str, Challenge] | None = backend.__dict__.get(_CHALLENGES)
    if challenges is None:
        challenges = backend.__dict__[_CHALLENGES] = {}
    return challenges


def _new_session(backend: CognitoIdpBackend, pool: CognitoIdpUserPool, challenge: Challenge) -> str:
    session = str(uuid.uuid4())
    _challenges(backend)[session] = challenge
    # moto finds a session's backend (AssociateSoftwareToken, VerifySoftwareToken) by its own map.
    backend.sessions[session] = (challenge.username, pool)
    return session


def _drop_session(backend: CognitoIdpBackend, session: str) -> None:
    _challenges(backend).pop(session, None)
    backend.sessions.pop(session, None)


# ---- sign-in ------------------------------------------------------------------------------------


def required_step(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> str | None:
    """The MFA step Cognito asks of ``user`` after a right password, or None for tokens."""
    if pool.mfa_config not in ("ON", "OPTIONAL"):
        return None
    if user.software_token_mfa_enabled and not (
        user.sms_mfa_enabled and user.preferred_mfa_setting == "SMS_MFA"
    ):
        return SOFTWARE_TOKEN
    if user.sms_mfa_enabled:
        return SMS
    return SETUP if pool.mfa_config == "ON" else None


def _setup_options(pool: CognitoIdpUserPool) -> list[str]:
    options = []
    if pool.sms_mfa_config:
        options.append(SMS)
    if (pool.token_mfa_config or {}).get("Enabled"):
        options.append(SOFTWARE_TOKEN)
    return options


def _revoke(pool: CognitoIdpUserPool, result: dict[str, Any]) -> None:
    """Forget the tokens of an answer that is replaced by a challenge."""
    tokens = result.get("AuthenticationResult") or {}
    pool.access_tokens.pop(str(tokens.get("AccessToken")), None)
    pool.id_tokens.pop(str(tokens.get("IdToken")), None)
    pool.refresh_tokens.pop(str(tokens.get("RefreshToken")), None)


def gate(
    backend: CognitoIdpBackend,
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    username: str,
    result: dict[str, Any],
) -> dict[str, Any]:
    """moto's answer to a right password, turned into the MFA challenge Cognito gives instead."""
    if "AuthenticationResult" not in result and result.get("ChallengeName") != SOFTWARE_TOKEN:
        return result  # NEW_PASSWORD_REQUIRED and the other challenges come first
    user: CognitoIdpUser | None = pool._get_user(username)
    step = None if user is None else required_step(pool, user)
    if user is None or step == SMS:
        return result
    if step is None and "AuthenticationResult" in result:
        return result
    _revoke(pool, result)
    backend.sessions.pop(str(result.get("Session")), None)
    if step is None:  # moto challenged a TOTP user in a pool with MFA off, where Cognito asks nothing
        return dict(backend._log_user_in(pool, client, user.username))
    session = _new_session(backend, pool, Challenge(pool.id, user.username, step))
    parameters = {"USER_ID_FOR_SRP": user.username}
    if step == SETUP:
        parameters["MFAS_CAN_SETUP"] = json.dumps(_setup_options(pool))
    return {"ChallengeName": step, "ChallengeParameters": parameters, "Session": session}


# ---- answering a challenge ----------------------------------------------------------------------


def _check_challenge_user(
    pool: CognitoIdpUserPool, client_id: str, challenge: Challenge, responses: dict[str, Any]
) -> CognitoIdpUser:
    client = pool.clients.get(client_id)
    if client is None:
        raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    username = responses.get("USERNAME")
    if not isinstance(username, str) or not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    user: CognitoIdpUser | None = pool._get_user(username)
    if user is None or user.username != challenge.username:
        raise CognitoError("NotAuthorizedException", INVALID_SESSION)
    if client.generate_secret and not check_secret_hash(
        client.secret, client.id, username, responses.get("SECRET_HASH")
    ):
        raise CognitoError("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}")
    if not user.enabled:
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    return user


def answer_challenge(
    backend: CognitoIdpBackend,
    session: str,
    client_id: str,
    challenge_name: str,
    responses: dict[str, Any],
) -> dict[str, Any]:
    """RespondToAuthChallenge for a SOFTWARE_TOKEN_MFA or MFA_SETUP session the emulator issued."""
    challenge = _challenges(backend)[session]
    pool = backend.describe_user_pool(challenge.pool_id)
    if challenge_name != challenge.name:
        raise invalid_parameter(f"The challenge {challenge_name} does not match the session's challenge.")
    user = _check_challenge_user(pool, client_id, challenge, responses)
    if challenge.name == SOFTWARE_TOKEN:
        code = responses.get("SOFTWARE_TOKEN_MFA_CODE")
        if not isinstance(code, str) or not code:
            raise invalid_parameter("Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
        secret = getattr(user, _SECRET, None)
        if secret is None or not totp.verifies(secret, code):
            raise CognitoError("CodeMismatchException", WRONG_CODE)
    elif not challenge.verified:
        raise CognitoError("NotAuthorizedException", INVALID_SESSION)
    else:
        # Completing MFA_SETUP turns the verified software token on (the user's first MFA factor).
        user.software_token_mfa_enabled = True
        if not user.preferred_mfa_setting:
            user.preferred_mfa_setting = SOFTWARE_TOKEN
    _drop_session(backend, session)
    return dict(backend._log_user_in(pool, pool.clients[client_id], user.username))


def _respond_to_auth_challenge(original: Method) -> Method:
    @functools.wraps(original)
    def respond_to_auth_challenge(
        self: CognitoIdpBackend,
        session: str,
        client_id: str,
        challenge_name: str,
        challenge_responses: dict[str, Any],
    ) -> Any:
        responses = challenge_responses or {}
        if session in _challenges(self):
            return answer_challenge(self, session, client_id, challenge_name, responses)
        entry = self.sessions.get(session)
        result = original(self, session, client_id, challenge_name, challenge_responses)
        if entry is None or challenge_name != "NEW_PASSWORD_REQUIRED" or not isinstance(result, dict):
            return result
        # A new password chosen: the MFA step comes next, as after a password sign-in.
        _, pool = entry
        client = pool.clients[client_id]
        username = str(responses.get("USERNAME") or "")
        if result.get("ChallengeName") == SETUP:
            # moto's own MFA_SETUP, replaced by the emulator's, which can complete.
            self.sessions.pop(str(result.get("Session")), None)
            result = dict(self._log_user_in(pool, client, username))
        return gate(self, pool, client, username, result)

    return respond_to_auth_challenge


# ---- enrolling a software token -----------------------------------------------------------------


def _user_by_token(backend: CognitoIdpBackend, access_token: str | None) -> CognitoIdpUser:
    for pool in backend.user_pools.values():
        if access_token and access_token in pool.access_tokens:
            _, username = pool.access_tokens[access_token]
            user: CognitoIdpUser | None = pool._get_user(username)
            if user is not None:
                return user
    raise CognitoError("NotAuthorizedException", "Invalid Access Token")


def _setup_user(backend: CognitoIdpBackend, session: str) -> tuple[Challenge, CognitoIdpUser]:
    challenge = _challenges(backend).get(session)
    if challenge is None or challenge.name != SETUP:
        raise CognitoError("NotAuthorizedException", INVALID_SESSION)
    user: CognitoIdpUser | None = backend.describe_user_pool(challenge.pool_id)._get_user(challenge.username)
    if user is None:
        raise CognitoError("NotAuthorizedException", INVALID_SESSION)
    return challenge, user


def associate_software_token(
    self: CognitoIdpBackend, access_token: str | None, session: str | None
) -> dict[str, str]:
    """A new secret for the user; it replaces the current one once a code from it is verified."""
    user = _setup_user(self, session)[1] if session else _user_by_token(self, access_token)
    secret = totp.new_secret()
    setattr(user, _PENDING_SECRET, secret)
    return {"SecretCode": secret, **({"Session": session} if session else {})}


def verify_software_token(
    self: CognitoIdpBackend,
    access_token: str | None,
    session: str | None,
    user_code: str,
    friendly_device_name: str | None,
) -> dict[str, str]:
    challenge, user = _setup_user(self, session) if session else (None, _user_by_token(self, access_token))
    pending = getattr(user, _PENDING_SECRET, None)
    if pending is None:
        raise invalid_parameter("User has not associated a software token.")
    if not totp.verifies(pending, user_code or ""):
        raise CognitoError("CodeMismatchException", WRONG_CODE)
    setattr(user, _SECRET, pending)
    setattr(user, _PENDING_SECRET, None)
    user.token_verified = True  # what moto's AdminSetUserMFAPreference requires before enabling TOTP
    if challenge is None or session is None:
        return {"Status": "SUCCESS"}
    pool = self.describe_user_pool(challenge.pool_id)
    _drop_session(self, session)
    verified = Challenge(challenge.pool_id, challenge.username, SETUP, verified=True)
    return {"Status": "SUCCESS", "Session": _new_session(self, pool, verified)}


# ---- installation -------------------------------------------------------------------------------


def install() -> None:
    """Patch moto's Cognito backend class; safe to call more than once."""
    setattr(CognitoIdpBackend, "associate_software_token", associate_software_token)  # noqa: B010
    setattr(CognitoIdpBackend, "verify_software_token", verify_software_token)  # noqa: B010
    current = CognitoIdpBackend.respond_to_auth_challenge
    if not getattr(current, _PATCH_MARK, False):
        wrapped = _respond_to_auth_challenge(current)
        setattr(wrapped, _PATCH_MARK, True)
        setattr(CognitoIdpBackend, "respond_to_auth_challenge", wrapped)  # noqa: B010
