"""Previews go ahead of full resolution, and making them never holds up the send loop."""

from __future__ import annotations

import json
import time

import numpy as np
from fake_producer import batch, blocks, item, send_images, send_raw
from relay_client import RelayClient, RelayItem

#: Items OpenHCS's image browser streams land in the relay's ``manual`` run; a pipeline's
#: without an execution server in ``unattributed``: two runs from one fake producer.
FULL_RUN, PREVIEWS_RUN = "unattributed", "manual"


def _address(relay) -> str:
    return f"tcp://127.0.0.1:{relay.description['stream_port']}"


def _images(count: int, size: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 4096, (size, size), dtype=np.uint16) for _ in range(count)]


def _send_manual(port: int, arrays: list[np.ndarray]) -> dict:
    with blocks(arrays) as names:
        items = []
        for index, (name, array) in enumerate(zip(names, arrays, strict=True)):
            entry = item(name, array, site=index + 1)
            entry["producer_identity"] = {**entry["producer_identity"], "origin": "image_browser"}
            items.append(entry)
        return send_raw(port, json.dumps(batch(items)).encode())


def test_within_a_session_a_full_resolution_backlog_never_goes_ahead_of_previews(
    standalone_relay,
):
    port = standalone_relay.description["viewer_port"]
    # Two messages of credit: what the relay may have sent before the previews existed.
    with RelayClient(_address(standalone_relay), credit_items=2, credit_bytes=1 << 30) as client:
        client.subscribe(FULL_RUN)
        client.subscribe(PREVIEWS_RUN, delivery="previews")
        assert send_images(port, _images(8, 512, seed=1))["status"] == "success"
        time.sleep(0.3)  # the relay sends what credit allows of the full-resolution backlog
        assert _send_manual(port, _images(8, 512, seed=2))["status"] == "success"
        order = []
        while len(order) < 16:
            event = client.receive(20)
            assert event is not None, f"only {order} arrived"
            if isinstance(event, RelayItem):
                order.append((event.execution_id, event.seq))
    previews = [index for index, (run, _seq) in enumerate(order) if run == PREVIEWS_RUN]
    # At most the two full-resolution planes in flight before the previews came, then every
    # preview in a row, then the rest of the backlog.
    assert previews == list(range(previews[0], previews[0] + 8)) and previews[0] <= 2, order
    assert [seq for run, seq in order if run == PREVIEWS_RUN] == list(range(1, 9))
    assert [seq for run, seq in order if run == FULL_RUN] == list(range(1, 9))


def test_a_session_is_answered_while_previews_of_a_large_backlog_are_being_made(
    standalone_relay,
):
    port = standalone_relay.description["viewer_port"]
    count = 24  # 2048² uint16 planes: tens of ms of preview work each, seconds in all
    for first in range(0, count, 8):
        arrays = _images(8, 2048, seed=first)
        assert send_images(port, arrays, well=f"B{first:02d}")["status"] == "success"
    with (
        RelayClient(_address(standalone_relay)) as watcher,
        RelayClient(_address(standalone_relay)) as other,
    ):
        watcher.subscribe(FULL_RUN, delivery="previews")
        first_preview = watcher.receive(30)
        assert isinstance(first_preview, RelayItem) and first_preview.seq == 1
        started = time.perf_counter()
        other.ping(nonce=1)
        answered = time.perf_counter() - started
        received = 1
        while received < count:
            event = watcher.receive(60)
            assert event is not None, f"{received} of {count} previews arrived"
            received += isinstance(event, RelayItem)
        all_made = time.perf_counter() - started
    # Before, the send loop made each preview itself and answered nobody meanwhile: the ping
    # waited for the whole backlog. Now it is answered while the worker is still making them.
    assert answered < 0.25 * all_made, f"ping {answered:.3f}s, previews {all_made:.3f}s"
