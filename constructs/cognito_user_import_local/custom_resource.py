"""CloudFormation's side of the custom resource protocol: the request event, the ResponseURL, the wait.

CloudFormation invokes the function with an event and waits (up to the resource's ServiceTimeout)
for a JSON document PUT to a pre-signed URL. Here the URL is a small local HTTP server, and
crhelper's EventBridge schedule (a rule per pending request, its target's input the event) is fired
every few seconds instead of every minute.

A Ctrl-C during a request cancels it the way a stack operation is cancelled: the invocation that
runs is left to end, the physical resource it made is learnt from its answer or from crhelper's
pending poll (whose input carries CrHelperData.PhysicalResourceId), the poll's schedule is removed,
and RequestCancelled tells the driver what to delete in its rollback.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NoReturn

from .invoke import LambdaFunction, LambdaRunner

DEFAULT_SERVICE_TIMEOUT = 3600
POLL_INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class Response:
    status: str
    reason: str = ""
    physical_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS"


class ResponseServer:
    """Accepts the PUT of each request's response at a URL of its own (http://127.0.0.1:PORT/...)."""

    def __init__(self) -> None:
        self._responses: dict[str, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                token = self.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    document = json.loads(body or b"{}")
                except ValueError:
                    self.send_response(400)
                    self.end_headers()
                    return
                server._accept(token, document)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request line holds the URL: never log it

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._tokens: dict[str, str] = {}

    def __enter__(self) -> ResponseServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()

    def new_url(self, request_id: str) -> str:
        # An unguessable path, like CloudFormation's signed URL.
        token = secrets.token_urlsafe(24)
        self._tokens[request_id] = token
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}/cloudformation-response/{token}"

    def urls(self) -> list[str]:
        host, port = self._http.server_address[:2]
        return [f"http://{host!s}:{port}/cloudformation-response/{token}" for token in self._tokens.values()]

    def _accept(self, token: str, document: dict[str, Any]) -> None:
        with self._arrived:
            # The first answer counts, as in CloudFormation.
            self._responses.setdefault(token, document)
            self._arrived.notify_all()

    def response(self, request_id: str, wait: float = 0.0) -> dict[str, Any] | None:
        token = self._tokens[request_id]
        with self._arrived:
            self._arrived.wait_for(lambda: token in self._responses, timeout=wait)
            return self._responses.get(token)


@dataclass(frozen=True)
class Request:
    request_type: str
    """Create, Update or Delete."""
    resource_type: str
    logical_id: str
    properties: dict[str, Any]
    """Resolved, scalars as strings; includes ServiceToken."""
    physical_id: str | None = None
    old_properties: dict[str, Any] | None = None
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    """Known before the call, so that the driver can record the request as in flight."""


class RequestCancelled(Exception):
    """Ctrl-C during a request: the request is abandoned; physical_id is what it made, if known."""

    def __init__(self, physical_id: str | None) -> None:
        super().__init__(f"cancelled (physical id: {physical_id or 'unknown'})")
        self.physical_id = physical_id


@dataclass(frozen=True)
class PendingPoll:
    """crhelper's schedule of a request still running: a rule whose target's input is the event."""

    rule_name: str
    target_ids: list[str]
    payload: dict[str, Any]

    @property
    def physical_id(self) -> str | None:
        data = self.payload.get("CrHelperData")
        found = data.get("PhysicalResourceId") if isinstance(data, dict) else None
        return str(found) if found else None


