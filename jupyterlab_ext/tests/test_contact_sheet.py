"""The static contact sheet, drawn from previews alone: wells in place, labelled by name."""

from __future__ import annotations

from io import BytesIO

import numpy as np
from PIL import Image

from openhcs_remote.notebook.contact_sheet import BACKGROUND, EMPTY_WELL, LABEL, contact_sheet

RED = {"index": 1, "name": "DAPI", "color": "#FF0000"}


def preview(well: str, value: int, seq: int) -> tuple[tuple[str, int], tuple[dict, bytes]]:
    header = {"well": well, "channel": 1, "site": 1, "step": "s", "seq": seq}
    header |= {"height": 8, "width": 8}
    return (well, 1), (header, bytes([value]) * 64)


def sheet_of(wells: dict[str, int], layout: dict[str, int] | None) -> np.ndarray:
    previews = dict(preview(w, v, i) for i, (w, v) in enumerate(wells.items()))
    png = contact_sheet(previews, [RED], layout)
    assert png is not None
    return np.asarray(Image.open(BytesIO(png)).convert("RGB"))


def wells_box(sheet: np.ndarray) -> tuple[int, int, int, int]:
    """Top, left, bottom and right of the plate's wells (neither background nor label)."""
    well = np.any(sheet != BACKGROUND, axis=2) & np.any(sheet != LABEL, axis=2)
    rows = np.flatnonzero(well.sum(axis=1) > sheet.shape[1] // 2)
    columns = np.flatnonzero(well.sum(axis=0) > sheet.shape[0] // 2)
    return int(rows[0]), int(columns[0]), int(rows[-1]), int(columns[-1])


def test_each_well_is_drawn_in_its_plate_position_in_its_channel_colour():
    sheet = sheet_of({"A01": 200, "B03": 100}, {"rows": 8, "columns": 12})
    top, left, _, right = wells_box(sheet)
    size = (right - left + 1 - 11 * 2) // 12  # twelve wells, 2-pixel gaps
    a01 = sheet[top + size // 2, left + size // 2]
    b03 = sheet[top + (size + 2) + size // 2, left + 2 * (size + 2) + size // 2]
    empty = sheet[top + size // 2, left + (size + 2) + size // 2]
    assert tuple(a01) == (200, 0, 0) and tuple(b03) == (100, 0, 0)
    assert tuple(empty) == EMPTY_WELL


def test_rows_are_lettered_and_columns_numbered_in_the_margins():
    sheet = sheet_of({"A01": 200}, {"rows": 16, "columns": 24})
    top, left, bottom, _ = wells_box(sheet)
    label = np.all(sheet == LABEL, axis=2)
    assert label[:top, left:].any(), "no column numbers above the wells"
    assert label[top:bottom, :left].any(), "no row letters left of the wells"
    assert not label[top:, left:].any(), "a label drawn over the wells"
    # 24 columns: the numbers 1..24 are 24 groups of lit pixels, far apart (a well each).
    lit_columns = np.flatnonzero(label[:top].any(axis=0))
    groups = 1 + int(np.sum(np.diff(lit_columns) > 8))
    assert groups == 24
    assert sheet.shape[1] <= 1200


def test_wells_without_a_plate_grid_are_laid_out_in_name_order_without_labels():
    sheet = sheet_of({"x": 50, "y": 60}, None)
    assert not np.all(sheet == LABEL, axis=2).any()
