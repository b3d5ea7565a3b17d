"""AWS JSON-protocol checks made before moto sees a request, answered as AWS's front end answers them.

- A body that is not one JSON object: HTTP 400 ``SerializationException`` (moto would read it as
  empty and answer something misleading, or fail with HTML).
- A Cognito ``X-Amz-Target`` operation that Cognito does not have: HTTP 400
  ``UnknownOperationException`` (moto answers HTTP 500 with an HTML page).

Cognito's operation names come from botocore's service model, the same list the AWS SDKs use, plus
the emulator's own six; never from the handler's code.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import botocore.session

from .errors import json_error_response

#: The X-Amz-Target prefix of Cognito user pools; the operation name follows the dot.
COGNITO_TARGET_PREFIX = "AWSCognitoIdentityProviderService"

_JSON_CONTENT_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json")

WsgiAnswer = tuple[str, list[tuple[str, str]], bytes]


@dataclass(frozen=True)
class TargetedRequest:
    """An X-Amz-Target request that passed the checks: its service prefix, operation and parameters."""

    prefix: str
    operation: str
    params: dict[str, Any]

    @property
    def is_cognito(self) -> bool:
        return self.prefix == COGNITO_TARGET_PREFIX


@functools.cache
def cognito_operations() -> frozenset[str]:
    """Every operation Cognito user pools has (botocore's model), plus the emulator's import-job ones."""
    model = botocore.session.get_session().get_service_model("cognito-idp")
    own = {"GetCSVHeader", "CreateUserImportJob", "StartUserImportJob"}
    own |= {"DescribeUserImportJob", "ListUserImportJobs", "StopUserImportJob"}
    return frozenset(model.operation_names) | own


def check_targeted(target: str, content_type: str, body: bytes) -> TargetedRequest | WsgiAnswer:
    """The parsed request, or the complete error answer AWS would give it."""
    prefix, _, operation = target.rpartition(".")
    if prefix == COGNITO_TARGET_PREFIX and operation not in cognito_operations():
        return json_error_response(
            "UnknownOperationException", f"The operation {operation or '(none)'} is not known to {prefix}."
        )
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type and media_type not in _JSON_CONTENT_TYPES:
        # Not the JSON protocol (for example CBOR): moto's business, not checked here.
        return TargetedRequest(prefix, operation, {})
    try:
        params = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return json_error_response("SerializationException", "The request body is not valid JSON.")
    if not isinstance(params, dict):
        return json_error_response("SerializationException", "The request body must be a JSON object.")
    return TargetedRequest(prefix, operation, params)
