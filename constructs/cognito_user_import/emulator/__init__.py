"""A local Cognito user-import-job emulator on moto server (see the README's "Local emulator")."""

from .control import EmulatorControl, EmulatorControlError
from .errors import ACTIVE_JOB_LIMIT_ERROR
from .faults import Faults
from .server import Emulator
from .settings import EmulatorSettings

__all__ = [
    "ACTIVE_JOB_LIMIT_ERROR",
    "Emulator",
    "EmulatorControl",
    "EmulatorControlError",
    "EmulatorSettings",
    "Faults",
]
