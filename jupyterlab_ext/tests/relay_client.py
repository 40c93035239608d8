"""A small Python client of the relay stream, for tests and benchmarks (see
docs/relay-stream-protocol.md).

Usage::

    with RelayClient("tcp://127.0.0.1:5600") as client:
        client.subscribe(execution_id)
        for event in client.events(execution_id, timeout=60):
            if isinstance(event, RelayItem):
                print(event.seq, event.components, event.array.shape)

The client keeps, per run, the next seq it expects; it hides nothing: a seq
arrives once as an item or inside a gap, duplicates are counted and dropped, and
after a relay restart (a new ``incarnation``) it says hello again and resumes
every run from where it stood.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import zmq

PROTOCOL_VERSION = 1


class RelayClientError(Exception):
    """Base of relay client errors; ``code`` is stable."""

    code = "ERR_RELAY_CLIENT"


class RelayProtocolError(RelayClientError):
    """The relay sent something this protocol version does not allow."""

    code = "ERR_RELAY_PROTOCOL"


class RelayRefusedError(RelayClientError):
    """The relay answered ``error`` (its code and field are kept)."""

    def __init__(self, code: str, message: str, field: str | None) -> None:
        super().__init__(f"[{code}] {message}" + (f" (field {field!r})" if field else ""))
        self.code, self.field = code, field


@dataclass(frozen=True)
class RelayItem:
    """One image or shape set, with its header as sent."""

    execution_id: str
    seq: int
    header: dict[str, Any]
    array: np.ndarray | None
    #: A preview's payload frame as it crossed (its encoded bytes); empty otherwise.
    payload: bytes = b""

    @property
    def components(self) -> dict[str, Any]:
        """Component coordinates: well, site, channel, z_index, timepoint."""
        return self.header["components"]


@dataclass(frozen=True)
class RelayGap:
    """Seqs ``from_seq..to_seq`` will never arrive (``evicted`` or ``lost``)."""

    execution_id: str
    from_seq: int
    to_seq: int
    reason: str


@dataclass(frozen=True)
class RelayEnd:
    """The run is over; everything up to ``last_seq`` was delivered or reported."""

    execution_id: str
    last_seq: int
    status: str


@dataclass
class _Run:
    next_seq: int = 1
    ended: bool = False
    delivery: str = "full"


@dataclass(frozen=True)
class _Received:
    message: Any
    size: int


@dataclass
class _Credit:
    items: int
    bytes: int
    used_items: int = 0
    used_bytes: int = 0


def decode_message(frames: list[bytes]) -> dict[str, Any] | RelayItem:
    """Decode one relay message: a header dict, or a :class:`RelayItem` with its pixels.

    Raises
    ------
    RelayProtocolError
        Malformed JSON, a missing field, or a payload of the wrong length.
    """
    try:
        header = json.loads(frames[0])
    except (UnicodeDecodeError, json.JSONDecodeError, IndexError) as error:
        raise RelayProtocolError(f"header is not JSON: {error}") from error
    if not isinstance(header, dict) or not isinstance(header.get("type"), str):
        raise RelayProtocolError("header is not an object with a string 'type'")
    if header["type"] == "plane":
        return _decode_plane(header, frames)
    if header["type"] == "file":
        # A file reply carries the file's bytes in a second frame (§4.1).
        if len(frames) != 2 or len(frames[1]) != header.get("size"):
            raise RelayProtocolError("file message: payload does not match size")
        return {"header": header, "payload": frames[1]}
    if header["type"] != "item":
        if len(frames) != 1:
            raise RelayProtocolError(f"{header['type']} message has {len(frames)} frames")
        return header
    try:
        execution_id, seq, kind = header["execution_id"], int(header["seq"]), header["kind"]
        if kind == "image" and header.get("payload") == "preview":
            array = _decode_preview(header, frames)
        elif kind == "image":
            dtype = np.dtype(header["dtype"]).newbyteorder("<")
            shape = tuple(int(d) for d in header["shape"])
            if len(frames) != 2 or len(frames[1]) != int(header["nbytes"]):
                raise RelayProtocolError(
                    f"item {execution_id}#{seq}: payload does not match nbytes"
                )
            array = np.frombuffer(frames[1], dtype=dtype).reshape(shape)
        elif kind == "shapes":
            if len(frames) != 1 or not isinstance(header["shapes"], list):
                raise RelayProtocolError(f"item {execution_id}#{seq}: shapes item is malformed")
            array = None
        else:
            raise RelayProtocolError(f"item {execution_id}#{seq}: unknown kind {kind!r}")
    except (KeyError, TypeError, ValueError) as error:
        raise RelayProtocolError(f"item header is malformed: {error}") from error
    # A preview's frame as it crossed (encoded or not); full-resolution payloads are not kept twice.
    payload = frames[1] if header.get("payload") == "preview" and len(frames) > 1 else b""
    return RelayItem(execution_id, seq, header, array, bytes(payload))


def _decode_preview(header: dict[str, Any], frames: list[bytes]) -> np.ndarray | None:
    """An image in previews delivery: its ``height × width`` uint8 preview, or None (§4.2)."""
    preview = header["preview"]
    if preview is None:
        if len(frames) != 1:
            raise RelayProtocolError(f"item #{header['seq']}: preview null but a payload frame")
        return None
    width, height = int(preview["width"]), int(preview["height"])
    pixels = _decoded(frames[1], preview.get("encoding", "raw")) if len(frames) == 2 else b""
    if len(pixels) != width * height:
        raise RelayProtocolError(f"item #{header['seq']}: preview frame is not width × height")
    return np.frombuffer(pixels, dtype=np.uint8).reshape(height, width)


def _decoded(payload: bytes, encoding: str) -> bytes:
    """A payload's raw bytes: ``blosc`` decoded (§4.3), ``raw`` as it is."""
    if encoding != "blosc":
        return payload
    import numcodecs

    return numcodecs.Blosc().decode(payload)


