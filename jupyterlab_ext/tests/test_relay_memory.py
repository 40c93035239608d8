"""A client that never reads costs the relay its credit window, and slows no producer."""

from __future__ import annotations

import time

import numpy as np
import psutil
import zmq
from fake_producer import send_images

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
