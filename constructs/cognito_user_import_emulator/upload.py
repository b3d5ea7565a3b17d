"""The pre-signed upload URL: minting it, and serving the PUT as Cognito's S3 bucket would.

The path prefix starts with an underscore, which no S3 bucket name can, so it never collides with
moto's own S3. The body is read from wsgi.input directly, so any Content-Type keeps every byte
(moto's S3 stores 0 bytes for a form content type; docs/facts.md, "This toolchain").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, quote

from .errors import s3_error_response

UPLOAD_PREFIX = "/_cognito-import-upload/"
SSE_HEADER = "x-amz-server-side-encryption"
SSE_VALUE = "aws:kms"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiResult = Iterable[bytes]


class UploadSigner:
    """Signs upload URLs with a per-emulator secret, so an edited URL fails like a forged one."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def signature(self, job_id: str, amz_date: str, expires: str) -> str:
        message = f"{job_id}\n{amz_date}\n{expires}\nhost;{SSE_HEADER}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, base_url: str, account_id: str, region: str, pool_id: str, job_id: str, ttl: float) -> str:
        now = time.gmtime()
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", now)
        expires = str(int(ttl))
        credential = quote(f"ASIAEMULATOR/{time.strftime('%Y%m%d', now)}/{region}/s3/aws4_request", safe="")
        query = (
            f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={amz_date}"
            f"&X-Amz-SignedHeaders=host%3B{SSE_HEADER}&X-Amz-Expires={expires}"
            f"&X-Amz-Credential={credential}&X-Amz-Signature={self.signature(job_id, amz_date, expires)}"
        )
        return f"{base_url}{UPLOAD_PREFIX}{account_id}/{pool_id}/{job_id}?{query}"

    def valid(self, job_id: str, query: dict[str, list[str]]) -> bool:
        def one(name: str) -> str:
            return (query.get(name) or [""])[0]

        expected = self.signature(job_id, one("X-Amz-Date"), one("X-Amz-Expires"))
        return hmac.compare_digest(expected, one("X-Amz-Signature"))


class UploadTarget:
    """What the upload handler needs to know about a job (kept abstract to avoid a jobs import cycle)."""

    def __init__(
        self,
        expires_at: Callable[[str], float | None],
        store: Callable[[str, bytes], None],
        take_failure: Callable[[], bool],
    ) -> None:
        self.expires_at = expires_at
        self.store = store
        self.take_failure = take_failure


def read_body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit():
        return bytes(stream.read(int(length)))
    if environ.get("wsgi.input_terminated"):  # chunked upload, already de-chunked by werkzeug
        return bytes(stream.read())
    return b""


def handle_upload(
    environ: dict[str, Any], start_response: StartResponse, signer: UploadSigner, target: UploadTarget
) -> WsgiResult:
    method = environ.get("REQUEST_METHOD", "GET")
    body = read_body(environ) if method == "PUT" else b""
    job_id = environ.get("PATH_INFO", "").rstrip("/").rsplit("/", 1)[-1]
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)

    def answer(response: tuple[str, list[tuple[str, str]], bytes]) -> WsgiResult:
        status, headers, content = response
        start_response(status, headers)
        return [content]

    if method != "PUT":
        return answer(
            s3_error_response(
                405, "MethodNotAllowed", "The specified method is not allowed against this resource."
            )
        )
    if target.take_failure():
        return answer(
            s3_error_response(500, "InternalError", "We encountered an internal error. Please try again.")
        )
    if environ.get("HTTP_X_AMZ_SERVER_SIDE_ENCRYPTION") != SSE_VALUE or not signer.valid(job_id, query):
        # The URL signs host;x-amz-server-side-encryption: without that exact header S3 cannot match it.
        return answer(
            s3_error_response(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
            )
        )
    expires_at = target.expires_at(job_id)
    if expires_at is None:
        return answer(s3_error_response(403, "AccessDenied", "Access Denied"))
    if time.time() > expires_at:
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
        server_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        extra = {"X-Amz-Expires": (query.get("X-Amz-Expires") or [""])[0], "Expires": expires}
        return answer(
            s3_error_response(
                403, "AccessDenied", "Request has expired", {**extra, "ServerTime": server_time}
            )
        )
    target.store(job_id, body)
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    start_response(
        "200 OK", [("ETag", etag), ("x-amz-server-side-encryption", SSE_VALUE), ("Content-Length", "0")]
    )
    return [b""]
