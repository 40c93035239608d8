"""``openhcs-remote-server serve``: the OpenHCS execution server and the result relay.

Both run as child processes and stop together. The relay is restarted if it
dies (its spool keeps numbering and what it had stored); the execution server
is not (it holds the runs).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import shutil
import signal
import sys
import tempfile
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
from openhcs_remote.server.ports import CONTROL_PORT_OFFSET, free_endpoint_port
from openhcs_remote.server.relay.process import RelayLaunch, RelayProcess
from openhcs_remote.server.relay.relay_errors import RelayError

RELAY_RESTARTS = 5


@dataclass(frozen=True)
class ServeOptions:
    """Options of ``serve``, as parsed from the command line."""

    host: str
    port: int
    log_dir: Path
    json_events: bool
    startup_timeout: float
    transport: str = "tcp"
    relay: bool = True
    relay_viewer_port: int = 5555
    relay_stream_port: int = 5600
    spool_dir: Path | None = None
    spool_max_bytes: int | None = None
    curve_secret_key: Path | None = None
    curve_client_keys: Path | None = None


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
    endpoint = ExecutionEndpoint(options.host, port, options.transport)
    server = ExecutionServerProcess(endpoint, log_path=options.log_dir / f"execution-{port}.log")
    temporary_spool = None
    if options.relay and options.spool_dir is None and options.port == 0:
        # Port-0 mode is for tests and demos: its spool lives and dies with this process.
        temporary_spool = Path(tempfile.mkdtemp(prefix="ohr-spool-"))
        options = dataclasses.replace(options, spool_dir=temporary_spool)
    try:
        relay = _relay_process(options, endpoint) if options.relay else None
    except (ValueError, OSError) as error:
        report.say(f"cannot place the relay: {error}")
        report.event("failed", message=str(error))
        return 2
    if relay is not None and not is_loopback(options.host) and options.curve_secret_key is None:
        report.say(
            f"WARNING: the relay stream on {options.host} is unencrypted and open to anyone who "
            "can reach it; pass --curve-secret-key (see docs/relay-stream-protocol.md)."
        )

    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        report.say(f"received {signal.Signals(signum).name}, stopping")
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    report.say(f"starting the OpenHCS execution server on {endpoint.data_address}")
    server.start()
    try:
        started = time.monotonic()
        relay_info = None
        if relay is not None:
            relay_info = relay.start()
            report.say(
                f"relay ready: OpenHCS viewer port {relay_info['viewer_port']} "
                f"(control {relay_info['viewer_control_port']}), client stream "
                f"tcp://{relay_info['stream_host']}:{relay_info['stream_port']}"
            )
        pong = server.wait_ready(
            timeout=options.startup_timeout,
            on_phase=lambda message: report.say(f"  {message}"),
        )
        application = pong.get("application") or {}
        report.say(
            f"execution server ready in {time.monotonic() - started:.1f}s: "
            f"data (progress) {endpoint.data_address}, control {endpoint.control_address}"
        )
        report.event(
            "ready",
            execution={
                "host": endpoint.host,
                "port": endpoint.port,
                "transport": endpoint.transport,
                "address": endpoint.data_address,
                "control_address": endpoint.control_address,
                "control_port": endpoint.control_port,
                "pid": server.pid,
                "application": application,
                "log": str(server.log_path),
            },
            relay=None
            if relay is None
            else {**(relay_info or {}), "pid": relay.pid, "log": str(relay.log_path)},
        )
        restarts = 0
        while not stop_requested.wait(0.5):
            code = server.poll()
            if code is not None:
                report.say(f"the execution server exited on its own (code {code})")
                report.event("exited", component="execution", code=code)
                return 1
            if relay is not None and relay.poll() is not None:
                restarts += 1
                report.say(
                    f"the relay exited (code {relay.poll()}); restart {restarts}/{RELAY_RESTARTS}"
                )
                if restarts > RELAY_RESTARTS:
                    report.event("exited", component="relay", code=relay.poll())
                    return 1
                info = relay.start()
                report.event(
                    "relay_restarted", relay={**info, "pid": relay.pid, "log": str(relay.log_path)}
                )
    except (ServerStartError, RelayError) as error:
        report.say(str(error))
        report.event("failed", message=str(error))
        return 1
    finally:
        if relay is not None:
            relay.stop()
        server.stop()
        if temporary_spool is not None:
            shutil.rmtree(temporary_spool, ignore_errors=True)
        report.say("stopped")
        report.event("stopped")
    return 0


def _relay_process(options: ServeOptions, endpoint: ExecutionEndpoint) -> RelayProcess:
    """Build the relay child for these options; port 0 mode picks free ports."""
    taken = {endpoint.port, endpoint.control_port}
    viewer_port = options.relay_viewer_port
    if options.port == 0 or viewer_port == 0:
        viewer_port = free_endpoint_port("127.0.0.1", avoid=taken)
    stream_port = 0 if options.port == 0 else options.relay_stream_port
    if viewer_port + CONTROL_PORT_OFFSET in taken or viewer_port in taken:
        raise ValueError(f"relay viewer port {viewer_port} collides with the execution server")
    launch = RelayLaunch(
        viewer_port=viewer_port,
        stream_port=stream_port,
        stream_host=options.host,
        spool_dir=(options.spool_dir or options.log_dir / f"spool-{viewer_port}").resolve(),
        execution_control=endpoint.control_address,
        spool_max_bytes=options.spool_max_bytes,
        curve_secret_key=options.curve_secret_key,
        curve_client_keys=options.curve_client_keys,
    )
    return RelayProcess(launch, log_path=options.log_dir / f"relay-{viewer_port}.log")
