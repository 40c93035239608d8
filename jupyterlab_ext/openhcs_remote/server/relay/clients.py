"""The client-facing half: a ROUTER socket serving sessions from the spool."""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from typing import Any

import zmq

from openhcs_remote import __version__
from openhcs_remote.server.relay import stream_frames as frames
from openhcs_remote.server.relay.client_messages import (
    ClientMessage,
    parse_client_message,
    request_id_of,
)
from openhcs_remote.server.relay.config import RelayConfig
from openhcs_remote.server.relay.curve import apply_curve
from openhcs_remote.server.relay.plane_fetch import fetch_plane
from openhcs_remote.server.relay.preview_delivery import PreviewFrames
from openhcs_remote.server.relay.relay_errors import (
    ClientMessageError,
    NoSessionError,
    TooManyClientsError,
)
from openhcs_remote.server.relay.run_files import list_run_files, read_run_file
from openhcs_remote.server.relay.run_windows import RunWindows
from openhcs_remote.server.relay.sessions import MAX_SUBSCRIPTIONS, Session, Subscription
from openhcs_remote.server.relay.spool import Spool

logger = logging.getLogger(__name__)
WAKE = "inproc://openhcs-remote-relay-wake"
SENDS_PER_LOOP = 64


class ClientServer:
    """Serve stream clients until stopped; run :meth:`serve_forever` in its own thread.

    Parameters
    ----------
    config
        Ports, limits, CURVE.
    spool
        What to serve.
    incarnation
        This relay process's id (new at every start).
    context
        The ZeroMQ context (shared with :meth:`wake` callers).
    windows
        Where each run wrote its files (for ``list_files`` / ``fetch_file``).
    ingest_idle
        Set while no OpenHCS batch is being handled: previews are made only then.
    """

    def __init__(
        self,
        config: RelayConfig,
        spool: Spool,
        incarnation: str,
        context: zmq.Context,
        windows: RunWindows,
        ingest_idle: threading.Event,
    ) -> None:
        self._config, self._spool, self._incarnation = config, spool, incarnation
        self._windows = windows
        self._limits = config.limits
        self._context = context
        self._sessions: dict[bytes, Session] = {}
        self._announcements: collections.deque[dict[str, Any]] = collections.deque(maxlen=1000)
        self._previews = PreviewFrames(self.wake, ingest_idle)
        self._local = threading.local()
        self._stop = threading.Event()
        self.bound_port: int | None = None

    def wake(self) -> None:
        """Tell the serving thread there is news (callable from any thread)."""
        socket = getattr(self._local, "socket", None)
        if socket is None:
            socket = self._context.socket(zmq.PUSH)
            socket.setsockopt(zmq.LINGER, 0)
            socket.setsockopt(zmq.SNDHWM, 16)
            socket.connect(WAKE)
            self._local.socket = socket
        with contextlib.suppress(zmq.Again):  # plenty of wake-ups are queued already
            socket.send(b"", zmq.NOBLOCK)

    def announce_run(self, execution_id: str) -> None:
        """Tell every session a new run began (any thread)."""
        self._announcements.append(frames.run_started(execution_id))
        self.wake()

    def request_stop(self) -> None:
        """Stop serving (within 50 ms)."""
        self._stop.set()

    def serve_forever(self, ready: threading.Event) -> None:
        """Bind, signal ``ready``, serve until :meth:`request_stop`."""
        wake = self._context.socket(zmq.PULL)
        wake.bind(WAKE)
        router = self._context.socket(zmq.ROUTER)
        router.setsockopt(zmq.LINGER, 0)
        router.setsockopt(zmq.ROUTER_MANDATORY, 1)
        router.setsockopt(zmq.ROUTER_HANDOVER, 1)
        router.setsockopt(zmq.MAXMSGSIZE, self._limits.max_client_message_bytes)
        router.setsockopt(zmq.SNDHWM, self._limits.max_credit_items + 1000)
        authenticator = apply_curve(router, self._context, self._config)
        self.bound_port = _bind(router, self._config.stream_host, self._config.stream_port)
        ready.set()
        poller = zmq.Poller()
        poller.register(router, zmq.POLLIN)
        poller.register(wake, zmq.POLLIN)
        busy = False
        next_housekeeping = 0.0
        try:
            while not self._stop.is_set():
                events = dict(poller.poll(0 if busy else 50))
                if wake in events:
                    while wake.poll(0):
                        wake.recv()
                for _ in range(256):
                    if not router.poll(0):
                        break
                    self._receive(router, router.recv_multipart())
                while self._announcements:
                    announcement = frames.encode_json(self._announcements.popleft())
                    for session in list(self._sessions.values()):
                        self._send_control(router, session, announcement)
                busy = self._pump(router)
                if time.monotonic() >= next_housekeeping:
                    self._housekeeping(router)
                    next_housekeeping = time.monotonic() + 0.1
        finally:
            self._previews.close()
            router.close(linger=0)
            wake.close(linger=0)
            if authenticator is not None:
                authenticator.stop()

    def _receive(self, router: zmq.Socket, parts: list[bytes]) -> None:
        identity, body = parts[0], parts[1:]
        session = self._sessions.get(identity)
        if session is not None:
            session.last_heard = time.monotonic()
        try:
            message = parse_client_message(body)
            self._handle(router, identity, session, message)
        except ClientMessageError as error:
            reply = frames.error(error.code, str(error), error.field, request_id_of(body))
            self._send_raw(router, identity, [frames.encode_json(reply)])

    def _handle(
        self, router: zmq.Socket, identity: bytes, session: Session | None, message: ClientMessage
    ) -> None:
        fields = message.fields
        if message.type == "hello":
            if session is None and len(self._sessions) >= self._limits.max_clients:
                raise TooManyClientsError(
                    f"the relay serves {self._limits.max_clients} clients already"
                )
            session = Session(identity, fields["client_name"])
            self._sessions[identity] = session
            welcome = frames.welcome(
                incarnation=self._incarnation,
                spool_id=self._spool.spool_id,
                runs=self._spool.summaries(),
                limits=self._limits,
                heartbeat_interval=self._config.heartbeat_interval,
                session_timeout=self._config.session_timeout,
                relay_version=__version__,
                viewer_port=self._config.viewer_port,
                nonce=fields["nonce"],
            )
            self._send_control(router, session, frames.encode_json(welcome))
            return
        if session is None:
            raise NoSessionError("no session: send hello first (the relay may have restarted)")
        if message.type == "subscribe":
            self._subscribe(session, **fields)
        elif message.type == "unsubscribe":
            session.subscriptions.pop(fields["execution_id"], None)
        elif message.type == "credit":
            session.add_credit(
                fields["items"],
                fields["bytes"],
                self._limits.max_credit_items,
                self._limits.max_credit_bytes,
            )
        elif message.type == "ping":
            self._send_control(router, session, frames.encode_json(frames.pong(fields["nonce"])))
        elif message.type == "bye":
            self._sessions.pop(identity, None)
        elif message.type == "list_files":
            window = self._windows.window(fields["execution_id"])
            listing = list_run_files(window, fields["under"])
            reply = frames.files(fields["execution_id"], fields["request_id"], listing)
            self._send_control(router, session, frames.encode_json(reply))
        elif message.type == "fetch_file":
            window = self._windows.window(fields["execution_id"])
            described, data = read_run_file(window, fields["path"], self._limits.max_file_bytes)
            header = frames.file(fields["execution_id"], fields["request_id"], described)
            if self._send_raw(router, identity, [frames.encode_json(header), data]):
                session.last_sent = time.monotonic()
        elif message.type == "fetch_plane":
            described, data = fetch_plane(
                self._spool,
                self._windows,
                self._limits,
                fields["execution_id"],
                fields["seq"],
                fields["encoding"],
            )
            header = frames.plane(
                fields["execution_id"], fields["request_id"], fields["seq"], described
            )
            if self._send_raw(router, identity, [frames.encode_json(header), data]):
                session.last_sent = time.monotonic()

    def _subscribe(
        self,
        session: Session,
        execution_id: str,
        from_seq: int,
        delivery: str,
        preview_encoding: str,
    ) -> None:
        if (
            execution_id not in session.subscriptions
            and len(session.subscriptions) >= MAX_SUBSCRIPTIONS
        ):
            raise ClientMessageError(
                f"at most {MAX_SUBSCRIPTIONS} subscriptions", field="execution_id"
            )
        run = self._spool.run(execution_id)
        if run is not None and from_seq > run.reserved_through + 1:
            raise ClientMessageError(
                f"from_seq {from_seq} is past run {execution_id}'s last seq {run.reserved_through}",
                field="from_seq",
            )
        session.subscriptions[execution_id] = Subscription(
            execution_id, from_seq, delivery=delivery, preview_encoding=preview_encoding
        )

    def _pump(self, router: zmq.Socket) -> bool:
        """Send what credit allows, a round at a time; True if more could go now."""
        sent = 0
        progress = True
        while progress and sent < SENDS_PER_LOOP:
            progress = False
            for session in list(self._sessions.values()):
                if not session.can_send:
                    continue
                message = session.next_message(self._spool, self._previews)
                if message is None:
                    continue
                if not self._send_raw(router, session.identity, message.frames):
                    continue
                message.commit()
                session.charge(message)
                session.last_sent = time.monotonic()
                sent += 1
                progress = True
        return sent >= SENDS_PER_LOOP

    def _housekeeping(self, router: zmq.Socket) -> None:
        now = time.monotonic()
        for identity, session in list(self._sessions.items()):
            if now - session.last_heard > self._config.session_timeout:
                logger.info("dropping silent client %r", session.client_name)
                self._sessions.pop(identity, None)
            elif now - session.last_sent >= self._config.heartbeat_interval:
                self._send_control(
                    router, session, frames.encode_json(frames.heartbeat(self._incarnation))
                )

    def _send_control(self, router: zmq.Socket, session: Session, frame: bytes) -> None:
        if self._send_raw(router, session.identity, [frame]):
            session.last_sent = time.monotonic()

    def _send_raw(self, router: zmq.Socket, identity: bytes, parts: list[bytes]) -> bool:
        try:
            router.send_multipart([identity, *parts], flags=zmq.NOBLOCK, copy=len(parts) < 2)
        except zmq.Again:
            return False  # its queue is full: it is not reading; try again later
        except zmq.ZMQError as error:
            if error.errno == zmq.EHOSTUNREACH:  # gone; a reconnect says hello again
                self._sessions.pop(identity, None)
                return False
            raise
        return True


def _bind(socket: zmq.Socket, host: str, port: int) -> int:
    if port == 0:
        return socket.bind_to_random_port(f"tcp://{host}")
    socket.bind(f"tcp://{host}:{port}")
    return port
