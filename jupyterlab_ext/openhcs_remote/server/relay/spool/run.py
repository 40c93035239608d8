"""The state of one run in the spool: its segments, and which seqs it can still serve."""

from __future__ import annotations

import bisect
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openhcs_remote.server.relay.spool.plane_index import PlaneIndex
from openhcs_remote.server.relay.spool.segment import Segment


@dataclass
class Lookup:
    """What the spool holds at a cursor: an item, a gap, or nothing yet."""

    kind: str  # "item", "gap" or "wait"
    header: bytes = b""
    payload: bytes | memoryview = b""
    to_seq: int = 0
    reason: str = ""


@dataclass
class SpooledRun:
    """One run (one execution id) in the spool.

    Seqs ``1..evicted_through`` were evicted; ``lost`` lists ranges that were
    numbered but never stored (a crash mid-batch, a failed write). Items up to
    ``committed_through`` are readable; ``reserved_through`` is the last number given out.
    """

    execution_id: str
    directory: Path
    order: int
    created_at: float
    segments: list[Segment] = field(default_factory=list)
    reserved_through: int = 0
    committed_through: int = 0
    evicted_through: int = 0
    lost: list[tuple[int, int]] = field(default_factory=list)
    ended: bool = False
    status: str | None = None
    #: OpenHCS's output plate directory for this run, learnt from its first image's path:
    #: the only directory the relay serves the run's files from (``run_files.py``).
    output_root: str | None = None
    append_fd: int | None = None
    #: Path, shape and dtype per seq, kept after eviction (``plane_index.py``).
    planes: PlaneIndex = field(init=False)

    def __post_init__(self) -> None:
        self.planes = PlaneIndex(self.directory)

    @property
    def first_available(self) -> int | None:
        """Lowest seq that may still be served, or None when nothing is held."""
        return self.evicted_through + 1 if self.committed_through > self.evicted_through else None

    def summary(self) -> dict[str, Any]:
        """Return the run as listed in ``welcome``."""
        return {
            "execution_id": self.execution_id,
            "first_seq": self.first_available,
            "last_seq": self.committed_through,
            "ended": self.ended,
            "status": self.status,
        }

    def add_lost(self, first: int, last: int) -> None:
        """Record ``first..last`` as numbered but never stored."""
        if last >= first:
            self.lost.append((first, last))
            self.lost.sort()

    def lookup(self, seq: int) -> Lookup:
        """Return what to send a client whose cursor is at ``seq``."""
        if seq > self.committed_through:
            return Lookup("wait")
        if seq <= self.evicted_through:
            return Lookup("gap", to_seq=self.evicted_through, reason="evicted")
        for first, last in self.lost:
            if first <= seq <= last:
                return Lookup("gap", to_seq=last, reason="lost")
        starts = [segment.first_seq for segment in self.segments]
        index = bisect.bisect_right(starts, seq) - 1
        # Segments may share a first seq: one opened after a restart to hold only the run's end
        # record starts at the last item's seq. Look back until a segment has the item.
        for segment in reversed(self.segments[: index + 1]):
            if segment.has(seq):
                header, payload = segment.read(seq)
                return Lookup("item", header=header, payload=payload)
            if segment.first_seq < seq:
                break
        return Lookup("gap", to_seq=seq, reason="lost")  # a hole no record explains

    def metadata(self) -> dict[str, Any]:
        """Return what ``run.json`` keeps: numbering and gaps survive eviction and restarts."""
        return {
            "execution_id": self.execution_id,
            "order": self.order,
            "created_at": self.created_at,
            "reserved_through": self.reserved_through,
            "evicted_through": self.evicted_through,
            "lost": [list(pair) for pair in self.lost],
            "ended": self.ended,
            "status": self.status,
            "output_root": self.output_root,
        }

    def save_metadata(self) -> None:
        """Rewrite ``run.json`` atomically."""
        target = self.directory / "run.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.metadata()))
        os.replace(temporary, target)
