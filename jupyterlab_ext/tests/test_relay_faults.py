"""Bad input from a (fake) producer or a client: a clear error, and the relay keeps serving."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest
import zmq
from fake_producer import batch, blocks, item, send_images, send_raw
from relay_client import RelayClient, RelayItem, RelayRefusedError

from openhcs_remote.server.control_client import control_request, loads_plain

IMAGE = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64)


def assert_still_serving(relay) -> None:
    reply = send_images(relay.description["viewer_port"], [IMAGE])
    assert reply["status"] == "success", reply


def viewer_port(relay) -> int:
    return relay.description["viewer_port"]


def test_a_batch_that_is_not_json_is_refused_and_the_relay_keeps_serving(standalone_relay):
    reply = send_raw(viewer_port(standalone_relay), b"\xff not json")
    assert reply["status"] == "error" and "ERR_BATCH_INVALID" in reply["message"]
    assert_still_serving(standalone_relay)


def test_a_missing_dtype_is_refused_naming_the_field(standalone_relay):
    with blocks([IMAGE]) as names:
        entry = item(names[0], IMAGE)
        del entry["dtype"]
        reply = send_raw(viewer_port(standalone_relay), json.dumps(batch([entry])).encode())
    assert reply["status"] == "error" and "images[0].dtype" in reply["message"]
    assert_still_serving(standalone_relay)


def test_a_dtype_or_shape_that_does_not_fit_the_block_is_refused(standalone_relay):
    with blocks([IMAGE]) as names:
        wrong_dtype = item(names[0], IMAGE.astype(np.float64))
        wrong_dtype["shm_name"] = names[0]
        reply = send_raw(viewer_port(standalone_relay), json.dumps(batch([wrong_dtype])).encode())
        assert reply["status"] == "error" and "ERR_SHM_BLOCK" in reply["message"]
        assert "needs 32768" in reply["message"] and "holds 8192" in reply["message"]
        wrong_shape = item(names[0], IMAGE)
        wrong_shape["shape"] = [32, 64]
        reply = send_raw(viewer_port(standalone_relay), json.dumps(batch([wrong_shape])).encode())
        assert reply["status"] == "error" and "ERR_SHM_BLOCK" in reply["message"]
    assert_still_serving(standalone_relay)


def test_a_block_that_vanished_before_the_relay_read_it_is_refused(standalone_relay):
    entry = item("ohrtest_gone000000", IMAGE)
    reply = send_raw(viewer_port(standalone_relay), json.dumps(batch([entry])).encode())
    assert reply["status"] == "error" and "does not exist" in reply["message"]
    assert "images[0].shm_name" in reply["message"]
    assert_still_serving(standalone_relay)


def test_oversized_batches_are_refused_with_their_size(standalone_relay):
    with blocks([IMAGE]) as names:
        many = batch([item(names[0], IMAGE) for _ in range(10_001)])
        reply = send_raw(viewer_port(standalone_relay), json.dumps(many).encode())
    assert reply["status"] == "error" and "ERR_BATCH_TOO_LARGE" in reply["message"]
    assert "10001 items" in reply["message"]
    huge = b'{"type": "batch", "images": [], "pad": "' + b"x" * (65 << 20) + b'"}'
    reply = send_raw(viewer_port(standalone_relay), huge)
    assert reply["status"] == "error" and "limit 67108864" in reply["message"]
    assert_still_serving(standalone_relay)


def test_a_refused_batch_uses_no_sequence_numbers(standalone_relay):
    assert_still_serving(standalone_relay)
    send_raw(viewer_port(standalone_relay), b"{}")
    assert_still_serving(standalone_relay)
    with RelayClient(f"tcp://127.0.0.1:{standalone_relay.description['stream_port']}") as client:
        client.subscribe("unattributed")
        seqs = []
        while len(seqs) < 2:
            event = client.receive(5)
            assert event is not None
            if isinstance(event, RelayItem):
                seqs.append(event.seq)
    assert seqs == [1, 2]


def test_the_control_port_answers_like_an_openhcs_086_viewer(standalone_relay):
    address = f"tcp://127.0.0.1:{standalone_relay.description['viewer_control_port']}"
    pong = control_request(address, {"type": "ping"})
    assert pong["type"] == "pong" and pong["ready"] is True and pong["server_role"] == "viewer"
    assert pong["application"] == {"application_id": "openhcs", "application_version": "0.8.6"}
    assert control_request(address, {"type": "clear_state"})["type"] == "clear_state_ack"
    settle = control_request(address, {"type": "settle"})
    assert settle["settle_phase"] == "complete" and settle["active_route"] is None
    refused = control_request(address, {"type": "force_shutdown"})
    assert refused["status"] == "error" and "shared" in refused["message"]
    assert control_request(address, {"type": "navigate"})["status"] == "error"


def test_a_control_request_that_would_build_an_object_is_refused(standalone_relay, tmp_path):
    marker = tmp_path / "executed"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    socket = zmq.Context.instance().socket(zmq.REQ)
    socket.setsockopt(zmq.RCVTIMEO, 5000)
    socket.connect(f"tcp://127.0.0.1:{standalone_relay.description['viewer_control_port']}")
    try:
        socket.send(pickle.dumps({"type": "ping", "payload": Exploit()}))
        reply = loads_plain(socket.recv())
    finally:
        socket.close(linger=0)
    assert reply["status"] == "error" and "refusing to build" in reply["message"]
    assert not marker.exists()


def test_a_malformed_client_message_gets_an_error_naming_the_field(standalone_relay):
    address = f"tcp://127.0.0.1:{standalone_relay.description['stream_port']}"
    with RelayClient(address) as client:
        client._send({"type": "subscribe", "execution_id": "", "from_seq": 1})
        with pytest.raises(RelayRefusedError) as refused:
            client.receive(5)
        assert refused.value.code == "ERR_FIELD" and refused.value.field == "execution_id"
        client._send({"type": "credit", "items": -1})
        with pytest.raises(RelayRefusedError) as refused:
            client.receive(5)
        assert refused.value.field == "items"
        client._send({"type": "teleport"})
        with pytest.raises(RelayRefusedError) as refused:
            client.receive(5)
        assert refused.value.code == "ERR_PROTOCOL"
    raw = zmq.Context.instance().socket(zmq.DEALER)
    raw.connect(address)
    try:
        raw.send(b'{"type": "credit", "items": 1, "bytes": 1}')
        assert raw.poll(5000)
        answer = json.loads(raw.recv())
        assert answer["code"] == "ERR_NO_SESSION"
    finally:
        raw.close(linger=0)
