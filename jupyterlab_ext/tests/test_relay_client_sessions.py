"""The Python relay client starts exactly one new session when the relay restarts.

A scripted ROUTER plays the relay (the real one cannot be made to interleave its messages
this way on demand): it welcomes the first hello, then behaves as a restarted relay does to a
client it does not know — answers its next messages with ERR_NO_SESSION, after an old
heartbeat still on the wire — and welcomes the second hello as a new incarnation.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import zmq
from relay_client import RelayClient

from openhcs_remote.server.relay import stream_frames as frames
from openhcs_remote.server.relay.config import RelayLimits


def welcome(incarnation: str, nonce: Any) -> bytes:
    message = frames.welcome(
        incarnation=incarnation,
        spool_id="spool",
        runs=[],
        limits=RelayLimits(),
        heartbeat_interval=1.0,
        session_timeout=30.0,
        relay_version="test",
        viewer_port=5555,
        nonce=nonce,
    )
    return frames.encode_json(message)


def scripted_relay(router: zmq.Socket, hellos: list[dict[str, Any]], stop: threading.Event) -> None:
    restarted = False
    while not stop.is_set():
        if not router.poll(50):
            continue
        identity, raw = router.recv_multipart()
        message = json.loads(raw)
        if message["type"] == "hello":
            hellos.append(message)
            incarnation = "second" if restarted else "first"
            router.send_multipart([identity, welcome(incarnation, message["nonce"])])
        elif message["type"] == "subscribe" and not restarted:
            restarted = True  # from here on, the relay no longer knows this client
            old = frames.encode_json(frames.heartbeat("first"))
            lost = frames.encode_json(frames.error("ERR_NO_SESSION", "no session"))
            router.send_multipart([identity, lost])
            router.send_multipart([identity, old])
            router.send_multipart([identity, lost])


def test_stale_no_session_errors_and_old_heartbeats_do_not_start_a_third_session():
    router = zmq.Context.instance().socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    hellos: list[dict[str, Any]] = []
    stop = threading.Event()
    relay = threading.Thread(target=scripted_relay, args=(router, hellos, stop), daemon=True)
    relay.start()
    try:
        with RelayClient(f"tcp://127.0.0.1:{port}", silence_timeout=5.0) as client:
            client.subscribe("run-1")
            assert client.receive(1.5) is None
            assert client.incarnations == ["first", "second"]
        assert [hello["nonce"] for hello in hellos] == [1, 2]
    finally:
        stop.set()
        relay.join()
        router.close(linger=0)
