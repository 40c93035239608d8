"""``fetch_plane``: one full-resolution plane, from the spool or else from OpenHCS's own file.

The spool serves a seq while it holds it. Once evicted, the run's plane index (``spool/``) still
names the item's path, shape, dtype and pixel checksum; the relay then reads the TIFF OpenHCS
wrote there, only inside the run's output directory and only if the run wrote it
(``run_files.read_run_file``: the same confinement as ``fetch_file``), and serves it only if its
shape, dtype and crc32 match the item's. Never a
silent substitute: every other case is a named error.
"""

from __future__ import annotations

import io
import json
import math
import os
import zlib
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from openhcs_remote.server.relay.config import RelayLimits
from openhcs_remote.server.relay.relay_errors import (
    FileNotFoundInRunError,
    FilePathError,
    FileTooLargeError,
    PlaneGoneError,
    PlaneTooLargeError,
    PlaneUnknownError,
    RunFilesUnknownError,
)
from openhcs_remote.server.relay.run_files import RunWindow, read_run_file
from openhcs_remote.server.relay.run_windows import RunWindows
from openhcs_remote.server.relay.spool import Spool

#: ``numcodecs.Blosc`` settings of the ``blosc`` encoding (docs/relay-stream-protocol.md §4.2).
BLOSC_CNAME, BLOSC_CLEVEL = "zstd", 1


def blosc_encode(array: np.ndarray) -> bytes:
    """Encode a plane (or a preview's pixels) as ``blosc``: one Blosc1 buffer (§4.3)."""
    import numcodecs

    codec = numcodecs.Blosc(cname=BLOSC_CNAME, clevel=BLOSC_CLEVEL, shuffle=numcodecs.Blosc.SHUFFLE)
    return bytes(codec.encode(array))


def fetch_plane(
    spool: Spool,
    windows: RunWindows,
    limits: RelayLimits,
    execution_id: str,
    seq: int,
    encoding: str,
) -> tuple[dict[str, Any], bytes | memoryview]:
    """Return the ``plane`` reply's fields (without type and ids) and its (encoded) bytes."""
    run = spool.run(execution_id)
    if run is None:
        raise PlaneUnknownError(f"the relay has no run {execution_id}", field="execution_id")
    if seq > run.committed_through:
        raise PlaneUnknownError(
            f"run {execution_id} has no seq {seq} (its last is {run.committed_through})",
            field="seq",
        )
    found = spool.lookup(run, seq)
    if found.kind == "item":
        header = json.loads(found.header)
        _require_image(header, execution_id, seq)
        _require_size(header["shape"], header["dtype"], limits, execution_id, seq)
        array = _as_array(found.payload, header["shape"], header["dtype"])
        return _encoded(array, found.payload, encoding, "spool")
    entry = spool.plane_entry(run, seq)
    if entry is None:
        why = "was numbered but never stored" if found.reason == "lost" else "left no record"
        raise PlaneGoneError(
            f"run {execution_id} seq {seq} {why} ({found.reason}): the relay cannot serve it",
            field="seq",
        )
    _require_image(entry, execution_id, seq)
    if entry.get("truncated"):
        raise PlaneGoneError(
            f"run {execution_id} seq {seq} was evicted and its path was too long to index",
            field="seq",
        )
    _require_size(entry["shape"], entry["dtype"], limits, execution_id, seq)
    try:
        window = windows.window(execution_id)
    except RunFilesUnknownError as error:
        raise PlaneGoneError(
            f"run {execution_id} seq {seq} was evicted from the spool and OpenHCS's file "
            f"{entry['path']} cannot be found: {error}",
            field="seq",
        ) from error
    array = _from_openhcs_file(window, entry, execution_id, seq)
    return _encoded(array, array.data, encoding, "openhcs_file")


def _require_image(described: dict[str, Any], execution_id: str, seq: int) -> None:
    if described.get("kind") != "image":
        raise PlaneUnknownError(
            f"run {execution_id} seq {seq} is not an image (kind {described.get('kind')!r})",
            field="seq",
        )


def _require_size(
    shape: list[int], dtype: str, limits: RelayLimits, execution_id: str, seq: int
) -> None:
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    if nbytes > limits.max_image_bytes:
        raise PlaneTooLargeError(
            f"run {execution_id} seq {seq} is {nbytes} bytes, more than one frame may carry "
            f"({limits.max_image_bytes}, limits.max_payload_bytes)",
            field="seq",
        )


def _as_array(data: bytes | memoryview, shape: list[int], dtype: str) -> np.ndarray:
    return np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)


def _from_openhcs_file(
    window: RunWindow, entry: dict[str, Any], execution_id: str, seq: int
) -> np.ndarray:
    path = str(entry["path"])
    where = f"run {execution_id} seq {seq} was evicted from the spool and OpenHCS's file {path}"
    relative = _inside(window, path)
    # The raw size plus room for TIFF structure: no TIFF of this plane is larger.
    cap = math.prod(entry["shape"]) * np.dtype(entry["dtype"]).itemsize + (1 << 20)
    try:
        _described, data = read_run_file(window, relative, cap)
    except FileNotFoundInRunError as error:
        raise PlaneGoneError(
            f"{where} does not exist (OpenHCS wrote none: a step that only streams?)", field="seq"
        ) from error
    except FileTooLargeError as error:
        raise PlaneGoneError(
            f"{where} is larger than {cap} bytes: not this plane", field="seq"
        ) from error
    try:
        import tifffile

        array = tifffile.imread(io.BytesIO(data))
    except Exception as error:  # a corrupt or foreign file: tifffile raises many kinds
        raise PlaneGoneError(f"{where} is unreadable: {error}", field="seq") from error
    shape, dtype = tuple(entry["shape"]), str(entry["dtype"])
    if array.shape != shape or array.dtype.name != dtype:
        raise PlaneGoneError(
            f"{where} holds {array.dtype.name} {list(array.shape)}, not the item's "
            f"{dtype} {list(shape)}",
            field="seq",
        )
    pixels = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    # OpenHCS writes every step's output of a site to the same path: the file may hold a later
    # step's pixels. Only the checksum taken at ingest tells.
    if zlib.crc32(pixels.data) != entry.get("crc32"):
        raise PlaneGoneError(
            f"{where} holds other pixels than the item (crc32 differs: a later step "
            "overwrote that path, or the file changed)",
            field="seq",
        )
    return pixels


def _inside(window: RunWindow, path: str) -> str:
    """Return the item's path relative to the run's directory; ERR_FILE_PATH if outside."""
    candidate = PurePosixPath(path)
    for root in (window.root, os.path.realpath(window.root)):
        try:
            return candidate.relative_to(PurePosixPath(root)).as_posix()
        except ValueError:
            continue
    raise FilePathError(
        f"{path} is outside run {window.execution_id}'s directory {window.root}", field="seq"
    )


def _encoded(
    array: np.ndarray, raw: bytes | memoryview, encoding: str, source: str
) -> tuple[dict[str, Any], bytes | memoryview]:
    payload: bytes | memoryview = blosc_encode(array) if encoding == "blosc" else raw
    described = {
        "shape": list(array.shape),
        "dtype": array.dtype.name,
        "nbytes": array.nbytes,
        "encoding": encoding,
        "encoded_bytes": len(payload) if isinstance(payload, bytes) else payload.nbytes,
        "source": source,
    }
    return described, payload
