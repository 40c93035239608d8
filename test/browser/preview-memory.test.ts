/**
 * The browser keeps what is on screen, not the plate (issue 11): after a 384-well plate's
 * previews have all arrived (3 sites × 4 channels of 256² a well, 302 MB of previews), it holds
 * every well's thumbnail at the grid's resolution and full previews of the wells the viewer
 * shows, a few MB in all. A well whose previews it did not keep is asked of the kernel
 * (`replay_previews` with `well`) when selected, shown as loading, then drawn.
 */
import { afterEach, describe, expect, it } from "vitest";
import widget from "../../src/widget/module.js";
import type { OhrPlateGrid } from "../../src/widget/elements/ohr-plate-grid.js";
import type { OhrRunView } from "../../src/widget/elements/ohr-run-view.js";
import type { ChannelInfo, WellProgress } from "../../src/widget/state/run-state.js";
import { clearBody, deep, rgbAt, screenshot, settle, thumbPixel } from "./helpers/dom.js";
import { MockModel } from "./helpers/mock-model.js";
import { MockShim } from "./helpers/mock-shim.js";
import { maskPixels, runningState } from "./helpers/scenes.js";
import { wellName } from "../../src/widget/imaging/well-names.js";

const ROWS = 16;
const COLUMNS = 24;
const SITES = [1, 2, 3];
const EDGE = 256;
const CHANNELS: ChannelInfo[] = [
  { index: 1, name: "DAPI", color: "#0000ff" },
  { index: 2, name: "GFP", color: "#00ff00" },
  { index: 3, name: "RFP", color: "#ff0000" },
  { index: 4, name: "Cy5", color: "#ff00ff" },
];
const CYAN = [0, 255, 255];
const GREEN = [0, 255, 0];
const PREVIEW_BYTES = EDGE * EDGE;
const PLATE_BYTES = ROWS * COLUMNS * SITES.length * CHANNELS.length * PREVIEW_BYTES;
/** Full previews of the two wells held, and every well's thumbnail at ≤ 32² a channel. */
const HELD_BOUND =
  2 * SITES.length * CHANNELS.length * PREVIEW_BYTES + ROWS * COLUMNS * CHANNELS.length * 32 * 32;

const wellAt = (row: number, column: number): string => wellName({ row, column });
const pixels = (bright: (x: number, y: number) => boolean): Uint8Array =>
  maskPixels(EDGE, EDGE, bright);
// DAPI bright on the left (the right in wells of odd parity), GFP on top, RFP and Cy5 dark.
const LEFT = pixels((x) => x < EDGE / 2);
const RIGHT = pixels((x) => x >= EDGE / 2);
const TOP = pixels((_x, y) => y < EDGE / 2);
const DARK = pixels(() => false);
const topColours = (row: number, column: number): number[][] =>
  (row + column) % 2 === 0 ? [CYAN, GREEN] : [GREEN, CYAN];

function wells(): Record<string, WellProgress> {
  const all: Record<string, WellProgress> = {};
  for (let r = 0; r < ROWS; r++)
    for (let c = 0; c < COLUMNS; c++)
      all[wellAt(r, c)] = { state: "running", fraction: 0.5, step: "normalize" };
  return all;
}

describe("browser memory with a 384-well plate's previews", () => {
  afterEach(clearBody);

  it("holds thumbnails for the grid and previews of the wells shown, and asks for a selected well's", async () => {
    const model = new MockModel(
      runningState({
        plate_layout: { rows: ROWS, columns: COLUMNS },
        wells: wells(),
        channels: CHANNELS,
        axes: { sites: SITES, z: [1], timepoints: [1], steps: ["normalize"] },
      }),
    );
    const shim = new MockShim(model);
    const closeModel = widget.initialize({ model });
    const el = document.createElement("div");
    document.body.append(el);
    const remove = widget.render({ model, el });
    const view = el.querySelector("ohr-run-view") as OhrRunView;
    await settle(view);
    try {
      let seq = 0;
      for (let r = 0; r < ROWS; r++) {
        for (let c = 0; c < COLUMNS; c++)
          for (const site of SITES)
            for (const channel of [1, 2, 3, 4]) {
              const dapi = (r + c) % 2 === 0 ? LEFT : RIGHT;
              const content = {
                kind: "ohr-preview",
                seq: (seq += 1),
                well: wellAt(r, c),
                site,
                channel,
                z: 1,
                timepoint: 1,
                step: "normalize",
                width: EDGE,
                height: EDGE,
                source_shape: [EDGE * 4, EDGE * 4],
                dtype: "uint16",
                value_min: 0,
                value_max: 1000,
              };
              shim.send(content, channel === 1 ? dapi : channel === 2 ? TOP : DARK);
            }
        await new Promise((resolve) => requestAnimationFrame(resolve)); // a row at a time
      }
      await settle(view);
      const previews = view.previews;
      if (previews === null) throw new Error("no preview cache");
      const held = previews.bytes;
      console.log(
        `preview memory: ${(held / 2 ** 20).toFixed(2)} MiB held for ${seq} previews ` +
          `(${(PLATE_BYTES / 2 ** 20).toFixed(0)} MiB); ${previews.size} full previews`,
      );
      expect(held, "bytes held").toBeLessThanOrEqual(HELD_BOUND);
      expect(held, "bytes held vs the plate's previews").toBeLessThan(PLATE_BYTES / 50);
      expect(previews.size).toBeLessThanOrEqual(2 * SITES.length * CHANNELS.length);

      // Every well's thumbnail is in the grid, from the thumbnails kept.
      const grid = deep<OhrPlateGrid>(view, "ohr-plate-grid");
      for (const [r, c] of [
        [0, 0],
        [7, 11],
        [15, 23],
        [9, 16],
        [3, 20],
      ] as const) {
        const name = wellAt(r, c);
        const [left, right] = topColours(r, c);
        expect(thumbPixel(grid, name, 0.3, 0.3).slice(0, 3), name).toEqual(left);
        expect(thumbPixel(grid, name, 0.7, 0.3).slice(0, 3), name).toEqual(right);
        expect(thumbPixel(grid, name, 0.3, 0.7).slice(0, 3), name).toEqual(
          JSON.stringify(left) === JSON.stringify(CYAN) ? [0, 0, 255] : [0, 0, 0],
        );
      }

      // Select a well whose previews were not kept, while the kernel is busy: loading first.
      const name = wellAt(10, 17); // odd parity: DAPI on the right
      expect(previews.holds(name)).toBe(false);
      shim.busy = true;
      deep(grid, `[data-well="${name}"]`).click();
      await settle(view);
      const viewer = deep(view, "ohr-stack-viewer");
      expect(deep(viewer, "b").textContent).toBe(name);
      expect(deep(viewer, '.info [role="status"]').textContent).toBe("loading previews…");
      expect(model.commands("replay_previews").at(-1)).toMatchObject({ args: { well: name } });
      shim.idle();
      await settle(view);
      expect(shim.replays.at(-1)).toBe(name);
      expect(deep(viewer, ".info").textContent).toContain("256×256 preview");
      const canvas = deep<HTMLCanvasElement>(viewer, "ohr-plane-canvas", "canvas");
      expect([rgbAt(canvas, 0.25, 0.25), rgbAt(canvas, 0.75, 0.25)]).toEqual([GREEN, CYAN]);
      expect(previews.bytes, "bytes held after selecting").toBeLessThanOrEqual(HELD_BOUND);
      await screenshot("preview-memory-384", view);
    } finally {
      remove();
      closeModel();
    }
  });
});
