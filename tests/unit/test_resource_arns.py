"""The emulator's request -> (action, resource) mapping for the S3 and Lambda REST calls the handler and
crhelper make, read from the request line as AWS's Service Authorization Reference names them."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_user_import_emulator.resource_arns import Check, Names, checks_for, signed_request

ACCOUNT = "123456789012"
NAMES = Names(ACCOUNT, lambda region, secret: f"secret:{secret}", lambda region, key: f"key:{key}")


def request(
    service: str, method: str, path: str, query: str = "", body: bytes = b"", **headers: str
) -> list[Check]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_HOST": "127.0.0.1:2646",
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=ASIAX/20260101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host, Signature=0",
        **{"HTTP_" + name.upper(): value for name, value in headers.items()},
    }
    signed = signed_request(environ, body)
    assert signed is not None
    return checks_for(signed, NAMES)


@pytest.mark.parametrize(
    ("method", "path", "query", "action", "resource"),
    [
        ("GET", "/ledger/jobs/a.json", "", "s3:GetObject", "arn:aws:s3:::ledger/jobs/a.json"),
        ("HEAD", "/ledger/jobs/a.json", "", "s3:GetObject", "arn:aws:s3:::ledger/jobs/a.json"),
        ("GET", "/src/users.csv", "versionId=v1", "s3:GetObjectVersion", "arn:aws:s3:::src/users.csv"),
        ("PUT", "/ledger/requests/r1", "", "s3:PutObject", "arn:aws:s3:::ledger/requests/r1"),
        ("DELETE", "/ledger/a", "", "s3:DeleteObject", "arn:aws:s3:::ledger/a"),
        ("DELETE", "/ledger/a", "versionId=v1", "s3:DeleteObjectVersion", "arn:aws:s3:::ledger/a"),
        ("GET", "/ledger", "list-type=2&prefix=jobs%2F", "s3:ListBucket", "arn:aws:s3:::ledger"),
        ("HEAD", "/ledger", "", "s3:ListBucket", "arn:aws:s3:::ledger"),
        ("GET", "/ledger", "versions", "s3:ListBucketVersions", "arn:aws:s3:::ledger"),
        ("GET", "/ledger", "location", "s3:GetBucketLocation", "arn:aws:s3:::ledger"),
        ("PUT", "/ledger", "versioning", "s3:PutBucketVersioning", "arn:aws:s3:::ledger"),
        ("POST", "/ledger/big", "uploads", "s3:PutObject", "arn:aws:s3:::ledger/big"),
        ("PUT", "/ledger/big", "partNumber=1&uploadId=u", "s3:PutObject", "arn:aws:s3:::ledger/big"),
        ("GET", "/", "", "s3:ListAllMyBuckets", "*"),
    ],
)
def test_s3_requests(method: str, path: str, query: str, action: str, resource: str) -> None:
    assert request("s3", method, path, query) == [Check(action, (resource,))]


def test_a_conditional_put_is_still_put_object() -> None:
    checks = request("s3", "PUT", "/ledger/requests/r1", if_none_match="*")
    assert checks == [Check("s3:PutObject", ("arn:aws:s3:::ledger/requests/r1",))]


def test_delete_objects_is_delete_object_per_key_and_version() -> None:
    body = (
        b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object>'
        b"<Object><Key>b</Key><VersionId>v2</VersionId></Object></Delete>"
    )
    assert request("s3", "POST", "/ledger", "delete", body) == [
        Check("s3:DeleteObject", ("arn:aws:s3:::ledger/a",)),
        Check("s3:DeleteObjectVersion", ("arn:aws:s3:::ledger/b",)),
    ]


@pytest.mark.parametrize(
    ("method", "path", "action"),
    [
        ("GET", "/2015-03-31/functions/handler", "lambda:GetFunction"),
        ("POST", "/2015-03-31/functions/handler/policy", "lambda:AddPermission"),
        ("DELETE", "/2015-03-31/functions/handler/policy/poll", "lambda:RemovePermission"),
        ("POST", "/2015-03-31/functions/handler/invocations", "lambda:InvokeFunction"),
        ("GET", "/2015-03-31/functions/handler/configuration", "lambda:GetFunctionConfiguration"),
    ],
)
def test_lambda_requests(method: str, path: str, action: str) -> None:
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:handler"
    assert request("lambda", method, path) == [Check(action, (function,))]


def test_an_unmapped_lambda_call_is_authorized_on_anything() -> None:
    assert request("lambda", "PUT", "/2015-03-31/functions/handler/unknown") == [Check("lambda:*", ("*",))]


def test_unsigned_requests_are_not_authorized() -> None:
    assert signed_request({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, b"") is None


def test_virtual_hosted_addressing_reads_the_bucket_from_the_host() -> None:
    checks = request("s3", "GET", "/jobs/a.json", host="ledger.s3.us-east-1.amazonaws.com")
    assert checks == [Check("s3:GetObject", ("arn:aws:s3:::ledger/jobs/a.json",))]
