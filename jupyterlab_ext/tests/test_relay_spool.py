"""The spool on its own: numbering, torn tails, eviction, and one relay per directory."""

from __future__ import annotations

import pytest

from openhcs_remote.server.relay.relay_errors import SpoolError
from openhcs_remote.server.relay.spool import Spool


def fill(spool: Spool, run_id: str, count: int, payload: bytes = b"p" * 100) -> None:
    run, _ = spool.open_run(run_id)
    first = spool.reserve(run, count)
    for offset in range(count):
        spool.append_item(run, first + offset, b'{"n":%d}' % (first + offset), payload)


def test_numbering_continues_after_a_restart_and_a_half_written_batch_is_lost(tmp_path):
    spool = Spool(tmp_path, 1 << 30)
    fill(spool, "run", 3)
    run = spool.run("run")
    first = spool.reserve(run, 2)  # numbered, then the process dies after one item
    spool.append_item(run, first, b"{}", b"x")
    spool.close()
    reopened = Spool(tmp_path, 1 << 30)
    run = reopened.run("run")
    assert run.lost == [(5, 5)] and run.committed_through == 5
    assert reopened.lookup(run, 5).reason == "lost"
    assert reopened.reserve(run, 1) == 6


def test_eviction_keeps_the_budget_and_reports_a_prefix(tmp_path):
    spool = Spool(tmp_path, 4 << 20)
    for _ in range(30):
        fill(spool, "run", 1, payload=b"x" * (512 << 10))
    run = spool.run("run")
    assert spool.total_bytes <= (4 << 20) + spool.segment_bytes
    found = spool.lookup(run, 1)
    assert found.kind == "gap" and found.reason == "evicted"
    assert spool.lookup(run, found.to_seq + 1).kind == "item"


def test_ending_a_run_survives_a_restart(tmp_path):
    spool = Spool(tmp_path, 1 << 30)
    fill(spool, "run", 2)
    spool.end_run(spool.run("run"), "failed")
    spool.close()
    run = Spool(tmp_path, 1 << 30).run("run")
    assert run.ended and run.status == "failed" and run.committed_through == 2


def test_two_relays_never_share_a_spool(tmp_path):
    first = Spool(tmp_path, 1 << 30)
    with pytest.raises(SpoolError, match="in use"):
        Spool(tmp_path, 1 << 30)
    first.close()
    Spool(tmp_path, 1 << 30).close()


def test_the_last_item_is_served_after_a_restart_that_only_ended_the_run(tmp_path):
    # A relay restarted after the last item opens a fresh segment for the end record alone,
    # starting at that item's seq; the item must still be found in the segment before it.
    spool = Spool(tmp_path, 1 << 30)
    fill(spool, "run", 3)
    spool.close()
    reopened = Spool(tmp_path, 1 << 30)
    run = reopened.run("run")
    reopened.end_run(run, "complete")
    assert [reopened.lookup(run, seq).kind for seq in (1, 2, 3)] == ["item"] * 3
    assert reopened.lookup(run, 3).header == b'{"n":3}'


def test_the_plane_index_outlives_eviction_and_restarts_in_fixed_slots(tmp_path):
    from openhcs_remote.server.relay.spool import plane_entry

    spool = Spool(tmp_path, 4 << 20)
    run, _ = spool.open_run("run")
    header = {"kind": "image", "path": "/p/A01.tif", "shape": [512, 512], "dtype": "uint16"}
    long_path = {**header, "path": "/p/" + "x" * 600}
    for seq in range(1, 31):
        spool.reserve(run, 1)
        described = long_path if seq == 2 else {**header, "path": f"/p/{seq}.tif"}
        spool.append_item(run, seq, b"{}", b"x" * (512 << 10), plane_entry(described, seq))
    assert spool.lookup(run, 1).reason == "evicted"
    spool.close()
    reopened = Spool(tmp_path, 4 << 20)
    run = reopened.run("run")
    assert reopened.plane_entry(run, 1) == {**header, "path": "/p/1.tif", "crc32": 1}
    assert reopened.plane_entry(run, 2) == {"kind": "image", "truncated": True}
    assert reopened.plane_entry(run, 31) is None  # never numbered
    index = run.directory / "planes.idx"
    assert index.stat().st_size == 30 * 512  # a few hundred bytes per item, nothing else
