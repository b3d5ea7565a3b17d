"""The pre-signed PUT: SSE header enforced, any content type stored whole, expiry, upload faults."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import EmulatorKit


@pytest.mark.parametrize("sse", [None, "AES256"])
def test_put_without_the_kms_header_is_signature_does_not_match(
    emu_kit: EmulatorKit, sse: str | None
) -> None:
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    status, body = emu_kit.put(job["PreSignedUrl"], emu_kit.csv(emu_kit.header(pool_id), []), sse=sse)
    assert status == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in body and body.startswith("<?xml")
    # Nothing was stored: the job still cannot start.
    status, answer = emu_kit.raw("StartUserImportJob", {"UserPoolId": pool_id, "JobId": job["JobId"]})
    assert answer["__type"] == "PreconditionNotMetException"


def test_a_tampered_url_is_refused(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    status, body = emu_kit.put(job["PreSignedUrl"].replace("X-Amz-Expires=899", "X-Amz-Expires=99999"), b"x")
    assert status == 403 and "SignatureDoesNotMatch" in body


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "application/octet-stream"},
        {"Content-Type": "text/csv; charset=utf-8"},
        {},
    ],
)
def test_every_byte_is_stored_whatever_the_content_type(
    emu_kit: EmulatorKit, headers: dict[str, str]
) -> None:
    pool_id = emu_kit.pool()
    data = emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a=b&c"), emu_kit.user("zoë", name="Zoë")])
    job = emu_kit.create_job(pool_id)
    assert emu_kit.put(job["PreSignedUrl"], data, headers=headers)[0] == 200
    emu_kit.start(pool_id, job["JobId"])
    done = emu_kit.wait(pool_id, job["JobId"])
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 2)
    assert set(emu_kit.users(pool_id)) == {"a=b&c", "zoë"}


def test_the_url_expires(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.settings.upload_url_ttl_seconds = 0.2
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    time.sleep(0.3)
    status, body = emu_kit.put(job["PreSignedUrl"], emu_kit.csv(emu_kit.header(pool_id), []))
    assert status == 403
    assert "<Code>AccessDenied</Code>" in body and "<Message>Request has expired</Message>" in body


def test_fail_uploads_answers_500_then_recovers(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    data = emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")])
    emu_kit.emulator.faults.fail_uploads(times=1)
    status, body = emu_kit.put(job["PreSignedUrl"], data)
    assert status == 500 and "<Code>InternalError</Code>" in body
    status, answer = emu_kit.raw("StartUserImportJob", {"UserPoolId": pool_id, "JobId": job["JobId"]})
    assert answer["__type"] == "PreconditionNotMetException"  # the failed PUT stored nothing
    assert emu_kit.put(job["PreSignedUrl"], data)[0] == 200
    assert emu_kit.start(pool_id, job["JobId"])["Status"] == "Pending"
