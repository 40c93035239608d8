"""The plate heatmap of the static contact sheet: the widget's heatmap, drawn once, as pixels.

What a saved notebook shows below the thumbnails: the plate grid coloured by the mean per well of
the table's first numeric column (the widget's default), in the widget's colour map (the sidecar
hands its stops over: ``src/protocol/heatmap-colors.ts``), a legend with the range, and wells
without a value left in the empty-well grey. Drawn from the ``measurements`` summary
(:func:`.measurement_summary.summary`), so both views aggregate alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .omero_layout import row_letters
from .pixel_font import draw_text, text_size
from .run_state import infer_layout, well_position

GAP = 2
RAMP_WIDTH = 120
RAMP_HEIGHT = 10


def heatmap_color(stops: Sequence[str], t: float) -> tuple[int, int, int]:
    """Return the colour of ``t`` in 0..1, exactly as the widget's ``viridis()`` computes it."""
    rgb = [[int(hex_[i : i + 2], 16) for i in (1, 3, 5)] for hex_ in stops]
    x = min(1.0, max(0.0, t if math.isfinite(t) else 0.0)) * (len(rgb) - 1)
    i = min(len(rgb) - 2, math.floor(x))
    f = x - i
    a, b = rgb[i], rgb[i + 1]
    # JavaScript's Math.round (half up), not Python's round (half to even): the widget's bytes.
    red, green, blue = (math.floor(a[k] + (b[k] - a[k]) * f + 0.5) for k in range(3))
    return red, green, blue


def _number(value: float) -> str:
    return f"{value:.4g}".upper()


def heatmap_panel(
    summary: Mapping[str, Any],
    stops: Sequence[str],
    layout: Mapping[str, int] | None,
    width: int,
    colors: Mapping[str, tuple[int, int, int]],
) -> np.ndarray | None:
    """Draw the heatmap panel, ``width`` pixels wide; ``None`` when there is nothing to show.

    Nothing to show: no numeric column, no well with a value, or wells whose names do not place
    them on a plate. ``colors`` gives ``background``, ``empty`` and ``label``.
    """
    columns = summary.get("columns") or []
    wells: Mapping[str, Mapping[str, Any]] = summary.get("wells") or {}
    if not columns or len(stops) < 2:
        return None
    column = str(columns[0])
    values = {
        well: float(v[column])
        for well, v in wells.items()
        if isinstance(v.get(column), int | float) and math.isfinite(float(v[column]))
    }
    positions = {well: well_position(well) for well in wells}
    if not values or any(p is None for p in positions.values()):
        return None
    if not layout:
        layout = infer_layout(list(wells))
    if not layout:
        return None
    rows, plate_columns = int(layout["rows"]), int(layout["columns"])
    scale = 2 if plate_columns <= 24 else 1
    left = text_size(row_letters(rows - 1), scale)[0] + 3 * GAP
    line = text_size("0", scale)[1]
    title_height = line + 3 * GAP
    size = max(4, min(32, (width - left - GAP) // plate_columns - GAP))
    grid_top = title_height
    grid_height = rows * (size + GAP) + GAP
    legend_top = grid_top + grid_height + 2 * GAP
    panel = np.empty((legend_top + max(RAMP_HEIGHT, line) + 3 * GAP, width, 3), np.uint8)
    panel[:] = colors["background"]
    label = colors["label"]
    table = summary.get("table")
    title = f"MEAN {column} PER WELL" + (f" ({table})" if table else "")
    while title and text_size(title, scale)[0] > width - 2 * GAP:
        title = title[:-1]
    draw_text(panel, title, GAP, GAP, scale, label)
    low, high = min(values.values()), max(values.values())
    for row in range(rows):
        y = grid_top + GAP + row * (size + GAP)
        letters = row_letters(row)
        text_width, text_height = text_size(letters, scale)
        if size >= text_height:
            top = y + (size - text_height) // 2
            draw_text(panel, letters, top, (left - text_width) // 2, scale, label)
        for col in range(plate_columns):
            x = left + GAP + col * (size + GAP)
            panel[y : y + size, x : x + size] = colors["empty"]
    for well, value in values.items():
        position = positions[well]
        assert position is not None
        row, col = position
        if row >= rows or col >= plate_columns:
            continue
        y, x = grid_top + GAP + row * (size + GAP), left + GAP + col * (size + GAP)
        t = (value - low) / (high - low) if high > low else 0.5
        panel[y : y + size, x : x + size] = heatmap_color(stops, t)
    # The legend: lowest value, the ramp, highest value.
    low_text, high_text = _number(low), _number(high)
    x = GAP + left
    draw_text(panel, low_text, legend_top, x, scale, label)
    x += text_size(low_text, scale)[0] + 2 * GAP
    ramp = np.array(
        [heatmap_color(stops, i / (RAMP_WIDTH - 1)) for i in range(RAMP_WIDTH)], np.uint8
    )
    ramp = ramp[None]
    usable = max(0, min(RAMP_WIDTH, width - x))
    panel[legend_top : legend_top + RAMP_HEIGHT, x : x + usable] = ramp[:, :usable]
    x += usable + 2 * GAP
    draw_text(panel, high_text, legend_top, x, scale, label)
    return panel
