"""A relay killed and restarted keeps numbering, serves what it stored, and names what it lost."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
from fake_producer import send_images
from relay_client import RelayClient, RelayEnd, RelayGap, RelayItem
from test_relay_pipeline import routed_run

IMAGE = np.arange(32 * 32, dtype=np.uint16).reshape(32, 32)


def test_a_client_reading_across_a_relay_kill_gets_every_item_once(server, plate):
    execution_id = routed_run(server, plate)
    assert server.wait_finished(execution_id)["status"] == "complete"
    seqs: list[int] = []
    with RelayClient(server.stream_address, credit_items=2, silence_timeout=2.0) as client:
        client.subscribe(execution_id)
        while len(seqs) < 4:
            event = client.receive(10)
            if isinstance(event, RelayItem):
                seqs.append(event.seq)
        events_before = len(server.events)
        os.kill(server.relay["pid"], signal.SIGKILL)
        restarted = server.wait_event("relay_restarted", after=events_before, timeout=30)
        assert restarted["relay"]["spool_id"] == server.ready["relay"]["spool_id"]
        rest = list(client.events(execution_id, timeout=30))
        assert client.duplicates == 0
        assert len(set(client.incarnations)) == 2
    seqs += [e.seq for e in rest if isinstance(e, RelayItem)]
    assert seqs == list(range(1, 13))
    assert not any(isinstance(e, RelayGap) for e in rest)
    assert isinstance(rest[-1], RelayEnd) and rest[-1].status == "complete"


def test_a_record_torn_by_a_crash_is_reported_lost_with_its_exact_seq(standalone_relay):
    port = standalone_relay.description["viewer_port"]
    for _ in range(3):
        assert send_images(port, [IMAGE, IMAGE + 1])["status"] == "success"  # seqs 1..6
    standalone_relay.kill()
    spool = standalone_relay.launch.spool_dir
    segment = max((spool / "runs" / "unattributed").glob("seg-*.log"))
    os.truncate(segment, segment.stat().st_size - 100)  # the last item, half written
    standalone_relay.start()
    assert send_images(port, [IMAGE])["status"] == "success"
    address = f"tcp://127.0.0.1:{standalone_relay.description['stream_port']}"
    with RelayClient(address) as client:
        client.subscribe("unattributed")
        events = []
        while len(events) < 7:
            event = client.receive(5)
            assert event is not None, events
            if isinstance(event, RelayItem | RelayGap):
                events.append(event)
    items = [e.seq for e in events if isinstance(e, RelayItem)]
    gaps = [(e.from_seq, e.to_seq, e.reason) for e in events if isinstance(e, RelayGap)]
    assert items == [1, 2, 3, 4, 5, 7]
    assert gaps == [(6, 6, "lost")]
    np.testing.assert_array_equal(events[4].array, IMAGE)


def test_a_spool_over_budget_evicts_the_oldest_items_and_reports_the_range(tmp_path):
    from openhcs_remote.server.relay.process import RelayLaunch, RelayProcess

    relay = RelayProcess(
        RelayLaunch(
            viewer_port=0, stream_port=0, spool_dir=tmp_path / "spool", spool_max_bytes=8 << 20
        ),
        log_path=tmp_path / "relay.log",
    )
    relay.start()
    try:
        big = np.ones((512, 512), dtype=np.uint16)  # 512 KiB; segments are 1 MiB
        for _ in range(40):
            assert send_images(relay.description["viewer_port"], [big])["status"] == "success"
        time.sleep(0.2)
        spooled = sum(f.stat().st_size for f in (tmp_path / "spool").rglob("seg-*.log"))
        assert spooled <= (8 << 20) + (1 << 20)
        with RelayClient(f"tcp://127.0.0.1:{relay.description['stream_port']}") as client:
            run = next(r for r in client.welcome["runs"] if r["execution_id"] == "unattributed")
            client.subscribe("unattributed")
            first = client.receive(5)
            while not isinstance(first, RelayGap):
                first = client.receive(5)
            second = client.receive(5)
    finally:
        relay.stop()
    assert first.from_seq == 1 and first.reason == "evicted"
    assert first.to_seq == run["first_seq"] - 1 > 0
    assert isinstance(second, RelayItem) and second.seq == run["first_seq"]
