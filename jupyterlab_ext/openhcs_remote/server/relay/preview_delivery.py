"""The frames of an item in ``previews`` delivery: the stored header plus the preview's bytes.

Previews are made on a worker thread, never on the thread that sends to clients (a 2048²
uint16 plane takes ~19 ms, far more under load) nor at ingest (OpenHCS's worker waits on the
ingest, never on previews). The send loop asks for an item's frames; until they are made it
gets ``None`` and serves everything else, and the worker wakes it when they are ready. Made
frames are kept in a small cache, so sessions following the same run make each preview once
(per encoding: a client may ask for its previews' pixels as they are or Blosc-compressed).

The worker starts a preview only while no OpenHCS batch is being handled (or after waiting
:data:`MAX_DEFER` seconds): run side by side, the two share the GIL and the host's cores, and
the OpenHCS worker waiting on the batch's reply measurably waited longer (docs/relay-stream-
protocol.md §9). OpenHCS pauses between batches, and previews are made then.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from openhcs_remote.server.relay import stream_frames as frames
from openhcs_remote.server.relay.plane_fetch import blosc_encode
from openhcs_remote.server.relay.previews import make_preview

logger = logging.getLogger(__name__)
#: A made preview's place: run, seq and the encoding of its pixels.
_Key = tuple[str, int, str]
#: Previews kept (each at most 64 KiB of pixels): a credit window's worth for a few sessions.
CACHE_ITEMS = 512
#: Longest a preview waits for a pause in ingest (back-to-back batches must not starve it).
MAX_DEFER = 0.5


class PreviewFrames:
    """Make (on a worker thread) and remember, bounded, the previews-delivery frames of items.

    Parameters
    ----------
    on_ready
        Called (from the worker thread) when frames asked for are made: wakes the send loop.
    ingest_idle
        Set while no OpenHCS batch is being handled (``BatchIngest``).
    capacity
        Items whose frames are kept.
    """

    def __init__(
        self,
        on_ready: Callable[[], None],
        ingest_idle: threading.Event,
        capacity: int = CACHE_ITEMS,
    ) -> None:
        self._on_ready = on_ready
        self._ingest_idle = ingest_idle
        self._capacity = capacity
        self._cache: collections.OrderedDict[_Key, list[bytes]] = collections.OrderedDict()
        self._pending: set[_Key] = set()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-previews")

    def frames(
        self,
        execution_id: str,
        seq: int,
        header: bytes,
        payload: bytes | memoryview,
        encoding: str = "raw",
    ) -> list[bytes] | None:
        """Return the frames to send for item ``seq``, or None while they are being made.

        Shapes items go as stored; an image's preview is made once (per ``encoding`` of its
        pixels), after which ``on_ready`` is called and this returns its frames.
        """
        key = (execution_id, seq, encoding)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            if key in self._pending:
                return None
            self._pending.add(key)
        try:
            self._worker.submit(self._make, key, header, payload)
        except RuntimeError:  # shut down: the relay is stopping
            with self._lock:
                self._pending.discard(key)
        return None

    def close(self) -> None:
        """Stop the worker (previews asked for and not yet made are dropped)."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _make(self, key: _Key, header: bytes, payload: bytes | memoryview) -> None:
        self._ingest_idle.wait(MAX_DEFER)
        try:
            made = _previewed(header, payload, key[2])
        except Exception:  # a relay bug must not stall the stream: send the item without one
            logger.exception("preview of run %s seq %d failed", *key[:2])
            made = [frames.encode_json(frames.preview_item(json.loads(header), None))]
        with self._lock:
            self._pending.discard(key)
            self._cache[key] = made
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        self._on_ready()


def _previewed(header: bytes, payload: bytes | memoryview, encoding: str) -> list[bytes]:
    described = json.loads(header)
    if described.get("kind") != "image":
        return [header, payload] if payload else [header]
    preview = make_preview(described["shape"], described["dtype"], payload)
    if preview is None:
        return [frames.encode_json(frames.preview_item(described, None))]
    metadata, pixels = preview.metadata(), preview.pixels
    if encoding == "blosc":
        # Said only when not raw, so that a raw preview's header is as it always was.
        metadata["encoding"] = "blosc"
        pixels = blosc_encode(np.frombuffer(pixels, np.uint8))
    return [frames.encode_json(frames.preview_item(described, metadata)), pixels]
