"""Runs one Lambda invocation in a fresh interpreter, the way the Python runtime does.

Standard library only: the driver copies this file to a folder of its own and runs it with `python -S`
so that nothing but the function's code (and the runtime's boto3) is importable.
Usage: python -S lambda_bootstrap.py EVENT.json   (settings in _HANDLER, _LAMBDA_* variables)
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import time
import uuid
from typing import Any


class LambdaContext:
    """The attributes and method of the runtime's context object that handlers use."""

    def __init__(self, timeout_seconds: float) -> None:
        self._deadline = time.monotonic() + timeout_seconds
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = os.environ["_LAMBDA_FUNCTION_ARN"]
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = os.environ.get("_LAMBDA_REQUEST_ID", str(uuid.uuid4()))
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as stream:
        event: Any = json.load(stream)
    context = LambdaContext(float(os.environ["_LAMBDA_TIMEOUT"]))
    # The runtime's own log handler: one line per record on stdout, level set by the code.
    handler_out = logging.StreamHandler(sys.stdout)
    handler_out.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logging.getLogger().addHandler(handler_out)
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        print(f"[ERROR] Runtime.ImportModuleError: Unable to import module '{module_name}': {error}")
        return 2
    function(event, context)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
