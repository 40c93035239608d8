"""Rebuild a run's state from its files after a restart (or a crash).

Torn tails are cut off. Every seq that was numbered (by a reserve record or
``run.json``) but has no whole item record becomes a ``lost`` range, so the
relay keeps numbering after the highest seq it ever gave out and reports the
missing ones exactly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from openhcs_remote.server.relay.relay_errors import SpoolError
from openhcs_remote.server.relay.spool.run import SpooledRun
from openhcs_remote.server.relay.spool.segment import END, ITEM, Segment, scan


def recover_run(directory: Path) -> SpooledRun:
    """Load ``run.json`` and index the run's segments.

    Raises
    ------
    SpoolError
        ``run.json`` is unreadable.
    """
    try:
        meta = json.loads((directory / "run.json").read_text())
        run = SpooledRun(
            execution_id=str(meta["execution_id"]),
            directory=directory,
            order=int(meta["order"]),
            created_at=float(meta["created_at"]),
            reserved_through=int(meta.get("reserved_through", 0)),
            evicted_through=int(meta.get("evicted_through", 0)),
            lost=[(int(a), int(b)) for a, b in meta.get("lost", [])],
            ended=bool(meta.get("ended", False)),
            status=meta.get("status"),
            output_root=meta.get("output_root"),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SpoolError(f"unreadable run metadata in {directory}: {error}") from error

    for path in sorted(directory.glob("seg-*.log")):
        records, good_end = scan(path)
        if good_end < path.stat().st_size:
            os.truncate(path, good_end)  # a record torn by a crash: never acknowledged
        if not records:
            path.unlink()
            continue
        segment = Segment(path, int(path.stem.split("-")[1]), records[0].seq_from, size=good_end)
        for record in records:
            run.reserved_through = max(run.reserved_through, record.seq_to)
            if record.kind == ITEM and record.seq_from > run.evicted_through:
                segment.add_item(record)
            elif record.kind == END:
                run.ended = True
                run.status = json.loads(_header(path, record.offset, record.header_len))["status"]
        run.segments.append(segment)

    expected = run.evicted_through + 1
    for segment in run.segments:
        for seq in segment.items():
            run.add_lost(expected, seq - 1)
            expected = seq + 1
    run.add_lost(expected, run.reserved_through)
    run.lost = _merge(run.lost)
    run.committed_through = run.reserved_through
    run.save_metadata()
    return run


def _header(path: Path, offset: int, length: int) -> bytes:
    from openhcs_remote.server.relay.spool.segment import FIXED

    with path.open("rb") as handle:
        handle.seek(offset + FIXED)
        return handle.read(length)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged
