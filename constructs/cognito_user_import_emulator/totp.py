"""Time-based one-time passwords as Cognito's software-token MFA uses them (RFC 6238 over RFC 4226):
HMAC-SHA1, 30-second steps from the Unix epoch, 6 digits, a code of the step before or after accepted
for clock drift. Standard library only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of the current one whose code is still accepted (clock drift).
DRIFT_STEPS = 1
#: 20 random bytes, the HMAC-SHA1 key length RFC 4226 recommends: 32 base32 characters, no padding.
SECRET_BYTES = 20


def new_secret() -> str:
    """A fresh shared secret, base32 as AssociateSoftwareToken's SecretCode."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def code_at(secret: str, unix_time: float) -> str:
    """The code of the 30-second step that holds ``unix_time``."""
    counter = int(unix_time // STEP_SECONDS)
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def verifies(secret: str, code: str, now: float | None = None) -> bool:
    """Whether ``code`` is the code of the current step, or of one step before or after it."""
    if len(code) != DIGITS or not code.isdigit():
        return False
    at = time.time() if now is None else now
    steps = range(-DRIFT_STEPS, DRIFT_STEPS + 1)
    return any(hmac.compare_digest(code_at(secret, at + k * STEP_SECONDS), code) for k in steps)
