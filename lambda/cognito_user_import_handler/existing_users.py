"""Which usernames a pool already holds, so a deployment imports only users that are new."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cognito_user_csv.username_index import UsernameIndex

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


def find_user(
    cognito: CognitoIdentityProviderClient, user_pool: Mapping[str, Any], name: str
) -> Mapping[str, Any] | None:
    """The user with this username, or with it as a sign-in alias: ListUsers with a filter, one call
    an attribute, never AdminGetUser (which counts as a monthly active user)."""
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    for attribute in ["username", *sorted(alias_attributes(user_pool))]:
        page = cognito.list_users(
            UserPoolId=str(user_pool["Id"]), Filter=f'{attribute} = "{quoted}"', Limit=1
        )
        for user in page.get("Users", []):
            return user
    return None


def list_users(
    cognito: CognitoIdentityProviderClient, user_pool: Mapping[str, Any], **request: Any
) -> Iterator[Mapping[str, Any]]:
    """Every user of the pool, 60 a page."""
    request = {"UserPoolId": user_pool["Id"], "Limit": 60, **request}
    while True:
        page = cognito.list_users(**request)
        yield from page.get("Users", [])
        token = page.get("PaginationToken")
        if not token:
            return
        request["PaginationToken"] = token


class LookedUpUsernames:
    """Asks the pool about each name (ListUsers with a filter): cheaper than listing a large pool
    when only a few rows are new."""

    def __init__(self, cognito: CognitoIdentityProviderClient, user_pool: Mapping[str, Any]) -> None:
        self._cognito = cognito
        self._pool = user_pool

    def __contains__(self, username: object) -> bool:
        return isinstance(username, str) and find_user(self._cognito, self._pool, username) is not None


class ExistingUsernames:
    """The names a row's cognito:username could collide with: usernames, plus aliases that sign in.

    Held as 64-bit hashes (UsernameIndex), not strings: a pool of 500,000 users costs about 12 MB
    instead of about 45 MB, which keeps a deploy into a full pool inside the handler's memory budget.
    """

    def __init__(self, names: UsernameIndex, fold: Callable[[str], str]) -> None:
        self._names = names
        self._fold = fold

    def __contains__(self, username: object) -> bool:
        return isinstance(username, str) and self._fold(username) in self._names

    def __len__(self) -> int:
        return len(self._names)

    @classmethod
    def load(cls, cognito: CognitoIdentityProviderClient, user_pool: Mapping[str, Any]) -> ExistingUsernames:
        """List the pool's users once (60 a page), keeping only the names needed for matching."""
        aliases = alias_attributes(user_pool)
        fold = username_folder(user_pool)
        names = UsernameIndex()
        to_get = sorted(aliases) if aliases else ["sub"]
        for user in list_users(cognito, user_pool, AttributesToGet=to_get):
            names.add(fold(user["Username"]), 0)
            for attribute in user.get("Attributes", []):
                if attribute["Name"] in aliases and attribute.get("Value"):
                    names.add(fold(attribute["Value"]), 0)
        return cls(names, fold)


class CurrentAttributes:
    """The attributes existing users hold, for ExistingUsers.UPDATE to compare the file's values with.

    A few users are looked up one by one (ListUsers with a filter); many are read in one listing of
    the pool, keeping only the users asked about. Never AdminGetUser: it counts as a monthly active user.
    """

    def __init__(
        self, cognito: CognitoIdentityProviderClient, user_pool: Mapping[str, Any], wanted: set[str]
    ) -> None:
        self._cognito = cognito
        self._pool = user_pool
        self._fold = username_folder(user_pool)
        self._listed: dict[str, dict[str, str]] | None = None
        estimated_users = int(user_pool.get("EstimatedNumberOfUsers", 0))
        if len(wanted) > estimated_users // 60 + 1:
            self._listed = self._list({self._fold(name) for name in wanted})

    def __call__(self, username: str) -> dict[str, str]:
        if self._listed is not None:
            return self._listed.get(self._fold(username), {})
        user = find_user(self._cognito, self._pool, username)
        return _attributes(user) if user is not None else {}

    def _list(self, wanted: set[str]) -> dict[str, dict[str, str]]:
        aliases = alias_attributes(self._pool)
        found: dict[str, dict[str, str]] = {}
        for user in list_users(self._cognito, self._pool):
            values = _attributes(user)
            keys = [user["Username"], *(values[a] for a in aliases if values.get(a))]
            for key in {self._fold(k) for k in keys} & wanted:
                found[key] = values
        return found


def _attributes(user: Mapping[str, Any]) -> dict[str, str]:
    return {str(a["Name"]): str(a.get("Value", "")) for a in user.get("Attributes", [])}
