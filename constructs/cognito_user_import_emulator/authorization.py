"""IAM for role sessions: a request signed with credentials from ``sts:AssumeRole`` is authorized
against the role's identity policies (inline and attached) with moto's own evaluator
(``moto.iam.access_control.IAMPolicy``). An explicit Deny wins; no Allow means denied.

Requests signed with any other credentials (the emulator's plain test keys) are not checked. The
request -> (action, resource) mapping is resource_arns.py; the implicit permissions (KMS behind a secret
or an S3 object, ``iam:PassRole`` for an import job's logs role) are added here because they depend on
moto's state. Not modelled: SCPs, permission boundaries, session policies, resource policies, and
conditions (moto's evaluator treats a condition without a value in the request as met; it also reads a
``NotResource`` statement as allowing every resource, whatever its Effect).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from moto.iam.access_control import AssumedRoleAccessKey, IAMPolicy, PermissionResult
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.s3.models import FakeDeleteMarker, s3_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sts.models import sts_backends

from .errors import json_error_response, s3_error_response
from .protocol import WsgiAnswer
from .resource_arns import (
    ALWAYS_ALLOWED,
    Check,
    Names,
    SignedRequest,
    checks_for,
    s3_bucket_and_key,
    signed_request,
)
from .settings import EmulatorSettings

PARTITION = "aws"
_JSON_SERVICES = frozenset({"cognito-idp", "logs", "events", "secretsmanager", "kms"})


@dataclass(frozen=True)
class Session:
    """An assumed-role session: who signs, and the account its role lives in."""

    account_id: str
    role_name: str
    arn: str
    policies: tuple[Any, ...]


@dataclass(frozen=True)
class Denial:
    action: str
    resource: str
    explicit: bool

    def message(self, principal_arn: str) -> str:
        why = (
            "with an explicit deny in an identity-based policy"
            if self.explicit
            else f"because no identity-based policy allows the {self.action} action"
        )
        return (
            f"User: {principal_arn} is not authorized to perform: {self.action} "
            f"on resource: {self.resource} {why}"
        )


def evaluate(policies: Iterable[Any], check: Check) -> Denial | None:
    """moto's verdict over every policy and resource reading: None when allowed, else the denial."""
    if check.action in ALWAYS_ALLOWED:
        return None
    documents = [IAMPolicy(policy) for policy in policies]
    permitted = False
    for resource in check.resources:
        for document in documents:
            result = document.is_action_permitted(check.action, resource)
            if result == PermissionResult.DENIED:
                return Denial(check.action, resource, explicit=True)
            permitted = permitted or result == PermissionResult.PERMITTED
    return None if permitted else Denial(check.action, check.resources[0], explicit=False)


def find_session(access_key_id: str) -> Session | None:
    """The assumed-role session these credentials belong to, or None (plain credentials)."""
    for account_id in list(sts_backends.keys()):
        backend = sts_backends[account_id][PARTITION]
        assumed = backend.get_assumed_role_from_access_key(access_key_id)
        if assumed is None:
            continue
        key = AssumedRoleAccessKey(
            account_id, PARTITION, access_key_id, {"X-Amz-Security-Token": assumed.session_token}
        )
        try:
            policies = tuple(key.collect_policies())
        except Exception:  # the role is gone: nothing allows anything
            policies = ()
        return Session(account_id, assumed.role_arn.split("/")[-1], assumed.arn, policies)
    return None


def role_policies(account_id: str, role_arn: str) -> tuple[Any, ...]:
    """The identity policies (inline and attached) of a role, for checks made on Cognito's side."""
    backend = iam_backends[account_id][PARTITION]
    role = next((r for r in backend.roles.values() if r.arn == role_arn), None)
    if role is None:
        return ()
    inline = [backend.get_role_policy(role.name, name)[1] for name in backend.list_role_policies(role.name)]
    attached, _ = backend.list_attached_role_policies(role.name)
    return (*inline, *attached)


class Authorizer:
    """Answers a role session's request that its policies do not allow; None lets it through."""

    def __init__(self, settings: EmulatorSettings, lock: threading.RLock) -> None:
        self._settings = settings
        self._lock = lock

    def refusal(self, environ: dict[str, Any], body: bytes) -> WsgiAnswer | None:
        if not self._settings.enforce_iam:
            return None
        request = signed_request(environ, body)
        if request is None:
            return None
        # moto's models are not thread-safe: its IAM/STS/KMS/S3 state is read under the store's lock.
        with self._lock:
            session = find_session(request.access_key_id)
            if session is None:
                return None
            if request.service != "s3":  # an S3 body is an object, not parameters
                request = dataclasses.replace(request, params=_json_params(body))
            names = Names(
                session.account_id,
                lambda region, secret: secret_arn(session.account_id, region, secret),
                lambda region, key: key_arn(session.account_id, region, key),
            )
            checks = checks_for(request, names) + implicit_checks(request, session.account_id)
            for check in checks:
                denial = evaluate(session.policies, check)
                if denial is not None:
                    return denied_answer(request.service, denial.message(session.arn))
        return None


def _json_params(body: bytes) -> dict[str, Any]:
    if not body.lstrip().startswith(b"{"):
        return {}  # not JSON (XML, a form, a file): nothing the mapping reads
    try:
        params = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return params if isinstance(params, dict) else {}


# ---- names to ARNs (called under the lock) ---------------------------------------------------------


def secret_arn(account_id: str, region: str, secret_id: str) -> str:
    if secret_id.startswith("arn:"):
        return secret_id
    secret = secretsmanager_backends[account_id][region].secrets.get(secret_id)
    if secret is not None:
        return str(secret.arn)
    # A secret that does not exist yet (CreateSecret): its ARN ends in six random characters.
    return f"arn:aws:secretsmanager:{region}:{account_id}:secret:{secret_id}-??????"


