"""The bounded on-disk spool: every item the relay acknowledged, by run and seq.

Layout::

    <spool>/spool.json                 {"format": 1, "spool_id": ...}
    <spool>/runs/<run>/run.json        numbering, evictions, losses, end
    <spool>/runs/<run>/seg-<n>.log     records (``segment.py``)

Writes go to the page cache before OpenHCS gets its reply, so a killed relay
loses nothing it acknowledged (a power cut can, unless ``fsync`` is on). Beyond
``max_bytes`` the oldest closed segments are deleted; what they held is then
reported to clients as an ``evicted`` gap, never hidden.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import threading
import time
import uuid
from pathlib import Path

from openhcs_remote.server.relay.relay_errors import SpoolError
from openhcs_remote.server.relay.spool.recovery import recover_run
from openhcs_remote.server.relay.spool.run import Lookup, SpooledRun
from openhcs_remote.server.relay.spool.segment import (
    END,
    ITEM,
    RESERVE,
    Record,
    Segment,
    encode_prefix,
)

FORMAT = 1
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")


def _lock_directory(directory: Path) -> int:
    """Hold an exclusive lock on the spool: two relays must never share one."""
    descriptor = os.open(directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        os.close(descriptor)
        raise SpoolError(f"spool {directory} is in use by another relay") from error
    return descriptor


class Spool:
    """Thread-safe store of runs; one writer (the viewer thread), many readers.

    Two locks: writers take ``_write_lock`` for a whole append and ``_lock`` only to change the
    index; readers take only ``_lock``. So writing an 8 MiB image to disk (tens of ms) never
    holds up the thread that sends to clients: they see the item once it is indexed.

    Parameters
    ----------
    directory
        Created if missing; an existing spool is recovered.
    max_bytes
        Disk budget; the active segment of each run may exceed it by one segment.
    fsync
        ``fsync`` after each batch (survives power loss).
    """

    def __init__(self, directory: Path, max_bytes: int, *, fsync: bool = False) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.segment_bytes = max(1 << 20, min(64 << 20, max_bytes // 16))
        self.fsync = fsync
        self._lock = threading.RLock()
        self._write_lock = threading.RLock()  # always taken before ``_lock``, never inside it
        self._runs: dict[str, SpooledRun] = {}
        self._next_segment = 1
        self._next_order = 1
        (directory / "runs").mkdir(parents=True, exist_ok=True)
        self._lock_fd = _lock_directory(directory)
        self.spool_id = self._spool_id()
        for run_dir in sorted((directory / "runs").iterdir()):
            if (run_dir / "run.json").exists():
                run = recover_run(run_dir)
                self._runs[run.execution_id] = run
                self._next_order = max(self._next_order, run.order + 1)
                for segment in run.segments:
                    self._next_segment = max(self._next_segment, segment.number + 1)

    def _spool_id(self) -> str:
        marker = self.directory / "spool.json"
        if marker.exists():
            try:
                content = json.loads(marker.read_text())
            except (OSError, json.JSONDecodeError) as error:
                raise SpoolError(f"unreadable spool marker {marker}: {error}") from error
            if content.get("format") != FORMAT:
                raise SpoolError(f"spool {self.directory} has format {content.get('format')!r}")
            return str(content["spool_id"])
        spool_id = str(uuid.uuid4())
        marker.write_text(json.dumps({"format": FORMAT, "spool_id": spool_id}))
        return spool_id

    @property
    def total_bytes(self) -> int:
        """Return the bytes of all segment files."""
        with self._lock:
            return sum(s.size for run in self._runs.values() for s in run.segments)

    def run(self, execution_id: str) -> SpooledRun | None:
        """Return the run, or None if the spool never saw it."""
        with self._lock:
            return self._runs.get(execution_id)

    def summaries(self) -> list[dict[str, object]]:
        """Return every run, oldest first, as listed in ``welcome``."""
        with self._lock:
            runs = sorted(self._runs.values(), key=lambda run: run.order)
            return [run.summary() for run in runs]

    def open_run(self, execution_id: str) -> tuple[SpooledRun, bool]:
        """Return the run, creating it if new; the flag says whether it was created."""
        with self._lock:
            run = self._runs.get(execution_id)
            if run is not None:
                return run, False
            name = (
                execution_id
                if SAFE_NAME.match(execution_id)
                else ("h-" + hashlib.sha256(execution_id.encode()).hexdigest()[:32])
            )
            directory = self.directory / "runs" / name
            directory.mkdir(parents=True, exist_ok=True)
            run = SpooledRun(execution_id, directory, self._next_order, time.time())
            self._next_order += 1
            run.save_metadata()
            self._runs[execution_id] = run
            return run, True

    def note_output_root(self, run: SpooledRun, root: str) -> None:
        """Remember where OpenHCS writes the run's outputs (kept in ``run.json``)."""
        with self._write_lock, self._lock:
            if run.output_root is None:
                run.output_root = root
                run.save_metadata()

    def reserve(self, run: SpooledRun, count: int) -> int:
        """Reserve seqs for ``count`` items before they are written; return the first."""
        with self._write_lock:
            first = run.reserved_through + 1
            self._append(run, RESERVE, first, first + count - 1, b"{}", b"")
            run.reserved_through = first + count - 1
            return first

    def append_item(
        self,
        run: SpooledRun,
        seq: int,
        header: bytes,
        payload: bytes | memoryview,
        plane: bytes | None = None,
    ) -> None:
        """Store item ``seq`` (already reserved); readers see it at once.

        ``plane`` is its slot in the run's plane index (``plane_index.plane_entry``).
        """
        with self._write_lock:
            record = self._append(run, ITEM, seq, seq, header, payload)
            with self._lock:
                if plane is not None:
                    run.planes.write(seq, plane)
                run.segments[-1].add_item(record)
                run.committed_through = seq
                self._evict()

    def give_up(self, run: SpooledRun, first: int, last: int) -> None:
        """Report reserved seqs ``first..last`` as lost (their write failed)."""
        with self._write_lock, self._lock:
            run.add_lost(first, last)
            run.committed_through = max(run.committed_through, last)
            run.save_metadata()

    def finish_batch(self, run: SpooledRun) -> None:
        """Make the batch durable as configured (``fsync`` or page cache)."""
        with self._write_lock:
            if self.fsync and run.append_fd is not None:
                os.fsync(run.append_fd)

    def end_run(self, run: SpooledRun, status: str) -> None:
        """Mark the run over; clients get ``end`` after its last item."""
        with self._write_lock:
            if run.ended:
                return
            body = json.dumps({"status": status}).encode()
            self._append(run, END, run.reserved_through, run.reserved_through, body, b"")
            with self._lock:
                run.committed_through = run.reserved_through  # before ``ended``: readers skip it
                run.ended, run.status = True, status
                self._close_append(run)
                run.save_metadata()

    def lookup(self, run: SpooledRun, seq: int) -> Lookup:
        """Return what a client at cursor ``seq`` should get next."""
        with self._lock:
            return run.lookup(seq)

    def plane_entry(self, run: SpooledRun, seq: int) -> dict[str, object] | None:
        """Return what the plane index holds for ``seq`` (None: nothing)."""
        with self._lock:
            return run.planes.read(seq)

    def close(self) -> None:
        """Close every file and release the directory."""
        with self._write_lock, self._lock:
            for run in self._runs.values():
                self._close_append(run)
                run.planes.close()
                for segment in run.segments:
                    segment.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None

    def _append(
        self,
        run: SpooledRun,
        kind: int,
        seq_from: int,
        seq_to: int,
        header: bytes,
        payload: bytes | memoryview,
    ) -> Record:
        """Write one record (the caller holds ``_write_lock``); readers wait only for the roll."""
        payload_len = len(payload) if isinstance(payload, bytes) else payload.nbytes
        with self._lock:
            if (
                not run.segments
                or run.append_fd is None
                or run.segments[-1].size >= self.segment_bytes
            ):
                self._roll(run, seq_from)
            segment, descriptor = run.segments[-1], run.append_fd
        assert descriptor is not None
        prefix = encode_prefix(kind, seq_from, seq_to, header, payload_len)
        record = Record(kind, seq_from, seq_to, segment.size, len(header), payload_len)
        written = os.writev(descriptor, [prefix, header, payload])
        if written != record.end - record.offset:  # a short write: finish it or fail loudly
            data = memoryview(b"".join([prefix, header, bytes(payload)]))[written:]
            while data:
                data = data[os.write(descriptor, data) :]
        with self._lock:
            segment.size = record.end
        return record

    def _roll(self, run: SpooledRun, first_seq: int) -> None:
        self._close_append(run)
        path = run.directory / f"seg-{self._next_segment:010d}.log"
        segment = Segment(path, self._next_segment, first_seq, writable=True)
        self._next_segment += 1
        run.append_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        run.segments.append(segment)

    def _close_append(self, run: SpooledRun) -> None:
        if run.append_fd is not None:
            os.close(run.append_fd)
            run.append_fd = None
        if run.segments:
            run.segments[-1].writable = False

    def _evict(self) -> None:
        while self.total_bytes > self.max_bytes:
            candidates = [
                (segment.number, run)
                for run in self._runs.values()
                for segment in run.segments[:1]
                if not segment.writable
            ]
            if not candidates:
                return
            _number, run = min(candidates, key=lambda pair: pair[0])
            segment = run.segments.pop(0)
            segment.close()
            segment.path.unlink(missing_ok=True)
            through = run.segments[0].first_seq - 1 if run.segments else run.committed_through
            run.evicted_through = max(run.evicted_through, through)
            run.lost = [(a, b) for a, b in run.lost if b > run.evicted_through]
            run.save_metadata()
