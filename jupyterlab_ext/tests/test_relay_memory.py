"""The relay's memory: a client that never reads costs it its credit window and slows no
producer; one that reads everything leaves it flat, whatever went through."""

from __future__ import annotations

import time

import numpy as np
import psutil
import zmq
from fake_producer import send_images
from relay_client import RelayClient, RelayItem

MIB = 1 << 20


def test_memory_stays_bounded_and_replies_stay_fast_while_a_client_never_reads(standalone_relay):
    description = standalone_relay.description
    stalled = zmq.Context.instance().socket(zmq.DEALER)
    stalled.setsockopt(zmq.RCVHWM, 1)
    stalled.setsockopt(zmq.RCVBUF, 64 * 1024)
    stalled.connect(f"tcp://127.0.0.1:{description['stream_port']}")
    try:
        stalled.send_json({"type": "hello", "protocol": 1, "client_name": "never reads"})
        stalled.send_json({"type": "subscribe", "execution_id": "unattributed", "from_seq": 1})
        stalled.send_json({"type": "credit", "items": 1000, "bytes": 10**12})  # clipped to 256 MiB
        relay = psutil.Process(standalone_relay.pid)
        image = np.random.default_rng(1).integers(0, 65535, (2048, 2048), dtype=np.uint16)
        send_images(description["viewer_port"], [image])
        baseline = relay.memory_info().rss
        slowest = 0.0
        for _ in range(80):  # 640 MiB of pixels through the relay
            started = time.perf_counter()
            assert send_images(description["viewer_port"], [image])["status"] == "success"
            slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.5)
        growth = relay.memory_info().rss - baseline
    finally:
        stalled.close(linger=0)
    assert slowest < 2.0, f"a reply took {slowest:.2f}s"
    # The credit window (256 MiB) may sit in ZeroMQ's queue; nothing beyond it may.
    assert growth < 256 * MIB + 64 * MIB, f"relay grew by {growth / MIB:.0f} MiB"


def test_memory_stays_flat_while_a_client_reads_every_image(standalone_relay):
    """The spool is mapped to send from; what was sent must not stay in the relay's memory.

    Measured: 80 MiB after 648 MiB, the spool segments still mapped (64 MiB each); a relay that
    kept what it sent would grow by all of it.
    """
    description = standalone_relay.description
    relay = psutil.Process(standalone_relay.pid)
    image = np.random.default_rng(2).integers(0, 65535, (2048, 2048), dtype=np.uint16)
    count = 80  # 640 MiB of pixels through the relay
    address = f"tcp://127.0.0.1:{description['stream_port']}"
    with RelayClient(address, credit_items=64, credit_bytes=128 * MIB) as client:
        client.subscribe("unattributed", from_seq=1)
        send_images(description["viewer_port"], [image])
        baseline = relay.memory_info().rss
        received = 0

        def take(timeout: float) -> bool:
            nonlocal received
            event = client.receive(timeout)
            if isinstance(event, RelayItem):
                assert np.array_equal(event.array, image)
                received += 1
            return event is not None

        for _ in range(count):
            assert send_images(description["viewer_port"], [image])["status"] == "success"
            while take(0):
                pass
        while received < count + 1 and take(30):
            pass
        time.sleep(0.5)
        growth = relay.memory_info().rss - baseline
    assert received == count + 1
    assert growth < 256 * MIB, f"relay grew by {growth / MIB:.0f} MiB serving {count * 8} MiB"
