"""What a signed request asks IAM for: its action and the ARN of the resource it acts on.

The resource per operation follows AWS's Service Authorization Reference (docs/facts.md, "IAM
enforcement"). An operation this module does not map is authorized on ``*``: stricter than AWS for a
grant scoped to a resource, never more lenient.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.etree import ElementTree

from moto.kms.utils import _deserialize_ciphertext_blob
from moto.s3.responses import S3Response
from moto.s3.utils import bucket_name_from_url

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/")
_LAMBDA_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}/functions/?(?P<name>[^/]*)/?(?P<rest>.*)$")

#: Operations that are allowed whatever the policies say, as on AWS.
ALWAYS_ALLOWED = frozenset({"sts:GetCallerIdentity"})


@dataclass(frozen=True)
class Check:
    """One authorization: the action, and the resource readings (allowed if any reading is allowed;
    the first is the one a denial names)."""

    action: str
    resources: tuple[str, ...]


@dataclass(frozen=True)
class SignedRequest:
    access_key_id: str
    region: str
    service: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    target: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get("HTTP_" + name.upper().replace("-", "_"))


def signed_request(environ: dict[str, Any], body: bytes) -> SignedRequest | None:
    """The request's SigV4 identity and shape, or None when it is not signed (nothing to authorize)."""
    query = parse_qs(environ.get("QUERY_STRING") or "", keep_blank_values=True)
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION") or "")
    if match is None:
        credential = (query.get("X-Amz-Credential") or [""])[0]
        match = _CREDENTIAL.search("Credential=" + credential)
    if match is None:
        return None
    headers = {key: str(value) for key, value in environ.items() if key.startswith("HTTP_")}
    return SignedRequest(
        access_key_id=match.group(1),
        region=match.group(2),
        service=match.group(3),
        method=str(environ.get("REQUEST_METHOD") or "GET").upper(),
        path=str(environ.get("PATH_INFO") or "/"),
        query=query,
        headers=headers,
        body=body,
        target=str(environ.get("HTTP_X_AMZ_TARGET") or ""),
    )


@dataclass(frozen=True)
class Names:
    """Resolves a name the request uses to the ARN IAM sees (state lives in moto's backends)."""

    account_id: str
    secret_arn: Callable[[str, str], str]  # (region, secret id) -> ARN
    key_arn: Callable[[str, str], str]  # (region, key id, alias or ARN) -> ARN


def checks_for(request: SignedRequest, names: Names) -> list[Check]:
    """The authorizations the request needs (without the implicit ones, authorization.py adds them)."""
    if request.service == "s3":
        return s3_checks(request)
    if request.service == "lambda":
        return [lambda_check(request, names.account_id)]
    if request.service in ("iam", "sts"):
        return [query_protocol_check(request)]
    if request.target:
        operation = request.target.rsplit(".", 1)[-1]
        action = f"{request.service}:{operation}"
        return [Check(action, json_resources(request, action, names))]
    return [Check(f"{request.service}:*", ("*",))]


# ---- JSON 1.1 services (X-Amz-Target) --------------------------------------------------------------


def json_resources(request: SignedRequest, action: str, names: Names) -> tuple[str, ...]:
    params = request.params
    service, operation = action.split(":", 1)
    region, account = request.region, names.account_id
    if service == "cognito-idp":
        pool_id = params.get("UserPoolId")
        return (f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool_id}",) if pool_id else ("*",)
    if service == "logs":
        return logs_resources(region, account, operation, params)
    if service == "events":
        return events_resources(region, account, params)
    if service == "secretsmanager":
        secret = params.get("SecretId") or params.get("Name")
        return (names.secret_arn(region, str(secret)),) if secret else ("*",)
    if service == "kms":
        key = params.get("KeyId") or params.get("TargetKeyId") or _ciphertext_key(params)
        return (names.key_arn(region, str(key)),) if key else ("*",)
    return ("*",)


def _ciphertext_key(params: dict[str, Any]) -> str | None:
    """The key a ciphertext names (Decrypt without KeyId is authorized on it), in moto's blob format."""
    blob = params.get("CiphertextBlob") or params.get("SourceCiphertextBlob")
    if not isinstance(blob, str):
        return None
    try:
        return str(_deserialize_ciphertext_blob(base64.b64decode(blob)).key_id)
    except (ValueError, struct.error, UnicodeDecodeError):
        return None


#: Stream operations the Service Authorization Reference lists on the ``log-group`` resource type, while
#: AWS's denials name the stream: either reading counts.
_ON_GROUP_OR_STREAM = frozenset({"CreateLogStream", "DeleteLogStream"})


