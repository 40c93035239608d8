"""Per run, what the relay needs to serve a plane after the spool evicted its pixels.

``planes.idx`` holds one fixed slot of :data:`SLOT_BYTES` per seq (seq ``s`` at offset
``(s - 1) * SLOT_BYTES``): the item's kind, its path, shape, dtype, plane info and the crc32 of
its pixels as JSON, padded with spaces. Fixed slots make a lookup one ``pread`` and keep nothing
in memory per item; a seq never written reads as zeros (a sparse hole). An entry that does not
fit keeps only its kind and ``"truncated": true``, so the relay can say why it cannot serve it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SLOT_BYTES = 512
FILE_NAME = "planes.idx"


def plane_entry(header: dict[str, Any], crc32: int) -> bytes:
    """Return the slot for an item header (``stream_frames.item_header``), padded to size.

    ``crc32`` is ``zlib.crc32`` of the item's payload (little-endian, C order).
    """
    entry: dict[str, Any] = {"kind": header["kind"]}
    if header["kind"] == "image":
        entry.update(
            path=header["path"],
            shape=header["shape"],
            dtype=header["dtype"],
            crc32=crc32,
            **{
                key: header[key]
                for key in ("plane_axis", "plane_component_values", "source_channel_axis")
                if key in header
            },
        )
    encoded = json.dumps(entry, separators=(",", ":")).encode()
    if len(encoded) > SLOT_BYTES:
        encoded = json.dumps({"kind": header["kind"], "truncated": True}).encode()
    return encoded.ljust(SLOT_BYTES, b" ")


class PlaneIndex:
    """The ``planes.idx`` of one run directory (opened on first use)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self._fd: int | None = None

    def _descriptor(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    def write(self, seq: int, slot: bytes) -> None:
        """Store the slot of ``seq`` (from :func:`plane_entry`)."""
        os.pwrite(self._descriptor(), slot, (seq - 1) * SLOT_BYTES)

    def read(self, seq: int) -> dict[str, Any] | None:
        """Return the entry of ``seq``, or None if none was written (or it is unreadable)."""
        if seq < 1 or not self.path.exists():
            return None
        raw = os.pread(self._descriptor(), SLOT_BYTES, (seq - 1) * SLOT_BYTES)
        text = raw.rstrip(b" \x00")
        if not text:
            return None
        try:
            entry = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        return entry if isinstance(entry, dict) else None

    def close(self) -> None:
        """Release the descriptor."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
