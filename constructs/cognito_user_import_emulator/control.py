"""The control endpoints under /_emulator/ and EmulatorControl, their client for other processes.

GET  /_emulator/health     {"status": "ok", "region": ..., "account_id": ...}
GET  /_emulator/settings   the settings;  POST with {"name": value, ...} changes them (settings.py),
                           e.g. {"aws_quotas": false} or {"call_latency_seconds": 0}
GET  /_emulator/faults     faults still pending;  POST with any of {"clear": true,
                           "throttle": {"Operation": n}, "fail_uploads": n, "fail_next_jobs": n}
GET  /_emulator/calls      Cognito calls received (calls.py): {"operations": {"<Operation>": {"category",
                           "calls", "throttled", "peak_rps"}}, "categories": {"<Category>": {"quota_rps",
                           "per_pool_quota_rps", "calls", "throttled", "peak_rps"}}};
                           POST {"reset": true} clears the counts (and answers them, cleared)
POST /_emulator/expire     ages every Created job to Expired: {"expired": [job ids]}
POST /_emulator/reset      moto's state, jobs, faults, call counts, quota buckets and settings back to
                           the emulator's defaults
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from .calls import CallStats
from .faults import Faults
from .settings import EmulatorSettings, SettingValue
from .upload import StartResponse, WsgiResult, read_body

CONTROL_PREFIX = "/_emulator/"


class ControlApp:
    """WSGI handler for CONTROL_PREFIX; the emulator passes in what the endpoints act on."""

    def __init__(
        self,
        settings: EmulatorSettings,
        faults: Faults,
        calls: CallStats,
        expire: Callable[[], list[str]],
        reset: Callable[[], None],
        info: Callable[[], dict[str, str]],
    ) -> None:
        self._settings = settings
        self._faults = faults
        self._calls = calls
        self._expire = expire
        self._reset = reset
        self._info = info

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> WsgiResult:
        method = environ.get("REQUEST_METHOD", "GET")
        name = environ.get("PATH_INFO", "")[len(CONTROL_PREFIX) :].strip("/")
        try:
            body = json.loads(read_body(environ) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the request body must be a JSON object")
            status, answer = self._route(method, name, body)
        except ValueError as error:
            status, answer = 400, {"error": str(error)}
        payload = json.dumps(answer).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}[status]
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def _route(self, method: str, name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        allowed = {"health": ("GET",), "settings": ("GET", "POST"), "faults": ("GET", "POST")}
        allowed |= {"calls": ("GET", "POST"), "expire": ("POST",), "reset": ("POST",)}
        if name not in allowed:
            return 404, {"error": f"no control endpoint {CONTROL_PREFIX}{name}", "endpoints": sorted(allowed)}
        if method not in allowed[name]:
            return 405, {"error": f"{CONTROL_PREFIX}{name} accepts {' or '.join(allowed[name])}"}
        if name == "health":
            return 200, {"status": "ok", **self._info()}
        if name == "settings":
            if method == "POST":
                self._settings.update(body)
            return 200, self._settings.to_json()
        if name == "faults":
            if method == "POST":
                apply_faults(self._faults, body)
            return 200, self._faults.to_json()
        if name == "calls":
            if method == "POST":
                apply_calls(self._calls, body)
            return 200, self._calls.to_json()
        if name == "expire":
            return 200, {"expired": self._expire()}
        self._reset()
        return 200, {"reset": True}


def apply_faults(faults: Faults, body: dict[str, Any]) -> None:
    unknown = sorted(set(body) - {"clear", "throttle", "fail_uploads", "fail_next_jobs"})
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(unknown)}")
    throttles = body.get("throttle", {})
    if not isinstance(throttles, dict) or not all(_count(n) for n in throttles.values()):
        raise ValueError('throttle must be {"OperationName": times, ...} with whole numbers >= 0')
    for field in ("fail_uploads", "fail_next_jobs"):
        if field in body and not _count(body[field]):
            raise ValueError(f"{field} must be a whole number >= 0")
    if body.get("clear"):
        faults.clear()
    for operation, times in throttles.items():
        faults.throttle(str(operation), times)
    faults.fail_uploads(body.get("fail_uploads", 0))
    faults.fail_next_jobs(body.get("fail_next_jobs", 0))


def apply_calls(calls: CallStats, body: dict[str, Any]) -> None:
    unknown = sorted(set(body) - {"reset"})
    if unknown or not isinstance(body.get("reset", False), bool):
        raise ValueError('POST /_emulator/calls takes {"reset": true}')
    if body.get("reset"):
        calls.reset()


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class EmulatorControlError(RuntimeError):
    """A control endpoint refused the request (its message says why)."""


class RemoteFaults:
    """Emulator.faults over HTTP: the same methods."""

    def __init__(self, control: EmulatorControl) -> None:
        self._control = control

    def throttle(self, operation: str, times: int = 1) -> None:
        self._control.call("POST", "faults", {"throttle": {operation: times}})

    def fail_uploads(self, times: int = 1) -> None:
        self._control.call("POST", "faults", {"fail_uploads": times})

    def fail_next_jobs(self, times: int = 1) -> None:
        self._control.call("POST", "faults", {"fail_next_jobs": times})

    def clear(self) -> None:
        self._control.call("POST", "faults", {"clear": True})

    def to_json(self) -> dict[str, Any]:
        return self._control.call("GET", "faults")


class RemoteCalls:
    """Emulator.calls over HTTP: the same methods."""

    def __init__(self, control: EmulatorControl) -> None:
        self._control = control

    def to_json(self) -> dict[str, Any]:
        return self._control.call("GET", "calls")

    def reset(self) -> None:
        self._control.call("POST", "calls", {"reset": True})


class RemoteSettings:
    """Emulator.settings over HTTP: reading an attribute fetches it, assigning one sets it."""

    _control: EmulatorControl

    def __init__(self, control: EmulatorControl) -> None:
        object.__setattr__(self, "_control", control)

    def __getattr__(self, name: str) -> SettingValue:
        values = self._control.call("GET", "settings")
        if name not in values:
            raise AttributeError(name)
        value: SettingValue = values[name]
        return value

    def __setattr__(self, name: str, value: SettingValue) -> None:
        self._control.call("POST", "settings", {name: value})

    def to_json(self) -> dict[str, Any]:
        return self._control.call("GET", "settings")


class EmulatorControl:
    """Drive a running emulator from another process: ``EmulatorControl("http://127.0.0.1:2646")``."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.faults = RemoteFaults(self)
        self.settings = RemoteSettings(self)
        self.calls = RemoteCalls(self)

    def call(self, method: str, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{CONTROL_PREFIX}{name}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise EmulatorControlError(
                f"{method} {CONTROL_PREFIX}{name}: {error.read().decode(errors='replace')}"
            ) from None
        return answer

    def health(self) -> dict[str, Any]:
        return self.call("GET", "health")

    def update_settings(self, **changes: SettingValue) -> EmulatorSettings:
        values = self.call("POST", "settings", dict(changes))
        settings = EmulatorSettings()
        settings.update(values)
        return settings

    def expire_unstarted_jobs(self) -> list[str]:
        return [str(job_id) for job_id in self.call("POST", "expire")["expired"]]

    def reset(self) -> None:
        self.call("POST", "reset")
