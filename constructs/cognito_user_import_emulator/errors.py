"""The errors the emulator answers with: Cognito's JSON errors and S3's XML errors, shaped like AWS's."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from moto.core.exceptions import JsonRESTError

#: The error a second concurrent StartUserImportJob gets. AWS documents "only one import job can be
#: active at a time per account" but not the error; LimitExceededException is the emulator's guess.
#: Change it here only: the operations and the tests read this constant.
ACTIVE_JOB_LIMIT_ERROR = "LimitExceededException"

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


class CognitoError(JsonRESTError):
    """A Cognito error: HTTP 400 (500 for InternalErrorException) with ``{"__type", "message"}``."""

    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(error_type, message)
        self.code = status
        self.content_type = JSON_CONTENT_TYPE


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


def not_found(message: str) -> CognitoError:
    return CognitoError("ResourceNotFoundException", message)


def precondition_not_met(message: str) -> CognitoError:
    return CognitoError("PreconditionNotMetException", message)


def json_error_response(
    error_type: str, message: str, status: int = 400
) -> tuple[str, list[tuple[str, str]], bytes]:
    """A complete WSGI answer (status line, headers, body) for a Cognito-style JSON error."""
    body = json.dumps({"__type": error_type, "message": message}).encode()
    headers = [
        ("Content-Type", JSON_CONTENT_TYPE),
        ("X-Amzn-ErrorType", error_type),
        ("x-amzn-RequestId", str(uuid.uuid4())),
        ("Content-Length", str(len(body))),
    ]
    return f"{status} {_REASONS.get(status, 'Error')}", headers, body


def s3_error_response(
    status: int, code: str, message: str, extra: dict[str, str] | None = None
) -> tuple[str, list[tuple[str, str]], bytes]:
    """A complete WSGI answer for an S3-style XML error, as the pre-signed URL's bucket would send."""
    request_id = uuid.uuid4().hex[:16].upper()
    fields = {"Code": code, "Message": message, **(extra or {}), "RequestId": request_id}
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()
    headers = [
        ("Content-Type", "application/xml"),
        ("x-amz-request-id", request_id),
        ("Content-Length", str(len(body))),
    ]
    return f"{status} {_REASONS.get(status, 'Error')}", headers, body


_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}
