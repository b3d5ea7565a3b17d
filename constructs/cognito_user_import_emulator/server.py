"""The Emulator: moto's WSGI app behind the emulator's middleware, served by werkzeug in a thread."""

from __future__ import annotations

import io
import logging
import threading
from types import TracebackType
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from . import accounts, operations, pool_keys
from .admission import Admission
from .authorization import Authorizer
from .calls import CallStats
from .control import CONTROL_PREFIX, ControlApp
from .errors import json_error_response
from .faults import Faults
from .jobs import JobStore
from .quotas import QuotaLimiter
from .runtime import ENVIRON_KEY, Runtime
from .settings import EmulatorSettings, SettingValue
from .upload import (
    UPLOAD_PREFIX,
    StartResponse,
    UploadSigner,
    UploadTarget,
    WsgiResult,
    handle_upload,
    read_body,
)

LOGGER = logging.getLogger("cognito_user_import_emulator")


class EmulatorMiddleware:
    """Routes a request: control endpoints, the pre-signed upload, admission (checks, throttling,
    latency), else moto."""

    def __init__(self, runtime: Runtime, control: ControlApp, admission: Admission) -> None:
        self.runtime = runtime
        self.control = control
        self.admission = admission
        self.authorizer = Authorizer(runtime.store.settings, runtime.store.lock)
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        store = runtime.store
        self.upload_target = UploadTarget(
            expires_at=self._upload_expiry,
            store=self._store_upload,
            take_failure=store.faults.take_failed_upload,
        )

    def _upload_expiry(self, job_id: str) -> float | None:
        with self.runtime.store.lock:
            job = self.runtime.store.jobs.get(job_id)
            return None if job is None else job.upload_expires_at

    def _store_upload(self, job_id: str, body: bytes) -> None:
        with self.runtime.store.lock:
            self.runtime.store.jobs[job_id].uploaded = body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> WsgiResult:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self.control(environ, start_response)
        if path.startswith(UPLOAD_PREFIX):
            return handle_upload(environ, start_response, self.runtime.signer, self.upload_target)
        # The whole body is read before the lock: a client that is slow to send it must not stall
        # every other request. moto then reads it from memory.
        body = read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        denied = self.authorizer.refusal(environ, body)
        if denied is not None:
            start_response(denied[0], denied[1])
            return [denied[2]]
        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        if target:
            refusal = self.admission.refusal(environ, target, body)
            if refusal is not None:
                status, headers, content = refusal
                start_response(status, headers)
                return [content]
            if self.runtime.store.faults.take_lost_answer(target.rsplit(".", 1)[-1]):
                self._call_moto(environ, lambda *_: None)  # done, but the answer never arrives
                status, headers, content = json_error_response(
                    "InternalErrorException", "Internal error", 500
                )
                start_response(status, headers)
                return [content]
        return self._call_moto(environ, start_response)

    def _call_moto(self, environ: dict[str, Any], start_response: StartResponse) -> WsgiResult:
        environ[ENVIRON_KEY] = self.runtime
        # moto's models are not thread-safe and werkzeug serves each request in its own thread: one
        # request (or job-runner step) at a time touches them.
        with self.runtime.store.lock:
            result = self.moto_app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()


class _RequestHandler(MotoRequestHandler):
    """Logs method, path and status only: query strings carry pre-signed signatures."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if getattr(self.server, "log_requests", False):
            LOGGER.info("%s %s %s", self.command, self.path.split("?", 1)[0], code)

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            LOGGER.warning(message, *args)


class Emulator:
    """The Cognito import-job emulator on moto server, in this process, on a thread.

    moto keeps its state in module globals, so every Emulator of one process shares moto's state
    (pools, users, roles, logs); each has its own jobs, faults, settings, call counts and quota buckets.

    By default it runs in AWS-quota mode (``settings.aws_quotas``, quotas.py) with an AWS-like latency
    per Cognito call (``settings.call_latency_seconds``); ``EmulatorSettings(aws_quotas=False)`` turns
    both off. ``calls`` counts the Cognito calls (``calls.to_json()``, ``calls.reset()``).
    """

    region = "us-east-1"
    account_id = DEFAULT_ACCOUNT_ID

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: EmulatorSettings | None = None,
        *,
        log_requests: bool = False,
    ) -> None:
        operations.install()
        accounts.install()
        pool_keys.install()
        self.host = host
        self.requested_port = port
        self.settings = settings if settings is not None else EmulatorSettings()
        self._defaults = self.settings.copy()
        self.faults = Faults()
        #: Cognito calls received, throttled and their peak rates (GET /_emulator/calls).
        self.calls = CallStats()
        self.quotas = QuotaLimiter()
        self._lock = threading.RLock()
        self.store = JobStore(self.settings, self.faults, self._lock)
        runtime = Runtime(store=self.store, signer=UploadSigner())
        control = ControlApp(
            self.settings, self.faults, self.calls, self.expire_unstarted_jobs, self.reset, self._info
        )
        admission = Admission(self.settings, self.faults, self.calls, self.quotas)
        self.app = EmulatorMiddleware(runtime, control, admission)
        self._log_requests = log_requests
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        server = make_server(
            self.host, self.requested_port, self.app, threaded=True, request_handler=_RequestHandler
        )
        server.log_requests = self._log_requests  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="cognito-import-emulator", daemon=True
        )
        self._thread.start()
        self.store.start_runner()
        return self

    def stop(self) -> None:
        self.store.stop_runner()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running: use it as a context manager or call start()")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        # A wildcard address is reachable on loopback; that is the URL clients on this machine can use.
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(self.host, self.host)
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    # ---- switches ------------------------------------------------------------------------------

    def expire_unstarted_jobs(self) -> list[str]:
        """Age every Created (never started) job to Expired; returns their ids."""
        with self._lock:
            return self.store.expire_unstarted()

    def update_settings(self, **changes: SettingValue) -> EmulatorSettings:
        """Validated counterpart of assigning ``emulator.settings.<name>``."""
        self.settings.update(changes)
        return self.settings

    def reset(self) -> None:
        """moto's state, jobs, faults, call counts, quota buckets and settings back to the start."""
        with self._lock:
            moto_api_backend.reset()
            self.store.clear()
            self.faults.clear()
            self.calls.reset()
            self.quotas.clear()
            self.restore_settings()

    def restore_settings(self) -> None:
        """The settings this emulator started with, in place."""
        self.settings.restore(self._defaults)

    def _info(self) -> dict[str, str]:
        return {"url": self.url, "region": self.region, "account_id": self.account_id}
