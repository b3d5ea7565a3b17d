"""Faster CreateUserPool: moto imports (and validates) the same RSA private key for every new pool,
about 0.3 s each; the emulator imports it once and shares it, as moto already shares the key itself."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace
from typing import Any

import moto.cognitoidp.models as cognito_models
from joserfc import jwk

_cache: dict[str, Any] = {}
_lock = threading.Lock()


def _import_key(value: Any, *args: Any, **kwargs: Any) -> Any:
    key = json.dumps(value, sort_keys=True, default=str) if not args and not kwargs else None
    if key is None:
        return jwk.RSAKey.import_key(value, *args, **kwargs)
    with _lock:
        if key not in _cache:
            _cache[key] = jwk.RSAKey.import_key(value)
        return _cache[key]


def install() -> None:
    """Point moto's Cognito models at a jwk whose RSAKey.import_key is cached; idempotent."""
    if getattr(getattr(cognito_models, "jwk", None), "_cognito_user_import_cached", False):
        return
    rsa_key = SimpleNamespace(import_key=_import_key)
    setattr(cognito_models, "jwk", SimpleNamespace(RSAKey=rsa_key, _cognito_user_import_cached=True))  # noqa: B010