def _kms_key(account_id: str, region: str, key_id: str) -> Any:
    backend = kms_backends[account_id][region]
    try:
        return backend.keys.get(backend.any_id_to_key_id(key_id))
    except Exception:  # an unknown alias
        return None


def key_arn(account_id: str, region: str, key_id: str) -> str:
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    key = _kms_key(account_id, region, key_id)
    if key is not None:
        return str(key.arn)
    if key_id.startswith("arn:"):
        return key_id
    return f"arn:aws:kms:{region}:{account_id}:{key_id if key_id.startswith('alias/') else 'key/' + key_id}"


def _customer_key_arn(account_id: str, region: str, key_id: str | None) -> str | None:
    """The ARN of a customer-managed key; None for no key or an AWS-managed one (``aws/...``),
    whose key policy lets the account's principals use it through the service."""
    if not key_id or key_id.startswith("alias/aws/"):
        return None
    key = _kms_key(account_id, region, key_id)
    if key is not None and getattr(key, "key_manager", "CUSTOMER") != "CUSTOMER":
        return None
    return key_arn(account_id, region, key_id)


# ---- implicit permissions --------------------------------------------------------------------------


def implicit_checks(request: SignedRequest, account_id: str) -> list[Check]:
    """What the operation needs besides its own action (docs/facts.md, "IAM enforcement")."""
    operation = request.target.rsplit(".", 1)[-1]
    region = request.region
    if request.service == "secretsmanager" and operation == "GetSecretValue":
        return _secret_decrypt(account_id, region, str(request.params.get("SecretId") or ""))
    if request.service == "cognito-idp" and operation == "CreateUserImportJob":
        role = request.params.get("CloudWatchLogsRoleArn")
        return [Check("iam:PassRole", (str(role),))] if role else []
    if request.service == "s3":
        return _s3_implicit(request, account_id)
    return []


def _secret_decrypt(account_id: str, region: str, secret_id: str) -> list[Check]:
    secret = secretsmanager_backends[account_id][region].secrets.get(secret_id) if secret_id else None
    key = _customer_key_arn(account_id, region, getattr(secret, "kms_key_id", None))
    return [Check("kms:Decrypt", (key,))] if key else []


def _s3_implicit(request: SignedRequest, account_id: str) -> list[Check]:
    """KMS behind an SSE-KMS object, and ``s3:ListBucket`` to learn that a key does not exist: without
    it S3 answers a GET or HEAD of a missing key 403, not 404 (S3 API reference, GetObject and
    HeadObject, "Permissions")."""
    bucket_name, key_name = s3_bucket_and_key(request)
    if not key_name or set(request.query) - {"versionId", "x-id"} - _PRESIGN_PARAMS:
        return []  # bucket operations and subresources (tagging, acl, multipart parts) need no key
    bucket = s3_backends[account_id][PARTITION].buckets.get(bucket_name)
    if bucket is None:
        return []
    if request.method in ("GET", "HEAD"):
        version_id = request.query_value("versionId")
        stored = _stored_object(bucket, key_name, version_id)
        if (stored is None or isinstance(stored, FakeDeleteMarker)) and version_id is None:
            return [Check("s3:ListBucket", (f"arn:aws:s3:::{bucket_name}",))]
        if request.method == "HEAD" or getattr(stored, "encryption", None) != "aws:kms":
            return []
        key = _customer_key_arn(account_id, request.region, getattr(stored, "kms_key_id", None))
        return [Check("kms:Decrypt", (key,))] if key else []
    if request.method == "PUT" and not request.header("x-amz-copy-source"):
        algorithm, key_id = _put_encryption(request, bucket)
        key = _customer_key_arn(account_id, request.region, key_id) if algorithm == "aws:kms" else None
        return [Check("kms:GenerateDataKey", (key,))] if key else []
    return []


_PRESIGN_PARAMS = frozenset(
    {
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
        "X-Amz-Security-Token",
    }
)


def _stored_object(bucket: Any, key_name: str, version_id: str | None) -> Any:
    if version_id is None:
        return bucket.keys.get(key_name)
    return next(
        (v for v in bucket.keys.getlist(key_name, default=[]) if str(v.version_id) == version_id), None
    )


def _put_encryption(request: SignedRequest, bucket: Any) -> tuple[str | None, str | None]:
    """The SSE algorithm and KMS key of a PutObject: its headers, else the bucket's default."""
    algorithm = request.header("x-amz-server-side-encryption")
    if algorithm:
        return algorithm, request.header("x-amz-server-side-encryption-aws-kms-key-id")
    rules = (bucket.encryption or {}).get("Rule") or {}
    rule = rules[0] if isinstance(rules, list) and rules else rules
    default = rule.get("ApplyServerSideEncryptionByDefault") or {} if isinstance(rule, dict) else {}
    return default.get("SSEAlgorithm"), default.get("KMSMasterKeyID")


# ---- the answer per protocol -----------------------------------------------------------------------


def denied_answer(service: str, message: str) -> WsgiAnswer:
    """AccessDenied as the service's protocol shapes it (checked against botocore's parsers)."""
    if service in _JSON_SERVICES:
        return json_error_response("AccessDeniedException", message, 400)
    if service == "lambda":
        status, headers, body = json_error_response("AccessDeniedException", message, 403)
        return status, [(k, "application/json" if k == "Content-Type" else v) for k, v in headers], body
    if service == "s3":
        return s3_error_response(403, "AccessDenied", message)
    return _query_error(message)


def _query_error(message: str) -> WsgiAnswer:
    body = (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
        f"<Code>AccessDenied</Code><Message>{escape(message)}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()
    headers = [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))]
    return "403 Forbidden", headers, body
