"""One relay: the viewer endpoint, the spool, the client server, the run watcher."""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from typing import Any

import zmq

from openhcs_remote.server.ports import CONTROL_PORT_OFFSET
from openhcs_remote.server.relay.attribution import (
    UNATTRIBUTED,
    ExecutionAttribution,
    RunWatcher,
)
from openhcs_remote.server.relay.clients import ClientServer
from openhcs_remote.server.relay.config import PROTOCOL_VERSION, RelayConfig
from openhcs_remote.server.relay.curve import load_server_keys
from openhcs_remote.server.relay.ingest import BatchIngest
from openhcs_remote.server.relay.relay_errors import RelayError
from openhcs_remote.server.relay.run_windows import RunWindows
from openhcs_remote.server.relay.spool import Spool
from openhcs_remote.server.relay.viewer import RelayViewerServer

logger = logging.getLogger(__name__)
START_TIMEOUT = 10.0


class Relay:
    """Start with :meth:`start`, stop with :meth:`stop`; threads do the work.

    Parameters
    ----------
    config
        Ports (the viewer port must be a real port: OpenHCS derives control as +1000),
        spool, limits and CURVE.
    """

    def __init__(self, config: RelayConfig) -> None:
        if sys.byteorder != "little":
            raise RelayError(
                "the relay forwards pixels as little-endian and needs a little-endian host"
            )
        self.config = config
        self.incarnation = str(uuid.uuid4())
        self.spool = Spool(config.spool_dir, config.spool_max_bytes, fsync=config.spool_fsync)
        self._context = zmq.Context()
        self.attribution = ExecutionAttribution(config.execution_control)
        ingest_idle = threading.Event()
        ingest_idle.set()
        self.clients = ClientServer(
            config,
            self.spool,
            self.incarnation,
            self._context,
            RunWindows(self.spool, self.attribution),
            ingest_idle,
        )
        self.ingest = BatchIngest(
            self.spool,
            config.limits,
            self.attribution,
            self.clients.wake,
            self.clients.announce_run,
            ingest_idle,
        )
        self.viewer = RelayViewerServer(
            config.viewer_host,
            config.viewer_port,
            self.ingest,
            self._clear_state,
            max_message_bytes=config.limits.viewer_socket_max_bytes,
        )
        self.watcher = RunWatcher(self.spool, self.attribution, self.clients.wake)
        self._threads: list[threading.Thread] = []

    def _clear_state(self) -> str:
        run_id = self.attribution.start_run()
        if run_id != UNATTRIBUTED:  # else the first batch names the run
            _run, created = self.spool.open_run(run_id)
            if created:
                self.clients.announce_run(run_id)
        return run_id

    def start(self) -> None:
        """Bind every socket; raise if one cannot be bound."""
        for name, target in (
            ("viewer", self.viewer.serve_forever),
            ("clients", self.clients.serve_forever),
        ):
            ready = threading.Event()
            failure: list[BaseException] = []

            def run(target=target, ready=ready, failure=failure) -> None:
                try:
                    target(ready)
                except BaseException as error:
                    failure.append(error)
                    ready.set()
                    raise

            thread = threading.Thread(target=run, name=f"relay-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
            if not ready.wait(START_TIMEOUT) or failure:
                self.stop()
                raise RelayError(
                    f"relay {name} socket did not start: {failure[0] if failure else 'timeout'}"
                )
        self.watcher.start()

    def describe(self) -> dict[str, Any]:
        """Everything a client or launcher needs, for the ``ready`` event."""
        config = self.config
        public_key = None
        if config.curve_secret_key_file is not None:
            public_key = load_server_keys(config.curve_secret_key_file)[0].decode()
        return {
            "viewer_host": config.viewer_host,
            "viewer_port": config.viewer_port,
            "viewer_control_port": config.viewer_port + CONTROL_PORT_OFFSET,
            "stream_host": config.stream_host,
            "stream_port": self.clients.bound_port,
            "protocol": PROTOCOL_VERSION,
            "incarnation": self.incarnation,
            "spool_id": self.spool.spool_id,
            "spool_dir": str(config.spool_dir),
            "curve_public_key": public_key,
        }

    def stop(self) -> None:
        """Stop serving and close the spool."""
        self.viewer.request_stop()
        self.clients.request_stop()
        self.watcher.stop()
        for thread in self._threads:
            thread.join(timeout=5.0)
        self.spool.close()
        self._context.destroy(linger=0)  # also closes the wake sockets other threads made
