"""Take one OpenHCS batch: validate, copy every block into the spool, then reply.

The reply is what releases the OpenHCS worker (it waits on REQ/REP, up to 30 s,
then fails its step). So the reply depends only on this function: parse, attach
blocks, write them to the spool, answer. Clients are never waited for; they read
the spool later. A batch that cannot be stored after it was numbered (disk full)
is still answered ``success`` and its seqs are reported to clients as lost:
failing the user's run over the relay's disk would be worse.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from openhcs_remote.server.relay.attribution import ExecutionAttribution
from openhcs_remote.server.relay.batch import IncomingBatch, IncomingItem, parse_batch
from openhcs_remote.server.relay.config import RelayLimits
from openhcs_remote.server.relay.plane_order import plane_order
from openhcs_remote.server.relay.relay_errors import BatchTooLargeError, RelayError
from openhcs_remote.server.relay.run_files import find_output_root
from openhcs_remote.server.relay.shm import AttachedBlock
from openhcs_remote.server.relay.spool import Spool, plane_entry
from openhcs_remote.server.relay.stream_frames import encode_json, item_header

logger = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """What one batch became: the reply for OpenHCS and the seqs stored per run."""

    reply: dict[str, Any]
    stored: dict[str, tuple[int, int]]
    image_ids: list[str]


class BatchIngest:
    """The OpenHCS-facing half of the relay.

    Parameters
    ----------
    spool
        Where items go.
    limits
        Size bounds.
    attribution
        Tells which execution a batch belongs to.
    on_stored
        Called after a batch is stored (wakes the client side).
    on_new_run
        Called with the execution id of each run a batch creates.
    idle
        Cleared while a batch is handled, set otherwise: work that can wait (previews) waits
        for it, so the OpenHCS worker waiting on the reply has the CPU and the GIL.
    """

    def __init__(
        self,
        spool: Spool,
        limits: RelayLimits,
        attribution: ExecutionAttribution,
        on_stored: Callable[[], None],
        on_new_run: Callable[[str], None],
        idle: threading.Event,
    ) -> None:
        self._spool, self._limits, self._attribution = spool, limits, attribution
        self._on_stored, self._on_new_run = on_stored, on_new_run
        self._idle = idle
        self.batches = 0

    def handle(self, raw: bytes) -> IngestResult:
        """Process one raw batch message; never raises."""
        self._idle.clear()
        try:
            return self._handle(raw)
        finally:
            self._idle.set()

    def _handle(self, raw: bytes) -> IngestResult:
        try:
            batch = parse_batch(raw, self._limits)
            with ExitStack() as blocks:
                attached: dict[int, AttachedBlock] = {}
                for item in batch.items:
                    if item.shm_name is not None:
                        block = AttachedBlock(item)
                        blocks.callback(block.close)
                        attached[item.index] = block
                stored = self._store(batch, attached)
        except RelayError as error:
            logger.warning("refused a batch: %s", error)
            return IngestResult({"status": "error", "type": "batch", "message": str(error)}, {}, [])
        self.batches += 1
        if stored:
            self._on_stored()
        text = ", ".join(f"{run} seq {a}..{b}" for run, (a, b) in stored.items()) or "empty batch"
        reply = {"status": "success", "type": "batch", "message": f"stored {text}"}
        return IngestResult(reply, stored, [item.image_id for item in batch.items])

    def _store(
        self, batch: IncomingBatch, attached: dict[int, AttachedBlock]
    ) -> dict[str, tuple[int, int]]:
        groups: dict[str, list[IncomingItem]] = {}
        for item in batch.items:
            run_id = self._attribution.run_for_batch(item.producer.get("origin"))
            groups.setdefault(run_id, []).append(item)
        for items in groups.values():
            for item in items:  # measure before numbering: a refused batch uses no seqs
                size = len(
                    encode_json(
                        item_header(
                            item, execution_id="", seq=0, component_names=batch.component_names
                        )
                    )
                )
                if size + 300 > self._limits.max_header_bytes:
                    raise BatchTooLargeError(
                        f"item header would be {size} bytes, limit {self._limits.max_header_bytes}",
                        field=f"images[{item.index}]",
                    )
        stored = {}
        for run_id, arrived in groups.items():
            items = plane_order(arrived)  # a well's first plane (its thumbnail) crosses first
            run, created = self._spool.open_run(run_id)
            if created:
                self._on_new_run(run_id)
            if run.output_root is None:
                root = find_output_root(item.path for item in items if item.kind == "image")
                if root is not None:
                    self._spool.note_output_root(run, root)
            first = self._spool.reserve(run, len(items))
            for offset, item in enumerate(items):
                seq = first + offset
                described = item_header(
                    item, execution_id=run_id, seq=seq, component_names=batch.component_names
                )
                header = encode_json(described)
                try:
                    self._write(run, seq, header, item, attached.get(item.index), described)
                except OSError as error:
                    logger.error("spool write failed at %s seq %d: %s", run_id, seq, error)
                    self._spool.give_up(run, seq, first + len(items) - 1)
                    break
            self._spool.finish_batch(run)
            stored[run_id] = (first, first + len(items) - 1)
        return stored

    def _write(
        self,
        run,
        seq: int,
        header: bytes,
        item: IncomingItem,
        block: AttachedBlock | None,
        described: dict[str, Any],
    ) -> None:
        # The checksum tells OpenHCS's file for this plane from one a later step overwrote
        # at the same path (``plane_fetch.py``); crc32 costs ~2.5 ms per 8 MiB.
        if block is not None:
            with block.view() as pixels:
                plane = plane_entry(described, zlib.crc32(pixels))
                self._spool.append_item(run, seq, header, pixels, plane)
        elif item.inline is not None:
            data = item.inline.tobytes()
            self._spool.append_item(
                run, seq, header, data, plane_entry(described, zlib.crc32(data))
            )
        else:
            self._spool.append_item(run, seq, header, b"", plane_entry(described, zlib.crc32(b"")))
