"""A local Cognito user-import-job emulator on moto server (see the README's "Local emulator").

Names are imported on first use, so that ``cognito_user_import_emulator.cli_help`` can be read without
loading moto.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .control import EmulatorControl, EmulatorControlError
    from .errors import ACTIVE_JOB_LIMIT_ERROR
    from .faults import Faults
    from .server import Emulator
    from .settings import EmulatorSettings

_EXPORTS = {
    "ACTIVE_JOB_LIMIT_ERROR": "errors",
    "Emulator": "server",
    "EmulatorControl": "control",
    "EmulatorControlError": "control",
    "EmulatorSettings": "settings",
    "Faults": "faults",
}

__all__ = [
    "ACTIVE_JOB_LIMIT_ERROR",
    "Emulator",
    "EmulatorControl",
    "EmulatorControlError",
    "EmulatorSettings",
    "Faults",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
