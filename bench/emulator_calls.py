"""emulator_calls (issues 9 and 13): the emulator's own call path, measured on an Emulator of its own.

- **slow client**: a raw client sends a Cognito request's headers and part of its body, then nothing;
  meanwhile another client's DescribeUserPool is timed. Target: at most 1 s (before the fix it waited
  for the withheld body, i.e. for ever).
- **throughput**: DescribeUserPool calls a second through boto3, AWS-quota mode off and no latency, with
  1 and with 8 client threads (info).
- **quota pace**: AWS-quota mode on (no latency), 8 threads call DescribeUserPool on one pool as fast
  as they can for 3 s (2 s with --quick). Cognito allows 5 a second per operation per pool, one
  second's worth at once; the figure is admitted calls / (5 + 5 x elapsed), target at most 1.0x.
  ``GET /_emulator/calls`` gives the calls, throttled and peak_rps reported beside it.
"""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config

from bench._result import Measurement

NAME = "emulator_calls"
SLOW_CLIENT_LIMIT_SECONDS = 1.0
PER_POOL_RPS = 5.0
_AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _client(url: str) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=16),
    )


def _call_then_set(client: Any, pool_id: str, done: threading.Event) -> None:
    client.describe_user_pool(UserPoolId=pool_id)
    done.set()


def _slow_client_seconds(url: str, port: int, client: Any, pool_id: str) -> float:
    body = b'{"MaxResults": 10}'
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.1\r\n"
        "X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\n"
        f"Authorization: {_AUTHORIZATION}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as slow:
        slow.sendall(head + body[:5])
        done = threading.Event()
        started = time.perf_counter()
        threading.Thread(target=lambda: _call_then_set(client, pool_id, done), daemon=True).start()
        finished = done.wait(timeout=30)
        elapsed = time.perf_counter() - started
        slow.sendall(body[5:])
        while slow.recv(65536):
            pass
    return elapsed if finished else float("inf")


def _burst(client: Any, pool_id: str, threads: int, seconds: float) -> tuple[int, int, float]:
    """(admitted, throttled, elapsed) of calls made as fast as ``threads`` clients can for ``seconds``."""
    deadline = time.perf_counter() + seconds

    def worker(_: int) -> tuple[int, int]:
        admitted = throttled = 0
        while time.perf_counter() < deadline:
            try:
                client.describe_user_pool(UserPoolId=pool_id)
                admitted += 1
            except client.exceptions.TooManyRequestsException:
                throttled += 1
        return admitted, throttled

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(worker, range(threads)))
    elapsed = time.perf_counter() - started
    return sum(r[0] for r in results), sum(r[1] for r in results), elapsed


def run(emulator: object, *, quick: bool = False) -> list[Measurement]:
    from cognito_user_import_emulator import Emulator, EmulatorSettings

    seconds = 2.0 if quick else 3.0
    with Emulator(settings=EmulatorSettings(aws_quotas=False, call_latency_seconds=0.0)) as own:
        client = _client(own.url)
        pool_id = client.create_user_pool(PoolName="bench")["UserPool"]["Id"]
        slow = _slow_client_seconds(own.url, own.port, client, pool_id)
        rates = {}
        for threads in (1, 8):
            admitted, _, elapsed = _burst(client, pool_id, threads, seconds)
            rates[threads] = admitted / elapsed
        own.settings.aws_quotas = True
        own.calls.reset()
        admitted, throttled, elapsed = _burst(client, pool_id, 8, seconds)
        report = own.calls.to_json()["operations"]["DescribeUserPool"]
    allowed = PER_POOL_RPS + PER_POOL_RPS * elapsed
    pace = (
        f"{admitted} admitted, {throttled} throttled in {elapsed:.2f} s (at most {allowed:.1f} allowed); "
        f"/_emulator/calls: calls {report['calls']}, throttled {report['throttled']}, "
        f"peak_rps {report['peak_rps']}"
    )
    return [
        Measurement(
            NAME, "another call while a client withholds its body", slow, "s", SLOW_CLIENT_LIMIT_SECONDS
        ),
        Measurement(NAME, "DescribeUserPool calls a second, 1 client", rates[1], "calls/s", None),
        Measurement(NAME, "DescribeUserPool calls a second, 8 clients", rates[8], "calls/s", None),
        Measurement(NAME, "quota mode: admitted / allowed, one pool", admitted / allowed, "x", 1.0, pace),
    ]
