import { describe, expect, it } from "vitest";
import {
  parseWellName,
  plateLayoutFor,
  rowLabel,
  wellName,
} from "../../src/widget/imaging/well-names.js";
import {
  clampViewport,
  panBy,
  visibleRegion,
  zoomBy,
  FIT,
} from "../../src/widget/imaging/viewport.js";
import { formatPercent } from "../../src/widget/elements/format.js";

describe("well names and plate layouts", () => {
  it("reads row letters and column numbers, padded or not", () => {
    expect(parseWellName("B03")).toEqual({ row: 1, column: 2 });
    expect(parseWellName("b3")).toEqual({ row: 1, column: 2 });
    expect(parseWellName("P24")).toEqual({ row: 15, column: 23 });
    expect(parseWellName("AF48")).toEqual({ row: 31, column: 47 });
    expect(parseWellName("well-1")).toBeNull();
    expect(parseWellName("A00")).toBeNull();
  });

  it("writes names the way ImageXpress does", () => {
    expect(wellName({ row: 1, column: 2 })).toBe("B03");
    expect(rowLabel(26)).toBe("AA");
    expect(wellName({ row: 31, column: 47 })).toBe("AF48");
  });

  it("draws the layout it is given, else the smallest standard plate holding the wells", () => {
    expect(plateLayoutFor({ rows: 16, columns: 24 }, ["A01"])).toEqual({ rows: 16, columns: 24 });
    expect(plateLayoutFor(null, ["A01", "H12"])).toEqual({ rows: 8, columns: 12 });
    expect(plateLayoutFor(null, ["A13"])).toEqual({ rows: 16, columns: 24 });
    expect(plateLayoutFor(null, ["I01"])).toEqual({ rows: 16, columns: 24 });
    expect(plateLayoutFor(null, ["Q01"])).toEqual({ rows: 32, columns: 48 });
    expect(plateLayoutFor({ rows: 0, columns: 0 }, [])).toEqual({ rows: 8, columns: 12 });
  });
});

describe("the viewport", () => {
  it("keeps the image point under the cursor when zooming there", () => {
    const v = zoomBy(FIT, 2, { x: 0.25, y: 0.5 });
    expect(v.zoom).toBe(2);
    // Before: canvas x 0.25 showed image x 0.25. After: still.
    expect(v.cx + (0.25 - 0.5) / v.zoom).toBeCloseTo(0.25);
  });

  it("never shows outside the image, nor zooms out past the whole image", () => {
    expect(clampViewport({ zoom: 0.5, cx: 0.9, cy: 0.1 })).toEqual(FIT);
    const v = panBy(zoomBy(FIT, 4), 10, -10);
    expect(visibleRegion(v, 400, 200)).toEqual({ sx: 300, sy: 0, sw: 100, sh: 50 });
  });
});

describe("numbers a user reads", () => {
  it("floors percentages, so 100% means done", () => {
    expect([0.999, 1, 0.421, -1].map(formatPercent)).toEqual(["99%", "100%", "42%", "0%"]);
  });
});
