"""Start, watch, restart and stop the relay as a child process.

The relay runs in its own process so that OpenHCS, which may kill whatever holds
a viewer port (``ManagedViewerLifecycleMixin.prepare_fresh_viewer_start``), and a
crash in the relay cannot take the launcher down with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openhcs_remote.server.relay.relay_errors import RelayError


class RelayStartError(RelayError):
    """The relay process did not report ready."""

    code = "ERR_RELAY_START"


@dataclass(frozen=True)
class RelayLaunch:
    """Command-line settings of the relay child (see ``relay/__main__.py``)."""

    viewer_port: int
    stream_port: int
    spool_dir: Path
    stream_host: str = "127.0.0.1"
    execution_control: str | None = None
    spool_max_bytes: int | None = None
    curve_secret_key: Path | None = None
    curve_client_keys: Path | None = None

    def arguments(self) -> list[str]:
        """Return the ``python -m openhcs_remote.server.relay`` arguments."""
        args = [
            "--viewer-port",
            str(self.viewer_port),
            "--stream-host",
            self.stream_host,
            "--stream-port",
            str(self.stream_port),
            "--spool-dir",
            str(self.spool_dir),
        ]
        optional = {
            "--execution-control": self.execution_control,
            "--spool-max-bytes": self.spool_max_bytes,
            "--curve-secret-key": self.curve_secret_key,
            "--curve-client-keys": self.curve_client_keys,
        }
        for flag, value in optional.items():
            if value is not None:
                args += [flag, str(value)]
        return args


class RelayProcess:
    """One relay child process; :meth:`start` returns its ``relay_ready`` description.

    Parameters
    ----------
    launch
        Its settings. Ports of 0 are replaced by the ports it bound, so a restart
        keeps the ports OpenHCS and clients know.
    log_path
        Where its stderr goes.
    """

    def __init__(
        self, launch: RelayLaunch, *, log_path: Path, python: str = sys.executable
    ) -> None:
        self.launch = launch
        self.log_path = log_path
        self._python = python
        self._process: subprocess.Popen[bytes] | None = None
        self.description: dict[str, Any] = {}

    @property
    def pid(self) -> int | None:
        """Process id of the running relay."""
        return None if self._process is None else self._process.pid

    def start(self, *, timeout: float = 60.0) -> dict[str, Any]:
        """Spawn the relay and wait for its ready line.

        Raises
        ------
        RelayStartError
            It exited, failed, or said nothing within ``timeout``.
        """
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [self._python, "-m", "openhcs_remote.server.relay", *self.launch.arguments()],
                stdout=subprocess.PIPE,
                stderr=log,
                stdin=subprocess.DEVNULL,
            )
        assert self._process.stdout is not None
        line = _read_line(self._process.stdout, timeout)
        try:
            event = json.loads(line) if line else {}
        except json.JSONDecodeError:
            event = {}
        if event.get("event") != "relay_ready":
            self.stop()
            detail = event.get("message") or f"no ready line within {timeout:g}s"
            raise RelayStartError(
                f"relay on viewer port {self.launch.viewer_port} did not start: {detail} "
                f"(log: {self.log_path})"
            )
        event.pop("event")
        self.description = event
        # A restart must come back on the ports OpenHCS and clients already know.
        self.launch = replace(
            self.launch,
            viewer_port=int(event["viewer_port"]),
            stream_port=int(event["stream_port"]),
        )
        return event

    def poll(self) -> int | None:
        """Exit code if the relay exited, else None."""
        return None if self._process is None else self._process.poll()

    def kill(self) -> None:
        """SIGKILL the relay (tests use this to show the spool survives)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def stop(self, *, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_line(stream: Any, timeout: float) -> bytes:
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buffer = b""
    while time.monotonic() < deadline and not buffer.endswith(b"\n"):
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            break
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            break
        buffer += chunk
    selector.close()
    return buffer.split(b"\n", 1)[0]
