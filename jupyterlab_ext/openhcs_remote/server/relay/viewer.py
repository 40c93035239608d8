"""The relay's face towards OpenHCS: a persistent external viewer.

Built on ``OpenHCSViewerServerABC`` of the installed openhcs 0.8.6 (its pong
carries OpenHCS's exact application identity, which OpenHCS compares before it
reuses an external viewer) and on zmqruntime's ``ZMQServer`` socket helpers. The
concrete OpenHCS viewers (``NapariViewerServer``, ``FijiViewerServer``) need
napari, Qt or PyImageJ, so the relay answers the same control messages itself.
"""

from __future__ import annotations

import contextlib
import io
import logging
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any

import zmq
from openhcs.runtime.viewer_protocol import OpenHCSViewerServerABC
from openhcs.runtime.zmq_config import OPENHCS_ZMQ_CONFIG
from zmqruntime.config import TransportMode

from openhcs_remote.server.relay.ingest import BatchIngest, IngestResult
from openhcs_remote.server.relay.relay_errors import ControlRequestError

logger = logging.getLogger(__name__)
CONTROL_MAX_BYTES = 1 << 20
#: Classes a legitimate 0.8.6 control request may carry (``state`` sends one).
ALLOWED_CLASSES = {("openhcs.runtime.viewer_controls", "ViewerStateControlOptions")}


class _ControlUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in ALLOWED_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to build {module}.{name}")


def load_control_request(raw: bytes) -> dict[str, Any]:
    """Unpickle a control request, building plain values only (and the allowlist)."""
    try:
        message = _ControlUnpickler(io.BytesIO(raw)).load()
    except Exception as error:  # any unpickling failure is the sender's fault
        raise ControlRequestError(f"undecodable control request: {error}") from error
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ControlRequestError(
            "control request must be a dict with a string 'type'", field="type"
        )
    return message


class RelayViewerServer(OpenHCSViewerServerABC):
    """Viewer data (REP, JSON) and control (REP, pickle) sockets of the relay.

    Parameters
    ----------
    host, port
        Bind address of the data socket; control is ``port + 1000``.
    ingest
        Stores batches.
    on_clear_state
        Called on ``clear_state`` (an execution starts streaming).
    max_message_bytes
        ``ZMQ_MAXMSGSIZE`` of the data socket.
    """

    _server_type = "openhcs_remote_relay"

    def __init__(
        self,
        host: str,
        port: int,
        ingest: BatchIngest,
        on_clear_state: Callable[[], str],
        *,
        max_message_bytes: int,
    ) -> None:
        super().__init__(
            port,
            viewer_type="openhcs_remote_relay",
            host=host,
            data_socket_type=zmq.REP,
            transport_mode=TransportMode.TCP,
            config=OPENHCS_ZMQ_CONFIG,
        )
        self._ingest, self._on_clear_state = ingest, on_clear_state
        self._max_message_bytes = max_message_bytes
        self._stop = threading.Event()
        self.batches_since_clear = 0

    def _setup_ack_socket(self) -> None:
        # Image acks only feed OpenHCS's queue display, and a PUSH with no
        # listener would block this thread once its queue fills: never wait.
        super()._setup_ack_socket()
        if self.ack_socket is not None:
            self.ack_socket.setsockopt(zmq.LINGER, 0)
            self.ack_socket.setsockopt(zmq.SNDTIMEO, 0)

    def send_ack(self, image_id: str, status: str = "success", error: str | None = None) -> None:
        """Best-effort ``ImageAck`` (dropped when nobody listens)."""
        with contextlib.suppress(zmq.ZMQError):
            super().send_ack(image_id, status, error)

    def bind_data_socket(self, context: zmq.Context) -> zmq.Socket:
        """REP data socket with a message-size limit."""
        socket = context.socket(zmq.REP)
        socket.setsockopt(zmq.LINGER, 0)
        socket.setsockopt(zmq.MAXMSGSIZE, self._max_message_bytes)
        socket.bind(self.data_transport_url())
        return socket

    def bind_control_socket(self, context: zmq.Context) -> zmq.Socket:
        """REP control socket with a message-size limit."""
        socket = super().bind_control_socket(context)
        socket.setsockopt(zmq.MAXMSGSIZE, CONTROL_MAX_BYTES)
        return socket

    def handle_control_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """Answer the control messages openhcs 0.8.6 sends to an external viewer."""
        kind = message["type"]
        if kind == "clear_state":
            run = self._on_clear_state()  # at most ~0.5 s: OpenHCS waits 2 s for this reply
            self.batches_since_clear = 0
            return {"status": "success", "type": "clear_state_ack", "message": f"relay run {run}"}
        if kind == "settle":  # nothing to render: settled as soon as replied
            count = self.batches_since_clear
            return {
                "status": "success",
                "type": "settle_ack",
                "message": "relay stores on receipt",
                "settle_phase": "complete",
                "completed_update_count": count,
                "total_update_count": count,
                "active_route": None,
                "active_route_work_unit_count": 0,
                "active_route_work_unit_active": False,
            }
        if kind == "state":
            return {"status": "success", "type": "state_ack", "layers": [], "layer_count": 0}
        if kind in ("shutdown", "force_shutdown"):
            # OpenHCS would then kill whatever holds the port (kill -9): refuse instead.
            return {
                "status": "error",
                "type": "shutdown_ack",
                "message": "the openhcs-remote relay is shared; stop it with openhcs-remote-server",
            }
        return {
            "status": "error",
            "type": "error",
            "message": f"Unsupported control message: {kind!r}.",
        }

    def handle_data_message(self, message: bytes) -> IngestResult:
        """Store one batch; return the reply and the stored image ids."""
        try:
            result = self._ingest.handle(message)
        except Exception as error:  # a relay bug must not leave the REP socket unanswered
            logger.exception("batch handling failed")
            reply = {"status": "error", "type": "batch", "message": f"[ERR_INTERNAL] {error}"}
            return IngestResult(reply, {}, [])
        if result.reply["status"] == "success":
            self.batches_since_clear += 1
        return result

    def display_image(self, image_data: Any, metadata: dict) -> None:
        """Not used: the relay displays nothing."""

    def serve_forever(self, ready: threading.Event) -> None:
        """Bind both sockets and answer until :meth:`request_stop`."""
        context = zmq.Context()
        data = self.bind_data_socket(context)
        control = self.bind_control_socket(context)
        self._running = True
        ready.set()
        poller = zmq.Poller()
        poller.register(data, zmq.POLLIN)
        poller.register(control, zmq.POLLIN)
        try:
            while not self._stop.is_set():
                events = dict(poller.poll(100))
                if control in events:
                    control.send(self._control_reply(control.recv()))
                if data in events:
                    raw = data.recv()
                    started = time.perf_counter()
                    result = self.handle_data_message(raw)
                    data.send_json(result.reply)
                    logger.info(
                        "batch of %d bytes answered in %.1f ms: %s",
                        len(raw),
                        (time.perf_counter() - started) * 1000,
                        result.reply["message"],
                    )
                    for image_id in result.image_ids:
                        self.send_ack(image_id)
        finally:
            data.close(linger=0)
            control.close(linger=0)
            context.term()
            if self.ack_socket is not None:
                self.ack_socket.close(linger=0)

    def _control_reply(self, raw: bytes) -> bytes:
        try:
            message = load_control_request(raw)
        except ControlRequestError as error:
            return self.serialize_control_response(
                {"status": "error", "type": "error", "message": str(error)}
            )
        return self.control_response_payload(message)

    def request_stop(self) -> None:
        """Stop serving (the loop exits within 100 ms)."""
        self._stop.set()
