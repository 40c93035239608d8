"""The previews the kernel holds for one run: one per plane, bounded by bytes.

They feed the widget (again, after a page reload: ``replay_previews``) and the static contact
sheet; when full, the oldest planes go first.
"""

from __future__ import annotations

import collections
import threading
from typing import Any

from .images import COORDINATES, ImageKey

PREVIEW_CACHE_BYTES = 256 * 1024 * 1024
# The fields of a sidecar `preview` event that the widget's `ohr-preview` message carries.
PREVIEW_FIELDS = (
    "seq",
    *COORDINATES,
    "width",
    "height",
    "source_shape",
    "dtype",
    "value_min",
    "value_max",
)

Preview = tuple[dict[str, Any], bytes]


class PreviewCache:
    """Previews by plane: the ``ohr-preview`` header and the 8-bit pixels. Thread-safe."""

    def __init__(self, max_bytes: int = PREVIEW_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._previews: collections.OrderedDict[ImageKey, Preview] = collections.OrderedDict()
        self.nbytes = 0
        self.dropped = 0

    def put(self, event: dict[str, Any], pixels: bytes) -> tuple[ImageKey, dict[str, Any]]:
        """Keep the preview of a sidecar ``preview`` event; returns its key and widget header."""
        header = {"kind": "ohr-preview", **{name: event.get(name) for name in PREVIEW_FIELDS}}
        key = ImageKey.of(header)
        with self._lock:
            old = self._previews.pop(key, None)
            self.nbytes += len(pixels) - (len(old[1]) if old else 0)
            self._previews[key] = (header, pixels)
            while self.nbytes > self.max_bytes and len(self._previews) > 1:
                _, (_, gone) = self._previews.popitem(last=False)
                self.nbytes -= len(gone)
                self.dropped += 1
        return key, header

    def get(self, key: ImageKey) -> Preview | None:
        """Return the preview of one plane, if held."""
        with self._lock:
            return self._previews.get(key)

    def snapshot(self) -> dict[ImageKey, Preview]:
        """Return the previews held now, oldest first."""
        with self._lock:
            return dict(self._previews)
