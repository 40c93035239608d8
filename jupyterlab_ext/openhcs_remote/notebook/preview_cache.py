"""The previews the kernel holds for one run: one per plane, on disk, bounded by bytes.

They feed the widget (as they arrive, and again after a page reload: ``replay_previews``) and
the static contact sheet. The pixels and headers live in an unlinked temporary file on the
kernel host; memory holds only where each plane's record starts, so the kernel's memory does
not grow with the plate (a 384-well plate of 9 sites × 4 channels is 13 824 previews of up to
64 KiB). When the live records pass ``max_bytes`` the oldest planes go first; when the file
holds as much dropped or replaced as live, it is rewritten with the live records only.
"""

from __future__ import annotations

import collections
import errno
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from .images import COORDINATES, ImageKey

# On disk: a 384-well, 9-site, 4-channel plate of the largest previews (13 824 × 64 KiB) fits.
PREVIEW_CACHE_BYTES = 1024 * 1024 * 1024
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
log = logging.getLogger("openhcs_remote.previews")
# Below this much garbage the file is not worth rewriting.
_COMPACT_FLOOR = 16 * 1024 * 1024

Preview = tuple[dict[str, Any], bytes]


class _Record(NamedTuple):
    """Where one plane's header (JSON) and pixels sit in the file."""

    offset: int
    header_bytes: int
    pixel_bytes: int

    @property
    def size(self) -> int:
        return self.header_bytes + self.pixel_bytes


