"""Case-insensitive user pools (``UsernameConfiguration.CaseSensitive`` false, CDK
``sign_in_case_sensitive=False``): every username lookup folds case, as Cognito does, and answers with
the spelling the user was created with. moto 5.2.5 compares usernames exactly in every pool.

moto looks users up by ``pool.users[name]``, ``pool.users.get(name)`` and ``name in pool.users``
(AdminGetUser, AdminSetUserPassword, AdminUpdateUserAttributes, the group calls, AdminDisableUser,
AdminEnableUser, AdminDeleteUser, AdminCreateUser's existence check, sign-in). A case-insensitive pool's
``users`` becomes a FoldingUsers, so each of those folds without patching each operation; keys and
``Username`` stay as stored. Case-sensitive pools keep moto's plain dict and stay exact.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool

_PATCH_MARK = "_cognito_user_import_emulator_username_case"
_MISSING = object()


def fold(username: str) -> str:
    # Cognito's exact folding is unpublished; lower() is the plain reading of "case-insensitive", and
    # the one pool_rules.PoolNames uses for an import's rows.
    return username.lower()


def is_case_insensitive(extended_config: dict[str, Any]) -> bool:
    """A pool created without UsernameConfiguration compares usernames as written (the API's default)."""
    return (extended_config.get("UsernameConfiguration") or {}).get("CaseSensitive", True) is False


class FoldingUsers(OrderedDict[str, CognitoIdpUser]):
    """A pool's users by their stored username; looking one up ignores case."""

    def __init__(self, items: Iterable[tuple[str, CognitoIdpUser]] = ()) -> None:
        super().__init__()
        self._stored: dict[str, str] = {}
        for name, user in items:
            self[name] = user

    def _stored_name(self, name: object) -> object:
        return self._stored.get(fold(name), name) if isinstance(name, str) else name

    def __setitem__(self, name: str, user: CognitoIdpUser) -> None:
        stored = self._stored.setdefault(fold(name), name)
        super().__setitem__(stored, user)

    def __getitem__(self, name: str) -> CognitoIdpUser:
        return super().__getitem__(self._stored_name(name))  # type: ignore[index]

    def __contains__(self, name: object) -> bool:
        return super().__contains__(self._stored_name(name))

    def __delitem__(self, name: str) -> None:
        stored = self._stored_name(name)
        super().__delitem__(stored)  # type: ignore[arg-type]
        self._stored.pop(fold(str(stored)), None)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(self._stored_name(name), default)  # type: ignore[call-overload]

    def pop(self, name: str, default: Any = _MISSING) -> Any:  # type: ignore[override]
        stored = self._stored_name(name)
        if stored not in self.keys():
            if default is _MISSING:
                raise KeyError(name)
            return default
        user = super().__getitem__(stored)  # type: ignore[index]
        del self[str(stored)]
        return user

    def clear(self) -> None:
        super().clear()
        self._stored.clear()


def _pool_init(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def init(self: CognitoIdpUserPool, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if is_case_insensitive(self.extended_config):
            self.users = FoldingUsers(self.users.items())

    setattr(init, _PATCH_MARK, True)
    return init


def install() -> None:
    """Patch moto's user pool class; safe to call more than once."""
    if not getattr(CognitoIdpUserPool.__init__, _PATCH_MARK, False):
        CognitoIdpUserPool.__init__ = _pool_init(CognitoIdpUserPool.__init__)  # type: ignore[method-assign]
