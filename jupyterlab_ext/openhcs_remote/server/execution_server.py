"""Start, watch and stop the real OpenHCS execution server as a child process.

OpenHCS ships no console script for its server; its own client spawns
``python -m openhcs.runtime.zmq_execution_server_launcher``. We do the same, with
TCP on an explicit host by default (OpenHCS defaults to IPC on Linux and to binding ``*``),
or IPC when asked (a client on the same host, nothing on the network).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openhcs_remote.errors import OpenHCSRemoteError
from openhcs_remote.server.control_client import control_request
from openhcs_remote.server.ports import CONTROL_PORT_OFFSET, ipc_socket_path


class ServerStartError(OpenHCSRemoteError, RuntimeError):
    """The execution server did not come up; the message says why and where."""

    code = "ERR_SERVER_START"


@dataclass(frozen=True)
class ExecutionEndpoint:
    """Where the execution server listens: TCP on ``host``, or IPC sockets named by the ports."""

    host: str
    port: int
    transport: str = "tcp"

    @property
    def control_port(self) -> int:
        """The pickled REQ/REP control port (data port + 1000)."""
        return self.port + CONTROL_PORT_OFFSET

    @property
    def control_address(self) -> str:
        """ZeroMQ address of the control socket."""
        return self._address(self.control_port)

    @property
    def data_address(self) -> str:
        """ZeroMQ address of the progress (PUB) socket."""
        return self._address(self.port)

    def _address(self, port: int) -> str:
        if self.transport == "ipc":
            return f"ipc://{ipc_socket_path(port)}"
        return f"tcp://{self.host}:{port}"


class ExecutionServerProcess:
    """One OpenHCS execution server, started as a child in its own process group.

    Parameters
    ----------
    endpoint
        Host and data port to bind (control is port + 1000).
    log_path
        Where the server's own log goes.
    python
        Interpreter with ``openhcs`` installed; defaults to this one.
    """

    def __init__(
        self,
        endpoint: ExecutionEndpoint,
        *,
        log_path: Path,
        python: str = sys.executable,
    ) -> None:
        self.endpoint = endpoint
        self.log_path = log_path
        self._python = python
        self._status_path = Path(tempfile.mkdtemp(prefix="ohr-status-")) / "startup.jsonl"
        self._process: subprocess.Popen[bytes] | None = None
        self._status_lines_seen = 0

    @property
    def pid(self) -> int | None:
        """Process id of the server, once started."""
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Spawn the server; returns at once (see :meth:`wait_ready`)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            self._python,
            "-X",
            "faulthandler",
            "-m",
            "openhcs.runtime.zmq_execution_server_launcher",
            "--host",
            self.endpoint.host,
            "--port",
            str(self.endpoint.port),
            "--transport-mode",
            self.endpoint.transport,
            "--persistent",
            "--log-file-path",
            str(self.log_path),
            "--startup-status-path",
            str(self._status_path),
        ]
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its workers share the group, so stop() reaches them all
        )
        log.close()

    def wait_ready(
        self, *, timeout: float = 600.0, on_phase: Callable[[str], None] | None = None
    ) -> dict[str, object]:
        """Block until the server answers a ping; return its pong.

        Parameters
        ----------
        timeout
            Seconds to wait. The first start on a machine builds OpenHCS's function
            catalogue, which takes about a minute here; later starts take seconds.
        on_phase
            Called with each startup message the server reports.

        Raises
        ------
        ServerStartError
            The process exited, reported failure, or did not answer in time.
        """
        deadline = time.monotonic() + timeout
        last_message = None
        while time.monotonic() < deadline:
            for phase, message in self._new_status_lines():
                if on_phase is not None and message != last_message:
                    on_phase(message)  # the server repeats a phase once a second
                last_message = message
                if phase == "failed":
                    raise ServerStartError(
                        f"OpenHCS execution server on {self.endpoint.data_address} "
                        f"failed to start: {message} (log: {self.log_path})"
                    )
            if self._process is not None and self._process.poll() is not None:
                raise ServerStartError(
                    f"OpenHCS execution server on {self.endpoint.data_address} "
                    f"exited with code {self._process.returncode} before answering "
                    f"(log: {self.log_path})\n{self.log_tail()}"
                )
            try:
                pong = control_request(self.endpoint.control_address, {"type": "ping"}, timeout=0.5)
            except TimeoutError:
                time.sleep(0.25)
                continue
            if pong.get("type") == "pong":
                return pong
        raise ServerStartError(
            f"OpenHCS execution server on {self.endpoint.data_address} did not "
            f"answer a ping within {timeout:g}s (log: {self.log_path})"
        )

    def _new_status_lines(self) -> list[tuple[str, str]]:
        try:
            lines = self._status_path.read_text().splitlines()
        except FileNotFoundError:
            return []
        fresh = lines[self._status_lines_seen :]
        self._status_lines_seen = len(lines)
        parsed = []
        for line in fresh:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line still being written; the next poll reads it whole
            parsed.append((str(entry.get("phase", "")), str(entry.get("message", ""))))
        return parsed

    def log_tail(self, lines: int = 20) -> str:
        """Return the last lines of the server log, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def poll(self) -> int | None:
        """Return the exit code if the server has exited, else None."""
        return None if self._process is None else self._process.poll()

    def stop(self, *, grace: float = 5.0) -> None:
        """Stop the server and its workers: ask politely, then signal the group."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        # It may already be going; the signals below settle it either way.
        with contextlib.suppress(TimeoutError, ValueError, OSError):
            control_request(self.endpoint.control_address, {"type": "force_shutdown"}, timeout=1.0)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                process.wait(timeout=grace)
        # Workers may outlive a server that exited on its own: clear the group.
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, signum: int) -> None:
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signum)
