"""Shared fixtures: a real execution server + relay, synthetic plates, a relay alone."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from openhcs_remote.server.control_client import control_request
from openhcs_remote.server.relay.process import RelayLaunch, RelayProcess
from openhcs_remote.server.synthetic_plate import SyntheticPlateSpec, write_synthetic_plate

SERVER_SCRIPT = Path(sys.executable).with_name("openhcs-remote-server")
TERMINAL = {"complete", "completed", "failed", "cancelled"}


@dataclass
class RunningServer:
    """``openhcs-remote-server --port 0 --json``: its ready event and later events."""

    process: subprocess.Popen[str]
    ready: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def control_address(self) -> str:
        return f"tcp://127.0.0.1:{self.ready['execution']['control_port']}"

    @property
    def relay(self) -> dict[str, Any]:
        restarted = [e["relay"] for e in self.events if e.get("event") == "relay_restarted"]
        return restarted[-1] if restarted else self.ready["relay"]

    @property
    def stream_address(self) -> str:
        return f"tcp://127.0.0.1:{self.relay['stream_port']}"

    def wait_event(self, name: str, *, after: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events[after:] if e.get("event") == name]
            if found:
                return found[0]
            time.sleep(0.1)
        raise TimeoutError(f"no {name!r} event within {timeout}s; events: {self.events}")

    def execute(self, plate: Path, pipeline_code: str, config_code: str) -> str:
        reply = control_request(
            self.control_address,
            {
                "type": "execute",
                "plate_id": str(plate),
                "pipeline_code": pipeline_code,
                "config_code": config_code,
            },
            timeout=10,
        )
        assert reply.get("status") == "accepted", reply
        return str(reply["execution_id"])

    def wait_finished(self, execution_id: str, *, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = control_request(
                self.control_address, {"type": "status", "execution_id": execution_id}, timeout=10
            )
            record = reply.get("execution") or {}
            if record.get("status") in TERMINAL:
                return record
            time.sleep(0.2)
        raise TimeoutError(f"execution {execution_id} did not finish in {timeout}s")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One real OpenHCS execution server and relay on loopback for the whole session."""
    with running_server(tmp_path_factory.mktemp("server-logs")) as running:
        yield running


@contextlib.contextmanager
def running_server(log_dir: Path, *extra_args: str) -> Iterator[RunningServer]:
    """Start ``openhcs-remote-server --port 0 --json`` (plus ``extra_args``); stop it after."""
    process = subprocess.Popen(
        [str(SERVER_SCRIPT), "--port", "0", "--json", "--log-dir", str(log_dir), *extra_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    events: list[dict[str, Any]] = []

    def read() -> None:
        for line in process.stdout:
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not any(e.get("event") == "ready" for e in events):
        if process.poll() is not None:
            raise RuntimeError(f"openhcs-remote-server exited with {process.returncode}: {events}")
        time.sleep(0.2)
    ready = next((e for e in events if e.get("event") == "ready"), None)
    if ready is None:
        process.kill()
        raise RuntimeError("openhcs-remote-server did not become ready")
    running = RunningServer(process, ready, events)
    try:
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def make_plate(
    directory: Path, wells: tuple[str, ...] = ("A01", "A02", "B01"), tile: int = 64
) -> Path:
    """A synthetic ImageXpress plate: ``wells`` × 2 sites × 2 channels of ``tile``² uint16."""
    spec = SyntheticPlateSpec(wells=wells, sites=2, channels=2, z_planes=1, tile_size=(tile, tile))
    return write_synthetic_plate(directory, spec)


@pytest.fixture
def plate(tmp_path: Path) -> Path:
    """A fresh synthetic plate (its OpenHCS output lands next to it)."""
    return make_plate(tmp_path / "plate")


@pytest.fixture
def standalone_relay(tmp_path: Path) -> Iterator[RelayProcess]:
    """A relay process with no execution server (batches are ``unattributed``)."""
    relay = RelayProcess(
        RelayLaunch(viewer_port=0, stream_port=0, spool_dir=tmp_path / "spool"),
        log_path=tmp_path / "relay.log",
    )
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


def relay_env_ok() -> bool:
    return os.name == "posix"


# --- the notebook shim -----------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[2]
SIDECAR_BUNDLE = REPO_ROOT / "jupyterlab_ext" / "openhcs_remote" / "sidecar" / "sidecar.mjs"
SIDECAR_SOURCES = ("src/sidecar", "src/orchestrator", "src/protocol")


def _newest_source_mtime() -> float:
    return max(
        path.stat().st_mtime
        for folder in SIDECAR_SOURCES
        for path in (REPO_ROOT / folder).rglob("*.ts")
    )


@pytest.fixture(scope="session")
def sidecar_bundle() -> Path:
    """The wheel's sidecar bundle, rebuilt when a TypeScript source is newer (≈2 s)."""
    if not SIDECAR_BUNDLE.is_file() or SIDECAR_BUNDLE.stat().st_mtime < _newest_source_mtime():
        subprocess.run(
            ["node", str(REPO_ROOT / "scripts" / "build-sidecar.mjs")],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
    return SIDECAR_BUNDLE


@pytest.fixture(scope="session")
def orchestrator_options(server: RunningServer, sidecar_bundle: Path) -> dict[str, Any]:
    """Keyword arguments of a ``RemoteOrchestrator`` for the session's server and relay."""
    return {
        "server_host": "127.0.0.1",
        "server_port": server.ready["execution"]["port"],
        "relay": ("127.0.0.1", server.relay["stream_port"]),
        "timeout": 10.0,
        "retries": 2,
    }
