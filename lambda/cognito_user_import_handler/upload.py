"""Upload a converted file to an import job's pre-signed URL."""

from __future__ import annotations

import logging
import os
import time
import urllib.error
import urllib.request

logger = logging.getLogger(__name__)

# The URL signs host;x-amz-server-side-encryption: without this header S3 answers 403.
SSE_HEADER = ("x-amz-server-side-encryption", "aws:kms")


class UploadError(RuntimeError):
    """The file could not be uploaded to the job's pre-signed URL."""


def upload_csv(presigned_url: str, path: str, *, attempts: int = 4, backoff_seconds: float = 1.0) -> None:
    """PUT the file at `path`, retrying server errors (5xx) and connection failures.

    Never logs the URL: it grants write access to the job's upload location.
    """
    size = os.path.getsize(path)
    for attempt in range(1, attempts + 1):
        try:
            with open(path, "rb") as body:
                request = urllib.request.Request(
                    presigned_url,
                    data=body,
                    method="PUT",
                    headers={
                        SSE_HEADER[0]: SSE_HEADER[1],
                        "Content-Type": "text/csv",
                        "Content-Length": str(size),
                    },
                )
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
            return
        except urllib.error.HTTPError as error:
            if error.code < 500 or attempt == attempts:
                raise UploadError(
                    f"uploading the users file failed with HTTP {error.code} {error.reason}"
                    f" after {attempt} attempt(s)"
                ) from None
            logger.warning(
                "Upload answered HTTP %s; retrying (attempt %s of %s)", error.code, attempt, attempts
            )
        except (urllib.error.URLError, OSError) as error:
            if attempt == attempts:
                raise UploadError(f"uploading the users file failed: {error}") from None
            logger.warning(
                "Upload failed (%s); retrying (attempt %s of %s)", type(error).__name__, attempt, attempts
            )
        time.sleep(backoff_seconds * 2 ** (attempt - 1))
