"""A fake OpenHCS sender, for faults only: the real sender never sends these batches.

Well-formed batches mirror what polystore 0.2.19 sends (fields of zmqruntime
``ViewerWireField``; pixels in a POSIX shared-memory block the sender owns and
unlinks after the reply).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import shared_memory
from typing import Any

import numpy as np
import zmq


def send_raw(port: int, body: bytes, *, timeout: float = 10.0) -> dict[str, Any]:
    """Send one message on a fresh REQ socket (as polystore does) and return the JSON reply."""
    socket = zmq.Context.instance().socket(zmq.REQ)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, int(timeout * 1000))
    socket.connect(f"tcp://127.0.0.1:{port}")
    try:
        socket.send(body)
        return socket.recv_json()
    finally:
        socket.close()


def item(shm_name: str, array: np.ndarray, **components: Any) -> dict[str, Any]:
    """A batch item like polystore's, for an array already in block ``shm_name``."""
    well, site = components.get("well", "A01"), components.get("site", 1)
    return {
        "path": f"/plate_openhcs/images/{well}_s{site:03d}.tif",
        "shape": list(array.shape),
        "dtype": str(array.dtype),
        "shm_name": shm_name,
        "data_type": "image",
        "metadata": {
            "site": 1,
            "channel": 1,
            "z_index": 1,
            "timepoint": 1,
            "well": "A01",
            **components,
        },
        "producer_identity": {
            "origin": "pipeline",
            "output_kind": "main",
            "output_key": "main",
            "projection_key": "main",
            "step_name": "fake",
            "pipeline_position": 0,
        },
        "image_id": str(uuid.uuid4()),
    }


def batch(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A batch envelope around ``items``."""
    return {
        "type": "batch",
        "images": items,
        "display_config": {"component_modes": {}, "component_order": []},
        "timestamp": 0.0,
        "component_names_metadata": {"channel": {"1": "DAPI"}},
        "component_value_domain": {},
    }


@contextmanager
def blocks(arrays: list[np.ndarray]) -> Iterator[list[str]]:
    """Put arrays in shared memory (sender-owned); unlink them afterwards, as polystore does."""
    memories = []
    try:
        for array in arrays:
            memory = shared_memory.SharedMemory(
                create=True, size=max(1, array.nbytes), name=f"ohrtest_{uuid.uuid4().hex[:12]}"
            )
            np.ndarray(array.shape, array.dtype, buffer=memory.buf)[:] = array
            memories.append(memory)
        yield [memory.name for memory in memories]
    finally:
        for memory in memories:
            memory.close()
            memory.unlink()


def send_images(port: int, arrays: list[np.ndarray], **components: Any) -> dict[str, Any]:
    """Send one well-formed batch of ``arrays``; return the reply."""
    with blocks(arrays) as names:
        items = [
            item(name, array, site=index + 1, **components)
            for index, (name, array) in enumerate(zip(names, arrays, strict=True))
        ]
        return send_raw(port, json.dumps(batch(items)).encode())
