"""Drivers for ``npm run bench -- stream``: OpenHCS's own sender, and the pyzmq baseline.

``openhcs PORT COUNT BATCH TAG``
    Stream COUNT 2048x2048 uint16 images to a viewer (the relay) on 127.0.0.1:PORT through
    OpenHCS's own sender: ``polystore.fiji_stream.FijiStreamingBackend.save_batch`` with a
    request built by ``openhcs.core.config.FijiStreamingConfig.viewer_surface`` -- what an
    OpenHCS worker runs for a step that streams to Fiji over TCP (shared-memory blocks, one
    REQ/REP per batch, ``time.sleep(0.1)`` after connecting). Prints one JSON line per image
    (``path``, ``sent_at``: wall time when ``save_batch`` was called), then a summary line.

``pyzmq COUNT``
    The baseline: the same COUNT images, as [header, pixels] messages, from a pyzmq PUSH in a
    child process to a pyzmq PULL here, on loopback TCP. Prints one summary JSON line:
    throughput from the first send to the last receive, and per-image send-to-receive latency.

``client PORT RUN FROM_SEQ COUNT``
    The reference Python client (``openhcs_remote.relay_client``) reading COUNT items of RUN from
    the relay's spool, from FROM_SEQ: the relay -> client leg with a Python receiver.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np
import zmq

SHAPE = (2048, 2048)
DTYPE = np.uint16


def images(count: int, seed: int) -> list[np.ndarray]:
    """Distinct images (a noise pattern per image), made before any timing starts."""
    base = np.random.default_rng(seed).integers(0, 65535, size=SHAPE, dtype=DTYPE)
    return [np.roll(base, index, axis=1) for index in range(count)]


def run_openhcs(port: int, count: int, batch: int, tag: str) -> None:
    """Send through OpenHCS's sender; one line per image with its send time."""
    logging.disable(logging.WARNING)  # polystore logs every item (and a missing plate path)
    from openhcs.core.config import FijiStreamingConfig
    from polystore.fiji_stream import FijiStreamingBackend
    from polystore.streaming.identity import StreamProducerIdentity
    from polystore.streaming.viewer_transport import (
        IndexedViewerStreamSourceMetadata,
        ViewerStreamMessageContext,
        ViewerStreamProducer,
        ViewerStreamSourceIdentity,
    )
    from zmqruntime.config import TransportMode

    config = FijiStreamingConfig(
        enabled=True,
        persistent=True,
        host="127.0.0.1",
        port=port,
        transport_mode=TransportMode.TCP,
    )
    surface = config.viewer_surface(ViewerStreamSourceIdentity(microscope_handler=None))
    producer = ViewerStreamProducer.from_identity(
        StreamProducerIdentity.pipeline_output(
            output_kind="main",
            output_key="main",
            projection_key="main",
            step_name="bench",
            pipeline_position=0,
        )
    )
    backend = FijiStreamingBackend()
    arrays = images(count, seed=7)
    started = time.time()
    for first in range(0, count, batch):
        indices = range(first, min(count, first + batch))
        paths = [f"/bench/{tag}/A01_s{i + 1:04d}_w1_z001_t001.tif" for i in indices]
        metadata = IndexedViewerStreamSourceMetadata(
            [{"well": "A01", "site": i + 1, "channel": 1, "z_index": 1} for i in indices]
        )
        request = surface.viewer_stream_request(
            producer=producer,
            source_metadata=metadata,
            message_context=ViewerStreamMessageContext(),
        )
        sent_at = time.time()
        for path in paths:
            print(json.dumps({"path": path, "sent_at": sent_at}), flush=True)
        backend.save_batch([arrays[i] for i in indices], paths, stream_request=request)
    elapsed = time.time() - started
    backend.cleanup()
    print(json.dumps({"done": True, "elapsed": elapsed}), flush=True)


def _push(port: int, count: int) -> None:
    arrays = images(count, seed=7)
    socket = zmq.Context.instance().socket(zmq.PUSH)
    socket.connect(f"tcp://127.0.0.1:{port}")
    time.sleep(0.3)  # connected before the clock starts
    for index, array in enumerate(arrays):
        header = json.dumps({"index": index, "sent_at": time.time()}).encode()
        socket.send_multipart([header, array], copy=False)
    socket.close(linger=-1)
    zmq.Context.instance().term()


def run_pyzmq(count: int) -> None:
    """PUSH (child process) -> PULL (here): the bytes of ``count`` images."""
    socket = zmq.Context.instance().socket(zmq.PULL)
    port = socket.bind_to_random_port("tcp://127.0.0.1")
    child = multiprocessing.get_context("spawn").Process(target=_push, args=(port, count))
    child.start()
    latencies, first, nbytes = [], None, 0
    for _ in range(count):
        header, payload = socket.recv_multipart(copy=False)
        received = time.time()
        meta = json.loads(header.bytes)
        latencies.append((received - meta["sent_at"]) * 1000)
        if first is None:
            first = received  # the rate's clock starts here, as the clients' do
        else:
            nbytes += len(payload)
    elapsed = time.time() - first
    child.join()
    socket.close(linger=0)
    print(
        json.dumps({"bytes": nbytes, "elapsed": elapsed, "latencies_ms": latencies}),
        flush=True,
    )


def run_client(port: int, run: str, from_seq: int, count: int) -> None:
    """Read ``count`` items from the spool with the reference Python client."""
    # The Python relay client is a test tool (the product's client is the TypeScript one).
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "jupyterlab_ext" / "tests"))
    from relay_client import RelayClient, RelayItem

    started = time.time()
    first = None
    nbytes = received = 0
    with RelayClient(f"tcp://127.0.0.1:{port}", credit_items=64, credit_bytes=128 << 20) as client:
        client.subscribe(run, from_seq=from_seq)
        while received < count:
            event = client.receive(30)
            if event is None:
                raise TimeoutError("the relay sent nothing for 30 s")
            if isinstance(event, RelayItem):
                received += 1
                if first is None:
                    first = time.time()
                else:
                    nbytes += event.array.nbytes
    summary = {"bytes": nbytes, "elapsed": time.time() - first, "first_ms": (first - started) * 1e3}
    print(json.dumps(summary), flush=True)


def main() -> None:
    """Dispatch on the mode in ``sys.argv[1]``."""
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "openhcs":
        run_openhcs(int(args[0]), int(args[1]), int(args[2]), args[3])
    elif mode == "pyzmq":
        run_pyzmq(int(args[0]))
    elif mode == "client":
        run_client(int(args[0]), args[1], int(args[2]), int(args[3]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
