"""moto's own /moto-api/ endpoints through the emulator: the recorder's replay sends requests back to
the same server, so it must not hold the lock those requests need."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import boto3
import moto.moto_api
import pytest

from cognito_user_import_emulator import Emulator

#: A bound on each answer: a deadlocked server never answers, a working one answers in milliseconds.
ANSWER_TIMEOUT_SECONDS = 20


def _post(emulator: Emulator, path: str) -> int:
    request = urllib.request.Request(f"{emulator.url}{path}", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT_SECONDS) as response:
        return int(response.status)


def _pool_names(emulator: Emulator) -> list[str]:
    cognito = boto3.client("cognito-idp", endpoint_url=emulator.url, region_name=emulator.region)
    return [pool["Name"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]]


def test_recorded_calls_replay_and_the_emulator_still_resets(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(moto.moto_api.recorder, "_location", str(tmp_path / "recording"))
    assert _post(emulator, "/moto-api/recorder/reset-recording") == 200
    assert _post(emulator, "/moto-api/recorder/start-recording") == 200
    cognito = boto3.client("cognito-idp", endpoint_url=emulator.url, region_name=emulator.region)
    cognito.create_user_pool(PoolName="recorded")
    assert _post(emulator, "/moto-api/recorder/stop-recording") == 200
    assert _pool_names(emulator) == ["recorded"]

    assert _post(emulator, "/moto-api/recorder/replay-recording") == 200
    assert _pool_names(emulator) == ["recorded", "recorded"]  # the replay created the pool again

    assert _post(emulator, "/moto-api/reset") == 200
    assert _pool_names(emulator) == []