def _decode_plane(header: dict[str, Any], frames: list[bytes]) -> dict[str, Any]:
    """A ``plane`` reply: its header, its bytes as sent, and the decoded array (§4.2)."""
    if len(frames) != 2 or len(frames[1]) != header.get("encoded_bytes"):
        raise RelayProtocolError("plane message: payload does not match encoded_bytes")
    raw = _decoded(frames[1], header["encoding"])
    if len(raw) != header["nbytes"]:
        raise RelayProtocolError("plane message: decoded bytes do not match nbytes")
    dtype = np.dtype(header["dtype"]).newbyteorder("<")
    array = np.frombuffer(raw, dtype=dtype).reshape(tuple(header["shape"]))
    return {"header": header, "payload": frames[1], "array": array}


@dataclass
class RelayClient:
    """DEALER client with credit-based flow control and resume.

    Parameters
    ----------
    address
        ``tcp://host:port`` of the relay's stream port.
    curve_server_key
        The relay's Z85 public key, when it runs CURVE.
    credit_items, credit_bytes
        The window granted to the relay; it never has more than this in flight.
    silence_timeout
        Seconds without any message after which the client says hello again.
    """

    address: str
    curve_server_key: str | None = None
    client_name: str = "openhcs-remote python client"
    credit_items: int = 32
    credit_bytes: int = 64 * 1024 * 1024
    silence_timeout: float = 3.0
    duplicates: int = 0
    incarnations: list[str] = field(default_factory=list)
    _socket: zmq.Socket | None = None
    _runs: dict[str, _Run] = field(default_factory=dict)
    _credit: _Credit | None = None
    _last_heard: float = 0.0
    _pending: list[_Received] = field(default_factory=list)
    _hello_nonce: int = 0
    _request_id: int = 0

    def __enter__(self) -> RelayClient:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self, *, timeout: float = 10.0) -> dict[str, Any]:
        """Open the socket and say hello; return the ``welcome`` message."""
        socket = zmq.Context.instance().socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        if self.curve_server_key is not None:
            public, secret = zmq.curve_keypair()
            socket.curve_publickey, socket.curve_secretkey = public, secret
            socket.curve_serverkey = self.curve_server_key.encode()
        socket.connect(self.address)
        self._socket = socket
        return self._hello(timeout)

    def _hello(self, timeout: float) -> dict[str, Any]:
        self._hello_nonce += 1
        self._send(
            {
                "type": "hello",
                "protocol": PROTOCOL_VERSION,
                "client_name": self.client_name,
                "nonce": self._hello_nonce,
            }
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self._recv(deadline - time.monotonic())
            if received is None:
                continue
            message = received.message
            if isinstance(message, dict) and message["type"] == "welcome":
                if self._on_welcome(message):
                    return message
            elif not _about_an_old_session(message):
                # Items, gaps and ends are kept for receive(). Heartbeats and ERR_NO_SESSION
                # answer what was sent before this hello: handled after the welcome, they
                # would start yet another session and the relay would send items twice.
                self._pending.append(received)
        raise TimeoutError(f"no welcome from relay {self.address} within {timeout:g}s")

    def _on_welcome(self, message: dict[str, Any]) -> bool:
        """Start the new session: resubscribe every open run and grant credit.

        Only the answer to the latest ``hello`` counts; older ones are stale.
        """
        if message.get("nonce") != self._hello_nonce:
            return False
        self.welcome = message
        self.incarnations.append(message["incarnation"])
        self._credit = _Credit(self.credit_items, self.credit_bytes)
        for execution_id, run in self._runs.items():
            if not run.ended:
                self._send(
                    {
                        "type": "subscribe",
                        "execution_id": execution_id,
                        "from_seq": run.next_seq,
                        "delivery": run.delivery,
                    }
                )
        self._send({"type": "credit", "items": self.credit_items, "bytes": self.credit_bytes})
        return True

    def subscribe(
        self,
        execution_id: str,
        from_seq: int | None = None,
        delivery: str = "full",
        preview_encoding: str = "raw",
    ) -> None:
        """Follow a run from ``from_seq`` (default: where this client stands, 1 for a new run).

        ``delivery`` ``"previews"`` gets each image's 8-bit preview instead of its pixels, its
        bytes Blosc-compressed with ``preview_encoding="blosc"``.
        """
        run = self._runs.setdefault(execution_id, _Run())
        if from_seq is not None:
            run.next_seq = from_seq
        run.delivery = delivery
        self._send(
            {
                "type": "subscribe",
                "execution_id": execution_id,
                "from_seq": run.next_seq,
                "delivery": delivery,
                **({} if preview_encoding == "raw" else {"preview_encoding": preview_encoding}),
            }
        )

    def request(self, message: dict[str, Any], *, timeout: float = 20.0) -> dict[str, Any]:
        """Send a request with a fresh ``request_id``; return its reply.

        Raises :class:`RelayRefusedError` if the relay answers ``error``; other messages that
        arrive meanwhile are kept for :meth:`receive`.
        """
        self._request_id += 1
        request_id = self._request_id
        self._send({**message, "request_id": request_id})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self._recv(deadline - time.monotonic())
            if received is None:
                continue
            reply = received.message
            header = reply.get("header", reply) if isinstance(reply, dict) else None
            if isinstance(header, dict) and header.get("request_id") == request_id:
                if header["type"] == "error":
                    raise RelayRefusedError(header["code"], header["message"], header["field"])
                return reply
            self._pending.append(received)
        raise TimeoutError(f"no reply to request {request_id} within {timeout:g}s")

    def fetch_plane(self, execution_id: str, seq: int, encoding: str = "raw") -> dict[str, Any]:
        """Fetch one plane at full resolution: ``{"header", "payload", "array"}``."""
        return self.request(
            {"type": "fetch_plane", "execution_id": execution_id, "seq": seq, "encoding": encoding}
        )

    def ping(self, nonce: int = 0, *, timeout: float = 10.0) -> dict[str, Any]:
        """Ping the relay and return its ``pong`` (other messages are kept for later)."""
        self._send({"type": "ping", "nonce": nonce})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self._recv(deadline - time.monotonic())
            if received is None:
                continue
            message = received.message
            if isinstance(message, dict) and message.get("type") == "pong":
                if message.get("nonce") == nonce:
                    return message
                continue
            self._pending.append(received)
        raise TimeoutError(f"no pong within {timeout:g}s")

    def receive(self, timeout: float) -> RelayItem | RelayGap | RelayEnd | dict[str, Any] | None:
        """Return the next event, or None after ``timeout`` seconds of nothing new."""
        deadline = time.monotonic() + timeout
        while True:
            if self._pending:
                received: _Received | None = self._pending.pop(0)
            else:
                # Wait in slices of the silence timeout, so a relay that went away (no heartbeat,
                # no item) is noticed and greeted again while the caller is still waiting.
                remaining = max(0.0, deadline - time.monotonic())
                received = self._recv(min(remaining, self.silence_timeout))
            if received is None:
                if time.monotonic() - self._last_heard > self.silence_timeout:
                    self._rehello()
                if time.monotonic() >= deadline:
                    return None
                continue
            event = self._accept(received.message, received.size)
            if event is not None:
                return event

    def events(
        self, execution_id: str, *, timeout: float
    ) -> Iterator[RelayItem | RelayGap | RelayEnd]:
        """Yield one run's items and gaps, then its end; ``TimeoutError`` on ``timeout`` silence."""
        while True:
            event = self.receive(timeout)
            if event is None:
                raise TimeoutError(f"nothing from run {execution_id} for {timeout:g}s")
            if (
                isinstance(event, RelayItem | RelayGap | RelayEnd)
                and event.execution_id == execution_id
            ):
                yield event
                if isinstance(event, RelayEnd):
                    return

    def close(self) -> None:
        """Say bye and close."""
        if self._socket is not None:
            try:
                self._send({"type": "bye"})
            finally:
                self._socket.close(linger=0)
                self._socket = None

    def _accept(
        self, message: Any, size: int
    ) -> RelayItem | RelayGap | RelayEnd | dict[str, Any] | None:
        if isinstance(message, RelayItem):
            self._spend(size)
            run = self._runs.setdefault(message.execution_id, _Run())
            if message.seq < run.next_seq:
                self.duplicates += 1
                return None
            if message.seq > run.next_seq:
                raise RelayProtocolError(
                    f"run {message.execution_id}: seq {message.seq} skips {run.next_seq}"
                )
            run.next_seq = message.seq + 1
            return message
        kind = message["type"]
        if kind == "gap":
            self._spend(size)
            run = self._runs.setdefault(message["execution_id"], _Run())
            gap = RelayGap(
                message["execution_id"],
                int(message["from_seq"]),
                int(message["to_seq"]),
                message["reason"],
            )
            if gap.to_seq < run.next_seq:  # re-sent after a hello: already counted
                self.duplicates += 1
                return None
            if gap.from_seq > run.next_seq:
                raise RelayProtocolError(
                    f"run {gap.execution_id}: gap starts at {gap.from_seq}, expected {run.next_seq}"
                )
            gap = RelayGap(gap.execution_id, run.next_seq, gap.to_seq, gap.reason)
            run.next_seq = gap.to_seq + 1
            return gap
        if kind == "end":
            self._spend(size)
            run = self._runs.setdefault(message["execution_id"], _Run())
            run.ended = True
            return RelayEnd(message["execution_id"], int(message["last_seq"]), message["status"])
        if kind == "heartbeat":
            if self.incarnations and message["incarnation"] not in self.incarnations:
                self._rehello()  # a relay we have not met: the old one restarted
            return None
        if kind == "error":
            if message.get("code") == "ERR_NO_SESSION":
                self._rehello()
                return None
            raise RelayRefusedError(
                message.get("code", "?"), message.get("message", ""), message.get("field")
            )
        if kind == "welcome":  # the answer to a hello sent while the relay was away
            self._on_welcome(message)
            return None
        return message  # run_started, pong

    def _spend(self, size: int) -> None:
        """Count a credit-consuming message; hand the credit back once half is used."""
        credit = self._credit
        if credit is None:
            return
        credit.used_items += 1
        credit.used_bytes += size
        if credit.used_items * 2 >= credit.items or credit.used_bytes * 2 >= credit.bytes:
            self._send({"type": "credit", "items": credit.used_items, "bytes": credit.used_bytes})
            credit.used_items = credit.used_bytes = 0

    def _rehello(self) -> None:
        self._last_heard = time.monotonic()
        with contextlib.suppress(TimeoutError):  # still unreachable: retry after the next silence
            self._hello(timeout=1.0)

    def _send(self, message: dict[str, Any]) -> None:
        assert self._socket is not None
        self._socket.send(json.dumps(message).encode(), zmq.NOBLOCK)

    def _recv(self, timeout: float) -> _Received | None:
        assert self._socket is not None
        if not self._socket.poll(int(timeout * 1000)):
            return None
        frames = self._socket.recv_multipart()
        self._last_heard = time.monotonic()
        return _Received(decode_message(frames), sum(len(frame) for frame in frames))


def _about_an_old_session(message: Any) -> bool:
    """Whether a message received while waiting for a welcome concerns the session before it."""
    if not isinstance(message, dict):
        return False
    if message["type"] == "heartbeat":
        return True
    return message["type"] == "error" and message.get("code") == "ERR_NO_SESSION"
