"""The static contact sheet: one thumbnail per well, channels blended, as a PNG.

It is what a saved notebook shows where the live widget cannot render (no kernel, no saved
widget state): docs/widget-protocol.md §5. Made from the 8-bit previews the shim already holds,
so it costs no extra transfer; encoded with zlib only (no Pillow needed).
"""

from __future__ import annotations

import collections
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .omero_layout import row_letters
from .pixel_font import draw_text, text_size
from .preview_cache import PreviewCache
from .run_state import well_position

MAX_SHEET_WIDTH = 1200
GAP = 2
BACKGROUND = (24, 24, 24)
EMPTY_WELL = (48, 48, 48)
LABEL = (170, 170, 170)


def encode_png(rgb: np.ndarray) -> bytes:
    """Encode an ``(height, width, 3)`` uint8 array as a PNG."""
    height, width, _ = rgb.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), rgb.reshape(height, width * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def _hex_rgb(color: str) -> np.ndarray:
    value = color.lstrip("#")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], np.float32) / 255.0


def _thumbnail(
    planes: Sequence[tuple[dict[str, Any], bytes]], colors: Mapping[Any, str], size: int
) -> np.ndarray:
    """Blend one well's channel previews (additively, in the channels' colours) into a square."""
    out = np.zeros((size, size, 3), np.float32)
    for header, pixels in planes:
        height, width = int(header["height"]), int(header["width"])
        gray = np.frombuffer(pixels, np.uint8).reshape(height, width).astype(np.float32)
        scale = size / max(height, width)
        ys = np.minimum(
            (np.arange(min(size, round(height * scale))) / scale).astype(int), height - 1
        )
        xs = np.minimum((np.arange(min(size, round(width * scale))) / scale).astype(int), width - 1)
        color = _hex_rgb(colors.get(header.get("channel"), "#FFFFFF"))
        out[: len(ys), : len(xs)] += gray[np.ix_(ys, xs)][..., None] * color
    return np.clip(out, 0, 255).astype(np.uint8)


def _place(header: Mapping[str, Any]) -> tuple[int, int, int]:
    return (header.get("site") or 0, header.get("z") or 0, header.get("timepoint") or 0)


def _first_planes(
    previews: Mapping[Any, tuple[dict[str, Any], bytes]],
) -> dict[str, list[tuple[dict[str, Any], bytes]]]:
    """Per well, the channel previews of its first site, z and timepoint, at its last step.

    Chosen from the headers first, then only the chosen previews are read: the run's preview
    cache is on disk, and a plate's previews need not all be in memory at once.
    """
    by_well: dict[str, list[tuple[Any, tuple[int, int, int], int, Any]]] = collections.defaultdict(
        list
    )
    # The run's cache reads headers without their pixels; a plain mapping has them at hand.
    headers = (
        previews.headers()
        if isinstance(previews, PreviewCache)
        else ((key, header) for key, (header, _) in previews.items())
    )
    for key, header in headers:
        place, seq = _place(header), header.get("seq", 0)
        by_well[str(header.get("well", ""))].append((key, place, seq, header.get("step")))
    chosen = {}
    for well, items in by_well.items():
        first = min(place for _, place, _, _ in items)
        here = [item for item in items if item[1] == first]
        # The last step of the pipeline streams last: its previews have the highest seq.
        last_step = max(here, key=lambda item: item[2])[3]
        planes = (previews.get(key) for key, _, _, step in here if step == last_step)
        chosen[well] = [plane for plane in planes if plane is not None]
    return chosen


def contact_sheet(
    previews: Mapping[tuple[Any, ...], tuple[dict[str, Any], bytes]],
    channels: Sequence[Mapping[str, Any]],
    layout: Mapping[str, int] | None,
    below: Callable[[int], np.ndarray | None] | None = None,
) -> bytes | None:
    """Draw the plate's contact sheet as a PNG; ``None`` when there is no preview yet.

    ``below(width)`` may give a panel of that width to draw under the wells (the heatmap).
    """
    by_well = _first_planes(previews)
    if not by_well:
        return None
    positions = {well: well_position(well) for well in by_well}
    labelled = bool(layout) and all(p is not None for p in positions.values())
    if layout and labelled:
        rows, columns = int(layout["rows"]), int(layout["columns"])
    else:  # no plate grid: lay the wells out in name order, without row and column labels
        columns = min(12, len(by_well))
        rows = -(-len(by_well) // columns)
        positions = {w: divmod(i, columns) for i, w in enumerate(sorted(by_well))}
    scale = 2 if columns <= 24 else 1
    left = text_size(row_letters(rows - 1), scale)[0] + 3 * GAP if labelled else 0
    top = text_size("0", scale)[1] + 3 * GAP if labelled else 0
    size = max(16, min(96, (MAX_SHEET_WIDTH - left - GAP) // columns - GAP))
    sheet = np.empty(
        (top + rows * (size + GAP) + GAP, left + columns * (size + GAP) + GAP, 3), np.uint8
    )
    sheet[:] = BACKGROUND

    def origin(row: int, column: int) -> tuple[int, int]:
        return top + GAP + row * (size + GAP), left + GAP + column * (size + GAP)

    for row in range(rows):
        for column in range(columns):
            y, x = origin(row, column)
            sheet[y : y + size, x : x + size] = EMPTY_WELL
    if labelled:  # so a reader finds a well by its name: letters down the side, numbers on top
        for column in range(columns):
            width, height = text_size(str(column + 1), scale)
            x = origin(0, column)[1] + (size - width) // 2
            draw_text(sheet, str(column + 1), (top + GAP - height) // 2, x, scale, LABEL)
        for row in range(rows):
            width, height = text_size(row_letters(row), scale)
            y = origin(row, 0)[0] + (size - height) // 2
            draw_text(sheet, row_letters(row), y, (left + GAP - width) // 2, scale, LABEL)
    colors = {c["index"]: c["color"] for c in channels}
    for well, planes in by_well.items():
        position = positions[well]
        if position is None or position[0] >= rows or position[1] >= columns:
            continue
        y, x = origin(*position)
        sheet[y : y + size, x : x + size] = _thumbnail(planes, colors, size)
    panel = below(sheet.shape[1]) if below is not None else None
    if panel is not None:
        sheet = np.concatenate([sheet, panel], axis=0)
    return encode_png(sheet)


#: The sheet's colours, for panels drawn below it.
SHEET_COLORS = {"background": BACKGROUND, "empty": EMPTY_WELL, "label": LABEL}
