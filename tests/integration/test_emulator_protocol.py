"""The emulator's HTTP front: bodies read outside the lock, unknown operations, malformed JSON."""

from __future__ import annotations

import json
import select
import socket
import threading
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import EmulatorKit

SCOPE = "testing/20250101/us-east-1/cognito-idp/aws4_request"
AUTHORIZATION = f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host, Signature=0"


def _post(url: str, target: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target,
        "Authorization": AUTHORIZATION,
    }
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), dict(error.headers.items()), error.read()


def test_unknown_cognito_operation_is_400_unknown_operation_json(emu_kit: EmulatorKit) -> None:
    status, headers, body = _post(
        emu_kit.emulator.url, "AWSCognitoIdentityProviderService.NoSuchOperation", b"{}"
    )
    assert status == 400
    assert headers["Content-Type"].startswith("application/x-amz-json")
    answer = json.loads(body)
    assert answer["__type"] == "UnknownOperationException" and "NoSuchOperation" in answer["message"]


def test_foreign_or_malformed_targets_are_400_unknown_operation_json(emu_kit: EmulatorKit) -> None:
    url = emu_kit.emulator.url
    # Signed for Cognito: another service's prefix, a made-up one, a target without a dot.
    for target in ("Nope.Op", "TrentService.ListKeys", "ListUserPools", "AWSCognitoIdentityProviderService"):
        status, headers, body = _post(url, target, b'{"MaxResults": 5}')
        assert status == 400, target
        assert headers["Content-Type"].startswith("application/x-amz-json"), target
        assert json.loads(body)["__type"] == "UnknownOperationException", target


def test_other_json_services_keep_their_targets(emu_kit: EmulatorKit) -> None:
    # The same front serves the emulator's other services: their own targets reach them.
    logs_group = emu_kit.logs.describe_log_groups()
    assert logs_group["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_known_operations_still_reach_the_service(emu_kit: EmulatorKit) -> None:
    # One of moto's own operations and one of the emulator's: neither is taken for unknown.
    pool_id = emu_kit.pool()
    status, _, body = _post(
        emu_kit.emulator.url, "AWSCognitoIdentityProviderService.ListUserPools", b'{"MaxResults": 5}'
    )
    assert status == 200 and [pool["Id"] for pool in json.loads(body)["UserPools"]] == [pool_id]
    assert emu_kit.raw("GetCSVHeader", {"UserPoolId": pool_id})[0] == 200


def test_malformed_json_is_400_serialization_exception(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    url = emu_kit.emulator.url
    for operation in ("DescribeUserPool", "GetCSVHeader", "ListUsers"):
        for data in (b'{"UserPoolId": ', b"[1, 2]", b"\xff\xfe{"):
            status, _, body = _post(url, f"AWSCognitoIdentityProviderService.{operation}", data)
            assert (status, json.loads(body)["__type"]) == (400, "SerializationException"), (operation, data)
    # The same call with a well-formed body succeeds.
    body_ok = json.dumps({"UserPoolId": pool_id}).encode()
    assert _post(url, "AWSCognitoIdentityProviderService.DescribeUserPool", body_ok)[0] == 200


def _slow_request(url: str, body: bytes) -> bytes:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-amz-json-1.1\r\n"
        f"X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n"
        f"Authorization: {AUTHORIZATION}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode()


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_client_withholding_its_body_does_not_stall_other_calls(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    body = b'{"MaxResults": 10}'
    slow = socket.create_connection(("127.0.0.1", emu_kit.emulator.port), timeout=30)
    try:
        slow.sendall(_slow_request(emu_kit.emulator.url, body) + body[:5])  # then nothing, for now
        other_done = threading.Event()
        answers: list[str] = []

        def other_client() -> None:
            answers.append(emu_kit.cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"])
            other_done.set()

        thread = threading.Thread(target=other_client, daemon=True)
        thread.start()
        # Fails (rather than hangs) when the other call waits for the slow body.
        assert other_done.wait(timeout=30), "another client's call waited for a slow request body"
        assert answers == [pool_id]
        # The slow request cannot have been answered: most of its body is still unsent.
        assert select.select([slow], [], [], 0)[0] == []
        slow.sendall(body[5:])
        response = _read_all(slow)
    finally:
        slow.close()
    head, _, payload = response.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == b"200"
    assert [pool["Id"] for pool in json.loads(payload)["UserPools"]] == [pool_id]