def logs_resources(region: str, account: str, operation: str, params: dict[str, Any]) -> tuple[str, ...]:
    """Stream operations on the stream's ARN; group operations on the group's ARN, or on the
    ``...:log-group:NAME:log-stream:`` form AWS's denials name. DescribeLogGroups, prefix or not: on
    ``...:log-group::log-stream:`` (what AWS's denials name) or ``*`` (the Service Authorization
    Reference lists no resource type). Each reading counts (docs/facts.md, "IAM enforcement")."""
    base = f"arn:aws:logs:{region}:{account}:log-group"
    group = params.get("logGroupName")
    if operation == "DescribeLogGroups":
        return (f"{base}::log-stream:", "*")
    if not group:
        return ("*",)
    stream = params.get("logStreamName")
    if stream and operation in _ON_GROUP_OR_STREAM:
        return (f"{base}:{group}:log-stream:{stream}", f"{base}:{group}")
    if stream:
        return (f"{base}:{group}:log-stream:{stream}",)
    return (f"{base}:{group}", f"{base}:{group}:log-stream:")


def events_resources(region: str, account: str, params: dict[str, Any]) -> tuple[str, ...]:
    rule = params.get("Rule") or params.get("Name")
    if not rule:
        return ("*",)
    if str(rule).startswith("arn:"):
        return (str(rule),)
    bus = str(params.get("EventBusName") or "default").rsplit("/", 1)[-1]
    path = f"rule/{rule}" if bus == "default" else f"rule/{bus}/{rule}"
    return (f"arn:aws:events:{region}:{account}:{path}",)


# ---- Lambda (REST-JSON) ----------------------------------------------------------------------------

_LAMBDA_ACTIONS = {
    ("GET", ""): "GetFunction",
    ("DELETE", ""): "DeleteFunction",
    ("POST", "invocations"): "InvokeFunction",
    ("POST", "policy"): "AddPermission",
    ("GET", "policy"): "GetPolicy",
    ("DELETE", "policy"): "RemovePermission",
    ("GET", "configuration"): "GetFunctionConfiguration",
    ("PUT", "configuration"): "UpdateFunctionConfiguration",
    ("PUT", "code"): "UpdateFunctionCode",
    ("POST", "versions"): "PublishVersion",
    ("GET", "versions"): "ListVersionsByFunction",
    ("GET", "url"): "GetFunctionUrlConfig",
    ("PUT", "concurrency"): "PutFunctionConcurrency",
}


def lambda_check(request: SignedRequest, account: str) -> Check:
    match = _LAMBDA_PATH.match(request.path)
    if match is None:
        return Check("lambda:*", ("*",))
    name, rest = match.group("name"), match.group("rest").split("/", 1)[0]
    if not name:
        if request.method == "POST":
            created = str(request.params.get("FunctionName") or "")
            return Check("lambda:CreateFunction", (_function_arn(request.region, account, created),))
        return Check("lambda:ListFunctions", ("*",))
    action = _LAMBDA_ACTIONS.get((request.method, rest))
    resource = _function_arn(request.region, account, name)
    return Check(f"lambda:{action}" if action else "lambda:*", (resource,) if action else ("*",))


