"""``openhcs-remote-server serve``: the OpenHCS execution server, up until told to stop."""

from __future__ import annotations

import ipaddress
import json
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from openhcs_remote.server.execution_server import (
    ExecutionEndpoint,
    ExecutionServerProcess,
    ServerStartError,
)
from openhcs_remote.server.ports import free_endpoint_port


@dataclass(frozen=True)
class ServeOptions:
    """Options of ``serve``, as parsed from the command line."""

    host: str
    port: int
    log_dir: Path
    json_events: bool
    startup_timeout: float


def is_loopback(host: str) -> bool:
    """Return whether ``host`` names only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Reporter:
    """Human lines on stderr; with ``--json``, one JSON event per line on stdout too."""

    def __init__(self, json_events: bool) -> None:
        self._json = json_events

    def say(self, message: str) -> None:
        print(f"openhcs-remote-server: {message}", file=sys.stderr, flush=True)

    def event(self, name: str, **fields: object) -> None:
        if self._json:
            print(json.dumps({"event": name, **fields}), flush=True)


def serve(options: ServeOptions) -> int:
    """Run until SIGINT or SIGTERM; return the process exit code."""
    report = _Reporter(options.json_events)
    if not is_loopback(options.host):
        report.say(
            f"WARNING: binding {options.host}. The OpenHCS execution server runs any code it "
            "receives and has no authentication: anyone who can reach this port can run "
            "programs as this user. Prefer loopback plus an SSH tunnel (see docs/user-guide.md)."
        )
    port = options.port or free_endpoint_port(options.host)
    endpoint = ExecutionEndpoint(options.host, port)
    server = ExecutionServerProcess(endpoint, log_path=options.log_dir / f"execution-{port}.log")

    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        report.say(f"received {signal.Signals(signum).name}, stopping")
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    report.say(f"starting the OpenHCS execution server on tcp://{endpoint.host}:{endpoint.port}")
    server.start()
    try:
        started = time.monotonic()
        pong = server.wait_ready(
            timeout=options.startup_timeout,
            on_phase=lambda message: report.say(f"  {message}"),
        )
        application = pong.get("application") or {}
        report.say(
            f"execution server ready in {time.monotonic() - started:.1f}s: "
            f"data (progress) tcp://{endpoint.host}:{endpoint.port}, "
            f"control tcp://{endpoint.host}:{endpoint.control_port}"
        )
        report.event(
            "ready",
            execution={
                "host": endpoint.host,
                "port": endpoint.port,
                "control_port": endpoint.control_port,
                "pid": server.pid,
                "application": application,
                "log": str(server.log_path),
            },
        )
        while not stop_requested.wait(0.5):
            code = server.poll()
            if code is not None:
                report.say(f"the execution server exited on its own (code {code})")
                report.event("exited", component="execution", code=code)
                return 1
    except ServerStartError as error:
        report.say(str(error))
        report.event("failed", message=str(error))
        return 1
    finally:
        server.stop()
        report.say("stopped")
        report.event("stopped")
    return 0
