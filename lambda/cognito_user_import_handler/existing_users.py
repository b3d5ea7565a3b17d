"""Which usernames a pool already holds, so a deployment imports only users that are new."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def alias_attributes(user_pool: Mapping[str, Any]) -> set[str]:
    # In pools that sign in with email or phone, Cognito's username is an opaque id and the
    # address is what a second import of the same person would collide with.
    aliases = set(user_pool.get("UsernameAttributes", [])) | set(user_pool.get("AliasAttributes", []))
    return aliases & {"email", "phone_number", "preferred_username"}


def _case_sensitive(user_pool: Mapping[str, Any]) -> bool:
    return bool(user_pool.get("UsernameConfiguration", {}).get("CaseSensitive", True))


def username_folder(user_pool: Mapping[str, Any]) -> Callable[[str], str]:
    """How the pool compares usernames: as written, or case-folded in case-insensitive pools."""
    return (lambda name: name) if _case_sensitive(user_pool) else str.casefold


class LookedUpUsernames:
    """Asks the pool about each name (ListUsers with a filter): cheaper than listing a large pool
    when only a few rows are new."""

    def __init__(self, cognito: CognitoIdentityProviderClient, user_pool: Mapping[str, Any]) -> None:
        self._cognito = cognito
        self._pool_id = str(user_pool["Id"])
        self._attributes = ["username", *sorted(alias_attributes(user_pool))]
        self.lookups = 0

    def __contains__(self, username: object) -> bool:
        if not isinstance(username, str):
            return False
        quoted = username.replace("\\", "\\\\").replace('"', '\\"')
        for attribute in self._attributes:
            self.lookups += 1
            page = self._cognito.list_users(
                UserPoolId=self._pool_id, Filter=f'{attribute} = "{quoted}"', Limit=1
            )
            if page.get("Users"):
                return True
        return False


class ExistingUsernames:
    """The names a row's cognito:username could collide with: usernames, plus aliases that sign in."""

    def __init__(self, names: set[str], *, case_sensitive: bool) -> None:
        self._names = names
        self._case_sensitive = case_sensitive

    def __contains__(self, username: object) -> bool:
        if not isinstance(username, str):
            return False
        return (username if self._case_sensitive else username.casefold()) in self._names

    def __len__(self) -> int:
        return len(self._names)

    @classmethod
    def load(cls, cognito: CognitoIdentityProviderClient, user_pool: Mapping[str, Any]) -> ExistingUsernames:
        """List the pool's users once (60 a page), keeping only the names needed for matching."""
        case_sensitive = _case_sensitive(user_pool)
        aliases = alias_attributes(user_pool)
        names: set[str] = set()
        fold = username_folder(user_pool)
        request: dict[str, Any] = {"UserPoolId": user_pool["Id"], "Limit": 60}
        if aliases:
            request["AttributesToGet"] = sorted(aliases)
        else:
            request["AttributesToGet"] = ["sub"]
        while True:
            page = cognito.list_users(**request)
            for user in page.get("Users", []):
                names.add(fold(user["Username"]))
                for attribute in user.get("Attributes", []):
                    if attribute["Name"] in aliases and attribute.get("Value"):
                        names.add(fold(attribute["Value"]))
            token = page.get("PaginationToken")
            if not token:
                return cls(names, case_sensitive=case_sensitive)
            request["PaginationToken"] = token
