"""The contact sheet's plate heatmap: the widget's colours, wells in place, empty wells empty."""

from __future__ import annotations

from io import BytesIO

import numpy as np
from PIL import Image

from openhcs_remote.notebook.contact_sheet import EMPTY_WELL, SHEET_COLORS, contact_sheet
from openhcs_remote.notebook.plate_heatmap import RAMP_HEIGHT, heatmap_color, heatmap_panel

# src/protocol/heatmap-colors.ts (the sidecar's ready event hands them to the shim).
VIRIDIS = ("#440154", "#472D7B", "#3B528B", "#2C728E", "#21918C", "#28AE80", "#5EC962")
VIRIDIS += ("#ADDC30", "#FDE725")


def summary(values: dict[str, float | None]) -> dict:
    wells = {well: {"area": value, "count": 1} for well, value in values.items()}
    return {"table": "t", "tables": ["t"], "columns": ["area", "count"], "wells": wells}


def colour_count(panel: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int(np.all(panel == np.array(colour, np.uint8), axis=2).sum())


def test_colours_are_the_widgets_viridis_rounded_half_up_like_javascript():
    assert heatmap_color(VIRIDIS, 0) == (0x44, 0x01, 0x54)
    assert heatmap_color(VIRIDIS, 1) == (0xFD, 0xE7, 0x25)
    assert heatmap_color(VIRIDIS, 0.5) == (0x21, 0x91, 0x8C)
    # 2.5 stops in: 139 + 3 × 0.5 = 140.5, which JavaScript's Math.round makes 141 (Python: 140).
    # test/unit/heatmap-colors.test.ts checks the widget gives the same.
    assert heatmap_color(VIRIDIS, 2.5 / 8) == (52, 98, 141)
    assert heatmap_color(VIRIDIS, float("nan")) == heatmap_color(VIRIDIS, 0)
    assert heatmap_color(VIRIDIS, 7) == heatmap_color(VIRIDIS, 1)


def test_each_well_gets_its_values_colour_and_wells_without_one_stay_empty():
    layout = {"rows": 8, "columns": 12}
    panel = heatmap_panel(
        summary({"A01": 1.0, "A02": 3.0, "B01": 2.0, "B02": None}),
        VIRIDIS,
        layout,
        600,
        SHEET_COLORS,
    )
    assert panel is not None and panel.shape[1] == 600
    lowest, middle, highest = (heatmap_color(VIRIDIS, t) for t in (0, 0.5, 1))
    # One well each, plus the legend ramp's end column for the two extremes.
    cell = colour_count(panel, middle)
    assert cell >= 16
    assert colour_count(panel, lowest) == cell + RAMP_HEIGHT
    assert colour_count(panel, highest) == cell + RAMP_HEIGHT
    assert colour_count(panel, EMPTY_WELL) == cell * (96 - 3)  # B02 has no value: empty
    # In place: B01 (the middle value) right below A01 (the lowest).
    ys, xs = np.nonzero(np.all(panel == np.array(middle, np.uint8), axis=2))
    a01 = np.nonzero(np.all(panel[: ys.min()] == np.array(lowest, np.uint8), axis=2))
    assert a01[1].mean() == xs.mean(), "B01 is not under A01"


def test_no_panel_without_numbers_or_without_plate_positions():
    assert heatmap_panel(summary({"A01": None}), VIRIDIS, None, 400, SHEET_COLORS) is None
    assert heatmap_panel(summary({"x": 1.0}), VIRIDIS, None, 400, SHEET_COLORS) is None
    none = {"table": "t", "tables": ["t"], "columns": [], "wells": {"A01": {}}}
    assert heatmap_panel(none, VIRIDIS, None, 400, SHEET_COLORS) is None


def test_the_sheet_draws_the_panel_below_its_wells_at_its_width():
    header = {"well": "A01", "channel": 1, "site": 1, "step": "s", "seq": 1}
    header |= {"height": 8, "width": 8}
    previews = {("A01", 1): (header, bytes([200]) * 64)}
    channels = [{"index": 1, "name": "DAPI", "color": "#FF0000"}]
    layout = {"rows": 8, "columns": 12}
    plain = np.asarray(Image.open(BytesIO(contact_sheet(previews, channels, layout))))
    widths: list[int] = []

    def below(width: int) -> np.ndarray | None:
        widths.append(width)
        return heatmap_panel(summary({"A01": 5.0}), VIRIDIS, layout, width, SHEET_COLORS)

    png = contact_sheet(previews, channels, layout, below)
    sheet = np.asarray(Image.open(BytesIO(png)).convert("RGB"))
    assert widths == [plain.shape[1]]
    assert sheet.shape[0] > plain.shape[0]
    assert (sheet[: plain.shape[0]] == plain[..., :3]).all()
    # A single value: the middle of the map (the range is a point).
    assert colour_count(sheet[plain.shape[0] :], heatmap_color(VIRIDIS, 0.5)) >= 16
