"""The frames of an item in ``previews`` delivery: the stored header plus the preview's bytes.

The preview is made when a session first sends the item (not at ingest: OpenHCS's worker waits
on the ingest, never on previews) and kept in a small cache, so sessions following the same run
make each preview once.
"""

from __future__ import annotations

import collections
import json
import threading

from openhcs_remote.server.relay import stream_frames as frames
from openhcs_remote.server.relay.previews import make_preview

#: Previews kept (each at most 64 KiB of pixels): a credit window's worth for a few sessions.
CACHE_ITEMS = 512


class PreviewFrames:
    """Make (and remember, bounded) the previews-delivery frames of stored items."""

    def __init__(self, capacity: int = CACHE_ITEMS) -> None:
        self._capacity = capacity
        self._cache: collections.OrderedDict[tuple[str, int], list[bytes]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()

    def frames(
        self, execution_id: str, seq: int, header: bytes, payload: bytes | memoryview
    ) -> list[bytes]:
        """Return the frames to send for item ``seq``: shapes items as stored, images previewed."""
        key = (execution_id, seq)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        described = json.loads(header)
        if described.get("kind") != "image":
            return [header, payload] if payload else [header]
        preview = make_preview(described["shape"], described["dtype"], payload)
        if preview is None:
            made = [frames.encode_json(frames.preview_item(described, None))]
        else:
            made = [
                frames.encode_json(frames.preview_item(described, preview.metadata())),
                preview.pixels,
            ]
        with self._lock:
            self._cache[key] = made
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return made
