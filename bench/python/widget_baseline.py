"""The baseline of ``npm run bench -- widget``: show previews with ``IPython.display.Image``.

Imported by the benchmark notebook (bench/widget.ts copies this file next to it). For every
image a run delivers (the public ``RemoteRun.on_image`` callback), the notebook cell displays a
PNG of the same 8-bit preview our widget gets (``run.display.previews``: the sidecar's
downsampled preview, unchanged), one output per well, replaced with ``update_display`` as new
images of that well arrive. This is what a notebook author would write without our widget.

Each PNG carries a ``tEXt`` chunk ``ohr = "<execution id>:<seq>"`` right after its header, so
the page can tell which relay item an ``<img>`` shows without changing a pixel.
"""

from __future__ import annotations

import queue
import struct
import time
import zlib
from typing import Any

import numpy as np
from IPython.display import Image, display


def gray_png(pixels: bytes, width: int, height: int, label: str) -> bytes:
    """Encode 8-bit grayscale pixels as a PNG with a ``tEXt`` chunk ``ohr = label``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = np.frombuffer(pixels, np.uint8).reshape(height, width)
    filtered = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1)  # filter 0
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"tEXt", b"ohr\x00" + label.encode())
        + chunk(b"IDAT", zlib.compress(filtered.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def show_with_ipython(run: Any, *, quiet_s: float = 1.0, timeout_s: float = 600.0) -> int:
    """Display each image of ``run`` as it arrives, until the run ended; return how many."""
    arrived: queue.SimpleQueue[Any] = queue.SimpleQueue()
    run.on_image(arrived.put)
    outputs: dict[str, Any] = {}
    shown = 0
    deadline = time.monotonic() + timeout_s
    last = time.monotonic()
    while time.monotonic() < deadline:
        try:
            image = arrived.get(timeout=0.05)
        except queue.Empty:
            # The run's end event comes after its last image; callbacks may trail it a little.
            if run.done() and time.monotonic() - last > quiet_s:
                break
            continue
        last = time.monotonic()
        cached = run.display.previews.get(image.key)
        if cached is None:  # the preview cache dropped it (it is bounded): nothing to show
            continue
        header, pixels = cached
        label = f"{run.execution_id}:{header['seq']}"
        png = Image(gray_png(pixels, int(header["width"]), int(header["height"]), label))
        well = str(header["well"])
        if well in outputs:
            outputs[well].update(png)
        else:
            outputs[well] = display(png, display_id=True)
        shown += 1
    return shown
