"""The shim's end of the stdio framing (docs/sidecar-protocol.md §2).

One frame: ``u32 BE header length``, ``u32 BE payload length``, a UTF-8 JSON object, the raw
payload. Image bytes travel as the payload, never inside the JSON.
"""

from __future__ import annotations

import json
import struct
from typing import IO, Any

from .shim_errors import ProtocolError

MAX_HEADER_BYTES = 64 * 1024 * 1024
MAX_PAYLOAD_BYTES = 0xFFFF_FFFF
_PREFIX = struct.Struct(">II")


def encode_frame(header: dict[str, Any], payload: bytes | None = None) -> bytes:
    """Return the bytes of one frame."""
    data = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    size = 0 if payload is None else len(payload)
    if len(data) > MAX_HEADER_BYTES:
        raise ProtocolError(f"frame header of {len(data)} bytes exceeds {MAX_HEADER_BYTES}")
    if size > MAX_PAYLOAD_BYTES:
        raise ProtocolError(f"frame payload of {size} bytes exceeds {MAX_PAYLOAD_BYTES}")
    return _PREFIX.pack(len(data), size) + data + (payload or b"")


def read_frame(stream: IO[bytes]) -> tuple[dict[str, Any], bytearray | None] | None:
    """Read one frame from a blocking binary stream; ``None`` at a clean end of stream.

    Raises
    ------
    ProtocolError
        The stream ended inside a frame, or a header is too large or not a JSON object.
    """
    prefix = _read_exactly(stream, _PREFIX.size, allow_eof=True)
    if prefix is None:
        return None
    header_size, payload_size = _PREFIX.unpack(prefix)
    if header_size == 0 or header_size > MAX_HEADER_BYTES:
        raise ProtocolError(f"frame header length {header_size} out of range")
    raw = _read_exactly(stream, header_size)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError(f"frame header is not JSON: {error}") from error
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    payload = _read_exactly(stream, payload_size) if payload_size else None
    return header, payload


def _read_exactly(stream: IO[bytes], size: int, *, allow_eof: bool = False) -> bytearray | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = stream.readinto(view[got:])  # type: ignore[attr-defined]  # BufferedReader
        if not count:
            if got == 0 and allow_eof:
                return None
            raise ProtocolError(f"stream ended {size - got} bytes before the end of a frame")
        got += count
    return buffer
