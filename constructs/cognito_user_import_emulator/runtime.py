"""What a request handled by moto needs from the emulator around it, passed in the WSGI environ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .jobs import JobStore
from .upload import UploadSigner

#: The WSGI environ key under which the middleware hands the Runtime to the patched moto methods.
ENVIRON_KEY = "cognito_user_import_emulator.runtime"


@dataclass(frozen=True)
class Runtime:
    store: JobStore
    signer: UploadSigner


def runtime_from(environ: dict[str, Any]) -> Runtime:
    runtime = environ.get(ENVIRON_KEY)
    if not isinstance(runtime, Runtime):
        # Plain moto (without the emulator's middleware) does not know the import-job operations.
        raise RuntimeError("the Cognito import-job operations need the emulator's WSGI middleware")
    return runtime
