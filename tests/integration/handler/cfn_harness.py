"""CloudFormation's and EventBridge's side of a request, for the handler running in this process.

The world itself (pool, logs role, bucket, function record, ResponseURL) is the emulator package's
handler_world; this adds sending a request and firing crhelper's scheduled polls without a real minute.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from typing import Any

from handler_world import LambdaContext, World

from cognito_user_import_handler import index


@dataclass
class Deployment:
    """A world in the emulator plus the request loop CloudFormation runs for one custom resource."""

    world: World
    lambda_timeout: float = 60.0
    logical_id: str = "SeedUsers"
    invocations: int = 0

    def put_source(self, body: str | bytes, key: str = "users.csv") -> dict[str, str]:
        """The world's users file and properties, with the whole quota share: these tests are about
        the import, and pacing has tests of its own."""
        return self.world.put_source(body, key=key) | {"QuotaShare": "1"}

    def work_file(self, text: str) -> str:
        """A file with this text (a job's upload, made by hand), removed at the end of the session."""
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as handle:
            handle.write(text)
        return handle.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)  # pool_id, client(), put_source(), users(), jobs(), ...

    def send(
        self,
        request_type: str,
        properties: dict[str, str],
        *,
        old_properties: dict[str, str] | None = None,
        physical_id: str | None = None,
    ) -> dict[str, Any]:
        """Send one request as CloudFormation does and answer the response it gets, polls included."""
        responses = self.world.responses.responses
        answered = len(responses)
        self.send_without_waiting(
            request_type, properties, old_properties=old_properties, physical_id=physical_id
        )
        deadline = time.monotonic() + float(properties.get("TimeoutSeconds", "120")) + 30
        while len(responses) == answered:
            assert time.monotonic() < deadline, "the handler never answered"
            for scheduled in self.world.scheduled_inputs():
                self._invoke(scheduled)
            time.sleep(0.2)
        assert len(responses) == answered + 1, "answered more than once"
        return responses[-1]

    def send_without_waiting(
        self,
        request_type: str,
        properties: dict[str, str],
        *,
        old_properties: dict[str, str] | None = None,
        physical_id: str | None = None,
    ) -> None:
        """Only the first invocation of a request: what CloudFormation has started when it sends the next."""
        event = self.world.event(
            request_type,
            properties,
            logical_id=self.logical_id,
            old_properties=old_properties,
            physical_id=physical_id,
        )
        self._invoke(event)

    def _invoke(self, event: dict[str, Any]) -> None:
        self.invocations += 1
        index.handler(event, LambdaContext(self.lambda_timeout))
