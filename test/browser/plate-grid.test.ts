import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import "../../src/widget/elements/ohr-plate-grid.js";
import type { WellSelectDetail } from "../../src/widget/elements/events.js";
import type { OhrPlateGrid } from "../../src/widget/elements/ohr-plate-grid.js";
import { PreviewCache } from "../../src/widget/imaging/preview-cache.js";
import { parsePreview } from "../../src/widget/state/preview-message.js";
import { all, clearBody, deep, pixel, screenshot, settle, thumbPixel } from "./helpers/dom.js";
import { previewOf } from "./helpers/mock-shim.js";
import { CHANNELS, quadrantPlanes, runningState, well } from "./helpers/scenes.js";
import type { ChannelInfo } from "../../src/widget/state/run-state.js";

const CYAN = [0, 255, 255];
const GREEN = [0, 255, 0];

/** Distinct, recognisable colours per theme variable the well states use. */
const STATE_VARIABLES = {
  "--jp-layout-color4": "rgb(1, 1, 1)",
  "--jp-warn-color2": "rgb(2, 2, 2)",
  "--jp-brand-color1": "rgb(3, 3, 3)",
  "--jp-success-color1": "rgb(4, 4, 4)",
  "--jp-error-color1": "rgb(5, 5, 5)",
  "--jp-warn-color0": "rgb(6, 6, 6)",
};

async function mountGrid(props: Partial<OhrPlateGrid>): Promise<OhrPlateGrid> {
  const grid = document.createElement("ohr-plate-grid");
  Object.assign(grid, props);
  document.body.append(grid);
  await settle(grid);
  return grid;
}

function cell(grid: OhrPlateGrid, name: string): HTMLElement {
  return deep(grid, `[data-well="${name}"]`);
}

