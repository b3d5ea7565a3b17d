"""AWS JSON-protocol checks made before moto sees a request, answered as AWS's front end answers them.

- A body that is not one JSON object: HTTP 400 ``SerializationException`` (moto would read it as
  empty and answer something misleading, or fail with HTML).
- A Cognito ``X-Amz-Target`` operation that Cognito does not have: HTTP 400
  ``UnknownOperationException`` (moto answers HTTP 500 with an HTML page).
- A target with no dot, or one foreign to the service the request is signed for (its SigV4 credential
  scope, which on AWS picks the endpoint): HTTP 400 ``UnknownOperationException`` too, as each AWS
  JSON 1.1 endpoint answers a target it does not serve (moto answers HTML 404 or 500).

Cognito's operation names come from botocore's service model, the same list the AWS SDKs use, plus
the emulator's own six; never from the handler's code.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

import botocore.exceptions
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


@functools.cache
def _json_service_targets(signing_service: str) -> tuple[str, frozenset[str]] | None:
    """The target prefix and operations of the JSON-protocol service signed as ``signing_service``,
    or None for a service botocore does not know or one that takes no X-Amz-Target."""
    session = botocore.session.get_session()
    try:
        model = session.get_service_model(signing_service)
    except botocore.exceptions.UnknownServiceError:
        return None
    prefix = model.metadata.get("targetPrefix")
    if not prefix:
        return None
    operations = cognito_operations() if prefix == COGNITO_TARGET_PREFIX else frozenset(model.operation_names)
    return str(prefix), operations


def _is_unknown_target(prefix: str, operation: str, signing_service: str | None) -> bool:
    if not prefix:
        return True
    if prefix == COGNITO_TARGET_PREFIX:
        return operation not in cognito_operations()
    served = _json_service_targets(signing_service) if signing_service else None
    return served is not None and (prefix != served[0] or operation not in served[1])


def check_targeted(
    target: str, content_type: str, body: bytes, signing_service: str | None = None
) -> TargetedRequest | WsgiAnswer:
    """The parsed request, or the complete error answer AWS would give it. ``signing_service`` is the
    service of the request's credential scope, when it has one."""
    prefix, _, operation = target.rpartition(".")
    if _is_unknown_target(prefix, operation, signing_service):
        service = prefix or signing_service or "this endpoint"
        return json_error_response(
            "UnknownOperationException", f"The operation {operation or '(none)'} is not known to {service}."
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
