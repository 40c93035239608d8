import { describe, expect, it } from "vitest";
import { HEATMAP_COLORS, normalise, viridis } from "../../src/protocol/index.js";

describe("the heatmap colour map", () => {
  it("runs through its stops, clamped, and rounds half up", () => {
    expect(viridis(0)).toEqual([0x44, 0x01, 0x54]);
    expect(viridis(1)).toEqual([0xfd, 0xe7, 0x25]);
    expect(viridis(0.5)).toEqual([0x21, 0x91, 0x8c]);
    // The contact sheet's Python copy of the interpolation must give the same bytes here
    // (jupyterlab_ext/tests/test_plate_heatmap.py): 139 + 3 × 0.5 = 140.5 → 141.
    expect(viridis(2.5 / 8)).toEqual([52, 98, 141]);
    expect(viridis(Number.NaN)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(HEATMAP_COLORS).toHaveLength(9);
  });

  it("places a value in its range, a point range in the middle", () => {
    expect(normalise(5, 0, 10)).toBe(0.5);
    expect(normalise(3, 3, 3)).toBe(0.5);
  });
});
