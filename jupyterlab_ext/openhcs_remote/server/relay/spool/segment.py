"""One spool segment file: an append-only log of records, recoverable after a crash.

Record layout (little-endian)::

    "OHRS"  kind:u8  pad:3  seq_from:u64  seq_to:u64  header_len:u32  payload_len:u64
    crc32:u32 (of the 36 bytes above and the header)   header   payload

``kind`` 1 reserves ``seq_from..seq_to`` for a batch before its items are
written, 2 is one item (its header and payload are the frames sent to clients),
3 ends the run (header: status). A record cut short by a crash is found by its
lengths or checksum and cut off; the payload is not checksummed (speed).
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = struct.Struct("<4sB3xQQIQ")
CRC = struct.Struct("<I")
FIXED = PREFIX.size + CRC.size
MAGIC = b"OHRS"
RESERVE, ITEM, END = 1, 2, 3
NO_RECORD = -1


@dataclass
class Record:
    """A record's place in its segment (as found by :func:`scan`)."""

    kind: int
    seq_from: int
    seq_to: int
    offset: int
    header_len: int
    payload_len: int

    @property
    def end(self) -> int:
        """Offset just past this record."""
        return self.offset + FIXED + self.header_len + self.payload_len


def encode_prefix(kind: int, seq_from: int, seq_to: int, header: bytes, payload_len: int) -> bytes:
    """Return the fixed part of a record, checksum included, for ``header``."""
    prefix = PREFIX.pack(MAGIC, kind, seq_from, seq_to, len(header), payload_len)
    return prefix + CRC.pack(zlib.crc32(header, zlib.crc32(prefix)))


def scan(path: Path) -> tuple[list[Record], int]:
    """Read every whole record of ``path``; return them and the offset where they stop.

    Anything after that offset is a torn or corrupt tail.
    """
    records: list[Record] = []
    size = path.stat().st_size
    offset = 0
    with path.open("rb") as handle:
        while offset + FIXED <= size:
            handle.seek(offset)
            fixed = handle.read(FIXED)
            magic, kind, seq_from, seq_to, header_len, payload_len = PREFIX.unpack_from(fixed)
            (crc,) = CRC.unpack_from(fixed, PREFIX.size)
            record = Record(kind, seq_from, seq_to, offset, header_len, payload_len)
            if magic != MAGIC or kind not in (RESERVE, ITEM, END) or record.end > size:
                break
            header = handle.read(header_len)
            if zlib.crc32(header, zlib.crc32(fixed[: PREFIX.size])) != crc:
                break
            records.append(record)
            offset = record.end
    return records, offset


@dataclass
class Segment:
    """One segment file of one run and the index of the items it holds.

    Parameters
    ----------
    path
        The file.
    number
        Spool-wide creation number; the lowest is evicted first.
    first_seq
        Seq of the segment's first item slot.
    """

    path: Path
    number: int
    first_seq: int
    size: int = 0
    offsets: array = field(default_factory=lambda: array("q"))
    header_lens: array = field(default_factory=lambda: array("I"))
    payload_lens: array = field(default_factory=lambda: array("Q"))
    fd: int | None = None
    writable: bool = False
    #: The file mapped read-only up to its size when last mapped; remapped when it grew.
    mapped: memoryview | None = None

    @property
    def last_seq(self) -> int:
        """Seq of the last item slot (``first_seq - 1`` when empty)."""
        return self.first_seq + len(self.offsets) - 1

    def add_item(self, record: Record) -> None:
        """Index an item record; skipped seqs become holes."""
        while self.last_seq < record.seq_from - 1:
            self.offsets.append(NO_RECORD)
            self.header_lens.append(0)
            self.payload_lens.append(0)
        self.offsets.append(record.offset)
        self.header_lens.append(record.header_len)
        self.payload_lens.append(record.payload_len)

    def has(self, seq: int) -> bool:
        """Whether the item ``seq`` is stored here."""
        index = seq - self.first_seq
        return 0 <= index < len(self.offsets) and self.offsets[index] != NO_RECORD

    def read(self, seq: int) -> tuple[bytes, memoryview]:
        """Header and payload of item ``seq`` (which must be stored here).

        The payload is a view of the file mapped in memory, not a copy: the page cache is the
        buffer ZeroMQ sends from (zero-copy), so an 8 MiB item costs no read and no allocation.
        The view keeps its mapping (and a deleted file's pages) alive until ZeroMQ is done.
        """
        index = seq - self.first_seq
        start = self.offsets[index] + FIXED
        header_end = start + self.header_lens[index]
        end = header_end + self.payload_lens[index]
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDONLY)
        mapped = self.mapped
        if mapped is None or len(mapped) < end:
            size = os.fstat(self.fd).st_size
            if size < end:  # shorter than its index says: read what is there, as it is
                data = memoryview(os.pread(self.fd, end - start, start))
                return data[: header_end - start].tobytes(), data[header_end - start :]
            # A new mapping per growth of the file being appended to; the old one lives on
            # until the views handed out of it are released.
            mapped = self.mapped = memoryview(mmap.mmap(self.fd, size, prot=mmap.PROT_READ))
        return mapped[start:header_end].tobytes(), mapped[header_end:end]

    def items(self) -> Iterator[int]:
        """Seqs stored here, in order."""
        for index, offset in enumerate(self.offsets):
            if offset != NO_RECORD:
                yield self.first_seq + index

    def close(self) -> None:
        """Release the read descriptor; the mapping goes once no view of it is in use."""
        self.mapped = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