class PreviewCache(Mapping[ImageKey, Preview]):
    """Previews by plane, oldest first: the ``ohr-preview`` header and the 8-bit pixels.

    Thread-safe: the sidecar's reader puts, the widget feed and the kernel's main thread read.
    A plane dropped between listing and reading is simply absent (``get`` gives ``None``).
    """

    def __init__(self, max_bytes: int = PREVIEW_CACHE_BYTES, directory: str | None = None) -> None:
        self.max_bytes = max_bytes
        self._directory = directory
        self._lock = threading.Lock()
        self._records: collections.OrderedDict[ImageKey, _Record] = collections.OrderedDict()
        self._file = tempfile.TemporaryFile(prefix="ohr-previews-", dir=directory)  # noqa: SIM115
        self._end = 0
        #: Bytes of the live records (headers and pixels).
        self.nbytes = 0
        #: Planes dropped: to stay under ``max_bytes``, or not written (the disk is full).
        self.dropped = 0
        self._failing = False

    @property
    def file_bytes(self) -> int:
        """Size of the file on disk (live records and garbage not yet compacted)."""
        return self._end

    def put(self, event: dict[str, Any], pixels: bytes) -> tuple[ImageKey, dict[str, Any]]:
        """Keep the preview of a sidecar ``preview`` event; returns its key and widget header."""
        header = {"kind": "ohr-preview", **{name: event.get(name) for name in PREVIEW_FIELDS}}
        key = ImageKey(*(_interned(header.get(name)) for name in COORDINATES))
        encoded = json.dumps(header, separators=(",", ":")).encode()
        with self._lock:
            record = _Record(self._end, len(encoded), len(pixels))
            try:
                written = os.pwrite(self._file.fileno(), encoded + pixels, record.offset)
                if written != record.size:  # a short write: the disk filled up on the way
                    raise OSError(errno.ENOSPC, f"wrote {written} of {record.size} bytes")
            except OSError as error:
                self._dropped_unwritten(key, error)
                return key, header
            self._failing = False
            self._end += record.size
            old = self._records.pop(key, None)
            self.nbytes += record.size - (old.size if old else 0)
            self._records[key] = record
            while self.nbytes > self.max_bytes and len(self._records) > 1:
                _, gone = self._records.popitem(last=False)
                self.nbytes -= gone.size
                self.dropped += 1
            if self._end - self.nbytes > max(self.nbytes, _COMPACT_FLOOR):
                self._compact()
        return key, header

    def get(self, key: ImageKey, default: Any = None) -> Any:
        """Return the preview of one plane, read from disk; ``default`` if not held."""
        read = self._read(key)
        if read is None:
            return default
        record, data = read
        return json.loads(data[: record.header_bytes]), data[record.header_bytes :]

    def __getitem__(self, key: ImageKey) -> Preview:
        preview = self.get(key)
        if preview is None:
            raise KeyError(key)
        return preview

    def __iter__(self) -> Iterator[ImageKey]:
        with self._lock:
            return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._records

    def keys_of(self, well: str | None = None) -> list[ImageKey]:
        """Return the planes held now (of one well, if given), oldest first."""
        with self._lock:
            return [key for key in self._records if well is None or key.well == well]

    def headers(self) -> Iterator[tuple[ImageKey, dict[str, Any]]]:
        """Yield the headers held now, oldest first, reading no pixels."""
        for key in self.keys_of():
            read = self._read(key, header_only=True)
            if read is not None:
                yield key, json.loads(read[1])

    def previews(self, well: str | None = None) -> Iterator[tuple[ImageKey, Preview]]:
        """Yield the previews held now (of one well, if given), oldest first, read one by one."""
        for key in self.keys_of(well):
            preview = self.get(key)
            if preview is not None:
                yield key, preview

    def items(self) -> Iterator[tuple[ImageKey, Preview]]:  # type: ignore[override]
        """As :meth:`previews`: one at a time, skipping planes dropped meanwhile."""
        return self.previews()

    def values(self) -> Iterator[Preview]:  # type: ignore[override]
        """Yield the previews held now, oldest first, read one by one."""
        return (preview for _, preview in self.previews())

    def _read(self, key: ImageKey, *, header_only: bool = False) -> tuple[_Record, bytes] | None:
        """Read one record's bytes (only its header, if asked); None once it is not held."""
        with self._lock:
            record = self._records.get(key)
            if record is None:
                return None
            size = record.header_bytes if header_only else record.size
            return record, os.pread(self._file.fileno(), size, record.offset)

    def close(self) -> None:
        """Remove the file (it is unlinked already: this gives its space back now)."""
        with self._lock:
            self._records.clear()
            self.nbytes = self._end = 0
            self._file.close()

    def _compact(self) -> None:
        """Rewrite the live records into a fresh file (lock held); on failure keep the old one."""
        moved: dict[ImageKey, _Record] = {}
        end = 0
        try:
            fresh = tempfile.TemporaryFile(prefix="ohr-previews-", dir=self._directory)  # noqa: SIM115
        except OSError as error:
            log.warning("previews: could not rewrite the cache file in %s: %s", self._where, error)
            return
        try:
            for key, record in self._records.items():
                data = os.pread(self._file.fileno(), record.size, record.offset)
                os.pwrite(fresh.fileno(), data, end)
                moved[key] = record._replace(offset=end)
                end += record.size
        except OSError as error:
            fresh.close()
            log.warning("previews: could not rewrite the cache file in %s: %s", self._where, error)
            return
        self._records.update(moved)
        self._file.close()
        self._file, self._end = fresh, end

    @property
    def _where(self) -> str:
        return self._directory or tempfile.gettempdir()

    def _dropped_unwritten(self, key: ImageKey, error: OSError) -> None:
        """Count a preview that could not be written (lock held); say so once."""
        self.dropped += 1
        old = self._records.pop(key, None)  # an older preview of the plane is not the newest
        if old is not None:
            self.nbytes -= old.size
        if not self._failing:
            log.warning(
                "previews: could not write plane %s to the cache in %s (%s); previews are "
                "dropped (counted in `dropped`) until writing works again",
                key,
                self._where,
                error,
            )
        self._failing = True


def _interned(value: Any) -> Any:
    # Thousands of keys repeat the same few well and step names: one string each.
    return sys.intern(value) if isinstance(value, str) else value