describe("<ohr-plate-grid>", () => {
  afterEach(clearBody);

  it("draws a 96-well plate (8 × 12) when the wells fit one", async () => {
    const grid = await mountGrid({ wells: runningState().wells ?? {} });
    expect(all(grid, '[role="gridcell"]')).toHaveLength(96);
    expect(all(grid, '[role="rowheader"]').map((e) => e.textContent)).toEqual([
      "A",
      "B",
      "C",
      "D",
      "E",
      "F",
      "G",
      "H",
    ]);
    expect(deep(grid, '[role="grid"]').getAttribute("aria-label")).toBe("Plate, 8 × 12 wells");
    expect(cell(grid, "H12").dataset.row).toBe("7");
  });

  it("draws a 384-well plate (16 × 24) when a well lies outside 96, or when told", async () => {
    const inferred = await mountGrid({ wells: { P24: { state: "done", fraction: 1, step: "" } } });
    expect(all(inferred, '[role="gridcell"]')).toHaveLength(384);
    expect(cell(inferred, "P24").dataset.column).toBe("23");
    const told = await mountGrid({ layout: { rows: 16, columns: 24 }, wells: {} });
    expect(all(told, '[role="gridcell"]')).toHaveLength(384);
    await screenshot("plate-grid-384", inferred);
  });

  it("colours each well by its state from the theme and fills it by its progress", async () => {
    for (const [name, value] of Object.entries(STATE_VARIABLES))
      document.body.style.setProperty(name, value);
    const grid = await mountGrid({ wells: runningState().wells ?? {} });
    const border = (name: string): string => getComputedStyle(cell(grid, name)).borderTopColor;
    expect(border("F07")).toBe("rgb(1, 1, 1)"); // pending
    expect(border("C04")).toBe("rgb(2, 2, 2)"); // compiling
    expect(border("B03")).toBe("rgb(3, 3, 3)"); // running
    expect(border("A01")).toBe("rgb(4, 4, 4)"); // done
    expect(border("D05")).toBe("rgb(5, 5, 5)"); // failed
    expect(border("E06")).toBe("rgb(6, 6, 6)"); // cancelled
    expect(cell(grid, "G01").classList).toContain("absent");
    const fill = (name: string): number =>
      deep(cell(grid, name), ".fill").getBoundingClientRect().width;
    const inner = cell(grid, "B03").clientWidth;
    expect(fill("B03")).toBeCloseTo(inner * 0.5, 0);
    expect(fill("A01")).toBeCloseTo(inner, 0);
    expect(fill("F07")).toBe(0);
    expect(cell(grid, "D05").title).toContain("ValueError: empty stack");
    document.body.removeAttribute("style");
  });

  it("fires ohr-well-select with the well's name when a well is clicked", async () => {
    const grid = await mountGrid({ wells: runningState().wells ?? {} });
    const selected: WellSelectDetail[] = [];
    document.body.addEventListener("ohr-well-select", (e) => selected.push(e.detail));
    await userEvent.click(cell(grid, "B03"));
    await settle(grid);
    expect(selected).toEqual([{ well: "B03", row: "B", column: 3 }]);
    expect(cell(grid, "B03").getAttribute("aria-selected")).toBe("true");
    expect(grid.shadowRoot?.activeElement).toBe(cell(grid, "B03"));
  });

  it("is one tab stop whose arrow keys move between wells and whose Enter and Space select", async () => {
    const grid = await mountGrid({ wells: runningState().wells ?? {} });
    const focusable = all(grid, '[role="gridcell"]').filter((c) => c.tabIndex === 0);
    expect(focusable.map((c) => c.dataset.well)).toEqual(["A01"]);
    const selected: string[] = [];
    grid.addEventListener("ohr-well-select", (e) => selected.push(e.detail.well));
    await userEvent.tab();
    expect(grid.shadowRoot?.activeElement).toBe(cell(grid, "A01"));
    await userEvent.keyboard("{ArrowRight}{ArrowRight}{ArrowDown}");
    await settle(grid);
    expect(grid.shadowRoot?.activeElement).toBe(cell(grid, "B03"));
    expect(all(grid, '[tabindex="0"]').map((c) => c.dataset.well)).toEqual(["B03"]);
    await userEvent.keyboard("{Enter}");
    await userEvent.keyboard("{ArrowLeft}{ArrowUp}{ArrowUp}"); // stops at the edge
    await userEvent.keyboard(" ");
    await userEvent.keyboard("{End}{Enter}");
    await settle(grid);
    expect(selected).toEqual(["B03", "A02", "A12"]);
  });

  it("draws a thumbnail with the channels blended once previews arrive", async () => {
    const previews = new PreviewCache();
    const grid = await mountGrid({
      wells: runningState().wells ?? {},
      previews,
      channels: CHANNELS,
    });
    expect(thumbPixel(grid, "A01", 0.1, 0.4)).toEqual([0, 0, 0, 0]); // nothing drawn yet
    quadrantPlanes("A01").forEach((plane, i) => {
      const { content, pixels } = previewOf(plane, i + 1);
      previews.add(parsePreview(content, [new DataView(pixels.buffer)]));
    });
    const drawn: { well: string; seq: number; newest: number }[] = [];
    grid.addEventListener("ohr-preview-drawn", (e) => drawn.push(e.detail));
    grid.previewsVersion = previews.version;
    await settle(grid);
    expect(drawn).toEqual([{ well: "A01", seq: 2, newest: 2 }]);
    // The 64 × 48 plane is fitted into the square cell: quadrants around its centre.
    expect(thumbPixel(grid, "A01", 0.3, 0.35).slice(0, 3)).toEqual([0, 255, 255]); // DAPI + GFP
    expect(thumbPixel(grid, "A01", 0.7, 0.35).slice(0, 3)).toEqual([0, 255, 0]); // GFP
    expect(thumbPixel(grid, "A01", 0.3, 0.65).slice(0, 3)).toEqual([0, 0, 255]); // DAPI
    expect(thumbPixel(grid, "A01", 0.7, 0.65).slice(0, 3)).toEqual([0, 0, 0]);
    await screenshot("plate-grid-96-thumbnail", grid);
    // A later site redraws the thumbnail (still site 1) and says the well's newest preview.
    const [later] = quadrantPlanes("A01", { site: 2 });
    if (later === undefined) throw new Error("no plane");
    const { content, pixels } = previewOf(later, 3);
    previews.add(parsePreview(content, [new DataView(pixels.buffer)]));
    grid.previewsVersion = previews.version;
    await settle(grid);
    expect(drawn.at(-1)).toEqual({ well: "A01", seq: 2, newest: 3 });
  });

  it("paints every thumbnail into one canvas under the cells, a preview only its own well", async () => {
    const previews = new PreviewCache();
    const wells = { A01: well("done", 1), B03: well("done", 1), H12: well("running", 0.5) };
    const grid = await mountGrid({ wells, previews, channels: CHANNELS });
    const feed = (name: string, flipped: boolean, seq: number): void => {
      quadrantPlanes(name, {}, flipped).forEach((plane, i) => {
        const { content, pixels } = previewOf(plane, seq + i);
        previews.add(parsePreview(content, [new DataView(pixels.buffer)]));
      });
    };
    feed("A01", false, 1);
    feed("B03", true, 3);
    feed("H12", false, 5);
    grid.previewsVersion = previews.version;
    await settle(grid);
    expect(all(grid, "canvas")).toHaveLength(1);
    const top = (name: string): number[][] => [
      thumbPixel(grid, name, 0.3, 0.35).slice(0, 3),
      thumbPixel(grid, name, 0.7, 0.35).slice(0, 3),
    ];
    expect(top("A01")).toEqual([CYAN, GREEN]);
    expect(top("B03")).toEqual([GREEN, CYAN]); // DAPI on the right
    expect(top("H12")).toEqual([CYAN, GREEN]);
    // The cell is transparent over its thumbnail and exactly aligned: the thumbnail's corner
    // pixels are black (the fitted plane's margin) inside the cell's border, in the page too.
    const cellBox = cell(grid, "B03").getBoundingClientRect();
    const canvasBox = (grid.thumbnailCanvas as HTMLCanvasElement).getBoundingClientRect();
    const rect = grid.thumbnailRect("B03");
    expect(rect?.x).toBe(Math.round((cellBox.left - canvasBox.left + 2) * 2));
    expect(rect?.y).toBe(Math.round((cellBox.top - canvasBox.top + 2) * 2));
    expect(getComputedStyle(cell(grid, "B03")).backgroundColor).toBe("rgba(0, 0, 0, 0)");
    // Mark H12's rectangle, then a new preview of A01 arrives: H12 is not painted again.
    const ctx = grid.thumbnailCanvas?.getContext("2d") as CanvasRenderingContext2D;
    const h12 = grid.thumbnailRect("H12") as { x: number; y: number };
    ctx.fillStyle = "#ff00ff";
    ctx.fillRect(h12.x, h12.y, 4, 4);
    feed("A01", true, 7);
    grid.previewsVersion = previews.version;
    await settle(grid);
    expect(top("A01")).toEqual([GREEN, CYAN]);
    expect(pixel(grid.thumbnailCanvas as HTMLCanvasElement, h12.x + 1, h12.y + 1)).toEqual([
      255, 0, 255, 255,
    ]);
    await screenshot("plate-grid-one-canvas", grid);
  });

  it("repaints the thumbnails when channel colours, shown channels or the layout change", async () => {
    const previews = new PreviewCache();
    const grid = await mountGrid({
      wells: { A01: well("done", 1), C05: well("done", 1) },
      previews,
      channels: CHANNELS,
    });
    for (const name of ["A01", "C05"])
      quadrantPlanes(name).forEach((plane, i) => {
        const { content, pixels } = previewOf(plane, i + 1);
        previews.add(parsePreview(content, [new DataView(pixels.buffer)]));
      });
    grid.previewsVersion = previews.version;
    await settle(grid);
    const topLeft = (name: string): number[] => thumbPixel(grid, name, 0.3, 0.35).slice(0, 3);
    expect(topLeft("C05")).toEqual(CYAN);
    // DAPI recoloured red (the kernel's channels trait): red + green.
    grid.channels = [{ index: 1, name: "DAPI", color: "#ff0000" }, CHANNELS[1] as ChannelInfo];
    await settle(grid);
    expect(topLeft("A01")).toEqual([255, 255, 0]);
    expect(topLeft("C05")).toEqual([255, 255, 0]);
    // GFP hidden in the viewer: only DAPI's red is left.
    grid.hiddenChannels = new Set([2]);
    await settle(grid);
    expect(topLeft("C05")).toEqual([255, 0, 0]);
    // The plate turns out to be 384 wells: smaller cells elsewhere, painted at their new places.
    const before = grid.thumbnailRect("C05");
    grid.layout = { rows: 16, columns: 24 };
    await settle(grid);
    expect(grid.thumbnailRect("C05")).not.toEqual(before);
    expect(topLeft("C05")).toEqual([255, 0, 0]);
    expect(thumbPixel(grid, "C05", 0.3, 0.65).slice(0, 3)).toEqual([255, 0, 0]);
    expect(thumbPixel(grid, "C05", 0.7, 0.65).slice(0, 3)).toEqual([0, 0, 0]);
  });
});