def _function_arn(region: str, account: str, name: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"


# ---- IAM and STS (query protocol) ------------------------------------------------------------------


def query_protocol_check(request: SignedRequest) -> Check:
    form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    values = {key: items[0] for key, items in {**request.query, **form}.items() if items}
    action = f"{request.service}:{values.get('Action', '')}"
    if action == "sts:AssumeRole" and values.get("RoleArn"):
        return Check(action, (values["RoleArn"],))
    return Check(action, ("*",))


# ---- S3 (REST-XML) ---------------------------------------------------------------------------------

#: Bucket subresources: (method, query parameter) -> action.
_BUCKET_SUBRESOURCES = {
    ("GET", "versions"): "ListBucketVersions",
    ("GET", "location"): "GetBucketLocation",
    ("GET", "versioning"): "GetBucketVersioning",
    ("PUT", "versioning"): "PutBucketVersioning",
    ("GET", "encryption"): "GetEncryptionConfiguration",
    ("PUT", "encryption"): "PutEncryptionConfiguration",
    ("DELETE", "encryption"): "PutEncryptionConfiguration",
    ("GET", "policy"): "GetBucketPolicy",
    ("PUT", "policy"): "PutBucketPolicy",
    ("DELETE", "policy"): "DeleteBucketPolicy",
    ("GET", "tagging"): "GetBucketTagging",
    ("PUT", "tagging"): "PutBucketTagging",
    ("DELETE", "tagging"): "PutBucketTagging",
    ("GET", "acl"): "GetBucketAcl",
    ("PUT", "acl"): "PutBucketAcl",
    ("GET", "notification"): "GetBucketNotification",
    ("PUT", "notification"): "PutBucketNotification",
    ("GET", "publicAccessBlock"): "GetBucketPublicAccessBlock",
    ("PUT", "publicAccessBlock"): "PutBucketPublicAccessBlock",
    ("DELETE", "publicAccessBlock"): "PutBucketPublicAccessBlock",
    ("GET", "ownershipControls"): "GetBucketOwnershipControls",
    ("PUT", "ownershipControls"): "PutBucketOwnershipControls",
    ("GET", "lifecycle"): "GetLifecycleConfiguration",
    ("PUT", "lifecycle"): "PutLifecycleConfiguration",
    ("GET", "cors"): "GetBucketCORS",
    ("PUT", "cors"): "PutBucketCORS",
    ("GET", "uploads"): "ListBucketMultipartUploads",
}
_BUCKET_PLAIN = {"GET": "ListBucket", "HEAD": "ListBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}
_OBJECT_SUBRESOURCES = {
    ("GET", "tagging"): "GetObjectTagging",
    ("PUT", "tagging"): "PutObjectTagging",
    ("DELETE", "tagging"): "DeleteObjectTagging",
    ("GET", "acl"): "GetObjectAcl",
    ("PUT", "acl"): "PutObjectAcl",
    ("POST", "uploads"): "PutObject",
    ("PUT", "uploadId"): "PutObject",
    ("POST", "uploadId"): "PutObject",
    ("DELETE", "uploadId"): "AbortMultipartUpload",
    ("GET", "uploadId"): "ListMultipartUploadParts",
}
_OBJECT_PLAIN = {"GET": "GetObject", "HEAD": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject"}
#: Object operations that have a ``...Version`` action when the request names a version.
_VERSIONED = frozenset({"GetObject", "DeleteObject", "GetObjectTagging", "PutObjectTagging", "GetObjectAcl"})


def s3_bucket_and_key(request: SignedRequest) -> tuple[str, str]:
    """The bucket and key, addressed as moto reads them: path style (``/bucket/key``, what boto3 uses
    with an endpoint URL on an IP address or localhost) or virtual-hosted (``bucket.host/key``)."""
    host = request.header("host") or ""
    if S3Response.subdomain_based_buckets(SimpleNamespace(headers={"host": host}, url=f"http://{host}/")):
        bucket = bucket_name_from_url(f"http://{host}/")
        if bucket:
            return bucket, request.path.lstrip("/")
    bucket, _, key = request.path.lstrip("/").partition("/")
    return bucket, key


def s3_checks(request: SignedRequest) -> list[Check]:
    bucket, key = s3_bucket_and_key(request)
    if not bucket:
        return [Check("s3:ListAllMyBuckets", ("*",))]
    if key:
        return [_object_check(request, bucket, key), *_copy_source(request)]
    if request.method == "POST" and "delete" in request.query:
        keys = _deleted_keys(request.body)
        return [_s3(_versioned("DeleteObject", version), f"{bucket}/{name}") for name, version in keys]
    for (method, name), action in _BUCKET_SUBRESOURCES.items():
        if method == request.method and name in request.query:
            return [_s3(action, bucket)]
    return [_s3(_BUCKET_PLAIN.get(request.method, "*"), bucket)]


def _object_check(request: SignedRequest, bucket: str, key: str) -> Check:
    resource = f"{bucket}/{key}"
    for (method, name), action in _OBJECT_SUBRESOURCES.items():
        if method == request.method and name in request.query:
            return _s3(_versioned(action, request.query_value("versionId")), resource)
    operation = _OBJECT_PLAIN.get(request.method, "*")
    return _s3(_versioned(operation, request.query_value("versionId")), resource)


def _copy_source(request: SignedRequest) -> list[Check]:
    """A copy (``x-amz-copy-source: bucket/key[?versionId=...]``) also reads its source."""
    source = request.header("x-amz-copy-source")
    if request.method != "PUT" or not source:
        return []
    path, _, query = unquote(source).lstrip("/").partition("?")
    version = parse_qs(query).get("versionId", [None])[0]
    return [_s3(_versioned("GetObject", version), path)]


def _versioned(action: str, version_id: str | None) -> str:
    return f"{action}Version" if version_id and action in _VERSIONED else action


def _s3(action: str, resource: str) -> Check:
    return Check(f"s3:{action}", (f"arn:aws:s3:::{resource}",))


def _deleted_keys(body: bytes) -> list[tuple[str, str | None]]:
    """The (key, version id) pairs of a DeleteObjects body."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return []
    found: list[tuple[str, str | None]] = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] != "Object":
            continue
        values = {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in element}
        found.append((values.get("Key", ""), values.get("VersionId") or None))
    return found
