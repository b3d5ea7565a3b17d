"""deploy-local --sign-in: after a deployment, sign in as a seeded user, the way an app would.

The proof that an account is usable: the password a UserImport set from its passwords secret is read
back from the emulator's Secrets Manager, and AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH) is called
through a client of the import's pool that allows that flow. Everything is found in the deployed
stacks (the imports' PasswordsSecretArn and UserPoolId) and in the emulator (the pool's clients), so
no output names are assumed. The password is never printed, nor the tokens: only the access token's
first characters and its length.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .errors import DeployError
from .operations import error_message
from .state import StackState

PASSWORD_FLOW = "ADMIN_USER_PASSWORD_AUTH"
PASSWORD_FLOW_SETTINGS = frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"})
"""ExplicitAuthFlows values that allow the flow (the second is its legacy name)."""
SECRET_PROPERTY = "PasswordsSecretArn"
"""The property of a UserImport's custom resource that names its passwords secret."""
SHOWN_TOKEN_CHARACTERS = 5


class SignInError(DeployError):
    """Signing in after the deployment failed; the message says why (never with the password)."""


@dataclass(frozen=True)
class Account:
    """Where a user's password came from: the pool it was set in and the secret that holds it."""

    username: str
    pool_id: str
    secret_arn: str


def seeded_accounts(states: Iterable[StackState]) -> Iterator[tuple[str, str]]:
    """(pool id, passwords secret ARN) of each import in the stacks that sets passwords."""
    for state in states:
        for resource in state.resources.values():
            props = resource.properties
            if resource.resource_type.startswith("Custom::") and props.get(SECRET_PROPERTY):
                yield str(props.get("UserPoolId", "")), str(props[SECRET_PROPERTY])


def _passwords(secrets: Any, secret_arn: str) -> dict[str, Any]:
    try:
        value = secrets.get_secret_value(SecretId=secret_arn).get("SecretString", "")
        document = json.loads(value)
    except (ClientError, BotoCoreError) as error:
        raise SignInError(f"cannot read the passwords secret {secret_arn}: {error_message(error)}") from None
    except json.JSONDecodeError:
        raise SignInError(f"the passwords secret {secret_arn} does not hold a JSON object") from None
    return document if isinstance(document, dict) else {}


def find_account(states: Iterable[StackState], username: str, secrets: Any) -> tuple[Account, str]:
    """The account of username and its password, from the first import whose secret holds it."""
    sources = list(seeded_accounts(states))
    if not sources:
        raise SignInError("no UserImport of the deployed stacks sets passwords (passwords=ISecret)")
    for pool_id, secret_arn in sources:
        password = _passwords(secrets, secret_arn).get(username)
        if password is None:
            continue
        if not isinstance(password, str):
            raise SignInError(f"the passwords secret {secret_arn} holds no string for {username}")
        return Account(username, pool_id, secret_arn), password
    names = ", ".join(arn for _, arn in sources)
    raise SignInError(
        f"no password for {username} in the passwords secrets of the deployed imports ({names})"
    )


def password_client(cognito: Any, pool_id: str) -> tuple[str, str | None]:
    """A client of the pool that allows ADMIN_USER_PASSWORD_AUTH: its id and secret (None without one)."""
    clients = []
    for page in cognito.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id):
        clients.extend(page.get("UserPoolClients", []))
    for summary in clients:
        client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=summary["ClientId"])
        settings = client["UserPoolClient"]
        if PASSWORD_FLOW_SETTINGS.intersection(settings.get("ExplicitAuthFlows") or ()):
            return str(settings["ClientId"]), settings.get("ClientSecret")
    raise SignInError(
        f"no client of pool {pool_id} allows {PASSWORD_FLOW} (ExplicitAuthFlows "
        "ALLOW_ADMIN_USER_PASSWORD_AUTH; in the CDK: auth_flows=AuthFlow(admin_user_password=True))"
    )


def secret_hash(client_secret: str, client_id: str, username: str) -> str:
    """Cognito's SECRET_HASH: Base64(HMAC-SHA256(client secret, username + client id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def shortened(token: str) -> str:
    """A token as it may be shown: its first characters and its length."""
    return f"{token[:SHOWN_TOKEN_CHARACTERS]}...({len(token)} chars)"


def sign_in(clients: Any, states: Iterable[StackState], username: str) -> list[str]:
    """Sign in as username; the lines that say so. clients: service name -> client on the emulator."""
    account, password = find_account(states, username, clients("secretsmanager"))
    cognito = clients("cognito-idp")
    try:
        client_id, client_secret = password_client(cognito, account.pool_id)
        parameters = {"USERNAME": username, "PASSWORD": password}
        if client_secret:
            parameters["SECRET_HASH"] = secret_hash(client_secret, client_id, username)
        answer = cognito.admin_initiate_auth(
            UserPoolId=account.pool_id, ClientId=client_id, AuthFlow=PASSWORD_FLOW, AuthParameters=parameters
        )
    except (ClientError, BotoCoreError) as error:
        raise SignInError(error_message(error)) from None
    tokens = answer.get("AuthenticationResult")
    if not tokens:
        raise SignInError(f"{PASSWORD_FLOW} answered the challenge {answer.get('ChallengeName')}, not tokens")
    secret_name = account.secret_arn.split(":secret:")[-1]
    return [
        f"Signing in as {username} ({PASSWORD_FLOW}): pool {account.pool_id}, client {client_id}, "
        f"the password in secret {secret_name}",
        f"Signed in as {username}: access token {shortened(str(tokens['AccessToken']))}",
    ]