class CustomResourceCaller:
    """Sends requests to a custom resource's function and waits for its answer."""

    def __init__(
        self,
        *,
        runner: LambdaRunner,
        server: ResponseServer,
        events: Any,
        stack_id: str,
        echo: Callable[[str], None],
        poll_interval: float = POLL_INTERVAL_SECONDS,
        lambda_client: Any = None,
    ) -> None:
        self.lambda_client = lambda_client
        self.runner = runner
        self.server = server
        self.events = events
        self.stack_id = stack_id
        self.echo = echo
        self.poll_interval = poll_interval

    def call(self, request: Request, function: LambdaFunction) -> Response:
        """Send the request and wait for its answer; a Ctrl-C raises RequestCancelled."""
        try:
            return self._call(request, function)
        except KeyboardInterrupt:
            self.echo("(Ctrl-C: this request is abandoned; rolling back what it made)")
        self._cancel(request, function)

    def _cancel(self, request: Request, function: LambdaFunction) -> NoReturn:
        answer = self.server.response(request.request_id)
        polls = self.pending_polls(function, request.request_id)
        self.drop(polls, function)
        physical_id = str(answer.get("PhysicalResourceId") or "") if answer else ""
        if not physical_id:
            physical_id = next((poll.physical_id for poll in polls if poll.physical_id), "")
        raise RequestCancelled(physical_id or None)

    def _call(self, request: Request, function: LambdaFunction) -> Response:
        request_id = request.request_id
        event: dict[str, Any] = {
            "RequestType": request.request_type,
            "ServiceToken": request.properties.get("ServiceToken", function.arn),
            "ResponseURL": self.server.new_url(request_id),
            "StackId": self.stack_id,
            "RequestId": request_id,
            "ResourceType": request.resource_type,
            "LogicalResourceId": request.logical_id,
            "ResourceProperties": request.properties,
        }
        if request.physical_id is not None:
            event["PhysicalResourceId"] = request.physical_id
        if request.old_properties is not None:
            event["OldResourceProperties"] = request.old_properties
        service_timeout = _service_timeout(request.properties)
        deadline = time.monotonic() + service_timeout

        invocation = self.runner.invoke(function, event)
        if invocation.interrupted:
            raise KeyboardInterrupt
        polls = 0
        while True:
            answer = self.server.response(request_id)
            if answer is not None:
                return Response(
                    status=str(answer.get("Status", "FAILED")),
                    reason=str(answer.get("Reason") or ""),
                    physical_id=str(answer.get("PhysicalResourceId") or ""),
                    data=dict(answer.get("Data") or {}),
                )
            scheduled = self._scheduled_inputs(function, request_id)
            if not scheduled:
                how = "timed out" if invocation.timed_out else f"ended (exit code {invocation.exit_code})"
                return Response(
                    "FAILED",
                    f"the function {function.name} {how} without sending a response "
                    "and scheduled no poll (CloudFormation would wait until ServiceTimeout)",
                )
            if time.monotonic() >= deadline:
                return Response(
                    "FAILED",
                    f"CloudFormation did not receive a response from your Custom Resource within "
                    f"its ServiceTimeout of {service_timeout} seconds",
                )
            # crhelper's schedule says rate(1 minute); a couple of seconds is enough here.
            answer = self.server.response(request_id, wait=self.poll_interval)
            if answer is not None:
                continue
            for payload in scheduled:
                polls += 1
                self.echo(f"(scheduled poll {polls}: EventBridge rule fired)")
                invocation = self.runner.invoke(function, payload)
                if invocation.interrupted:
                    raise KeyboardInterrupt

    def _scheduled_inputs(self, function: LambdaFunction, request_id: str) -> list[dict[str, Any]]:
        """The inputs of EventBridge targets that invoke this function for this request."""
        return [poll.payload for poll in self.pending_polls(function, request_id)]

    def pending_polls(self, function: LambdaFunction, request_id: str) -> list[PendingPoll]:
        """crhelper's enabled schedules that invoke this function for this request."""
        polls: list[PendingPoll] = []
        for rule in _paged(self.events.list_rules, "Rules"):
            if rule.get("State") == "DISABLED":
                continue
            for target in _paged(self.events.list_targets_by_rule, "Targets", Rule=rule["Name"]):
                if not _same_function(str(target.get("Arn", "")), function):
                    continue
                try:
                    payload = json.loads(target.get("Input") or "{}")
                except ValueError:
                    continue
                if isinstance(payload, dict) and payload.get("RequestId") == request_id:
                    polls.append(PendingPoll(str(rule["Name"]), [str(target["Id"])], payload))
        return polls

    def drop(self, polls: list[PendingPoll], function: LambdaFunction) -> None:
        """Remove the schedules of an abandoned request (in AWS its next poll would find the job ended
        and remove them itself; here nothing fires them any more)."""
        for poll in polls:
            self.events.remove_targets(Rule=poll.rule_name, Ids=poll.target_ids)
            self.events.delete_rule(Name=poll.rule_name)
            statement = poll.payload.get("CrHelperPermission")
            if statement and self.lambda_client is not None:
                with suppress(Exception):  # moto may not keep the permission: nothing to remove then
                    self.lambda_client.remove_permission(FunctionName=function.name, StatementId=statement)


def _same_function(arn: str, function: LambdaFunction) -> bool:
    return arn == function.arn or arn.split(":function:")[-1].split(":")[0] == function.name


def _service_timeout(properties: dict[str, Any]) -> int:
    try:
        return int(properties.get("ServiceTimeout") or DEFAULT_SERVICE_TIMEOUT)
    except ValueError:
        return DEFAULT_SERVICE_TIMEOUT


def _paged(method: Callable[..., Any], key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = method(**kwargs, **({"NextToken": token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get("NextToken")
        if not token:
            return items
