/**
 * The ROI overlay: outlines of a known object land on its edge in the stack viewer, over a
 * preview that is smaller than the plane, and follow zoom; the toggle asks for the shown site
 * and channels only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import "../../src/widget/elements/ohr-stack-viewer.js";
import type { OhrPlaneCanvas } from "../../src/widget/elements/ohr-plane-canvas.js";
import type { OhrStackViewer } from "../../src/widget/elements/ohr-stack-viewer.js";
import { PreviewCache } from "../../src/widget/imaging/preview-cache.js";
import type { MeasurementSource, RoiOutline } from "../../src/widget/state/index.js";
import { parsePreview } from "../../src/widget/state/preview-message.js";
import { clearBody, deep, pixel, screenshot, settle } from "./helpers/dom.js";
import { previewOf, type SourcePlane } from "./helpers/mock-shim.js";
import { CHANNELS } from "./helpers/scenes.js";

// A 512 × 384 plane (its preview is 256 × 192) with one bright object: rows 100..180, columns 200..300.
const WIDTH = 512;
const HEIGHT = 384;
const OBJECT = { top: 100, bottom: 180, left: 200, right: 300 };

function objectPlane(): SourcePlane {
  const values = new Uint16Array(WIDTH * HEIGHT);
  for (let y = OBJECT.top; y < OBJECT.bottom; y++) {
    for (let x = OBJECT.left; x < OBJECT.right; x++) values[y * WIDTH + x] = 3000;
  }
  return {
    well: "A01",
    site: 2,
    channel: 1,
    z: 1,
    timepoint: 1,
    step: "count",
    width: WIDTH,
    height: HEIGHT,
    values,
  };
}

const OUTLINE: RoiOutline = {
  channel: 1,
  site: 2,
  polygon: [
    [OBJECT.top, OBJECT.left],
    [OBJECT.top, OBJECT.right],
    [OBJECT.bottom, OBJECT.right],
    [OBJECT.bottom, OBJECT.left],
  ],
};

async function mountViewer(asked: unknown[]): Promise<OhrStackViewer> {
  const previews = new PreviewCache();
  previews.hold(objectPlane().well);
  const { content, pixels } = previewOf(objectPlane(), 1);
  previews.add(parsePreview(content, [new DataView(pixels.buffer)]));
  const source: MeasurementSource = {
    summary: () => Promise.reject(new Error("unused")),
    wellRows: () => Promise.reject(new Error("unused")),
    rois: (well, site, channels) => {
      asked.push({ well, site, channels });
      return Promise.resolve([OUTLINE]);
    },
  };
  const viewer = document.createElement("ohr-stack-viewer");
  Object.assign(viewer, {
    well: "A01",
    channels: CHANNELS,
    axes: { sites: [2], z: [1], timepoints: [1], steps: ["count"] },
    previews,
    previewsVersion: previews.version,
    measurements: source,
  });
  document.body.append(viewer);
  await settle(viewer);
  return viewer;
}

const WHITE = 180; // the outline's light line, antialiased across two pixels at worst

/** The whitest pixel within 2 px of `p` (a 1.25 px line lands between pixels). */
function whitest(canvas: HTMLCanvasElement, p: { x: number; y: number }): number {
  let best = 0;
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const rgb = pixel(canvas, Math.round(p.x) + dx, Math.round(p.y) + dy).slice(0, 3);
      best = Math.max(best, Math.min(...rgb));
    }
  }
  return best;
}

describe("ROI overlay in <ohr-stack-viewer>", () => {
  afterEach(clearBody);

  it("draws the outline on the known object's edge, only when toggled on", async () => {
    const asked: unknown[] = [];
    const viewer = await mountViewer(asked);
    const plane = deep<OhrPlaneCanvas>(viewer, "ohr-plane-canvas");
    const canvas = deep<HTMLCanvasElement>(plane, "canvas");
    const edge = plane.toCanvas([OBJECT.top, (OBJECT.left + OBJECT.right) / 2]);
    const inside = plane.toCanvas([(OBJECT.top + OBJECT.bottom) / 2, OBJECT.left + 10]);
    if (edge === null || inside === null) throw new Error("no image drawn");
    const at = (p: { x: number; y: number }) => pixel(canvas, Math.round(p.x), Math.round(p.y));
    expect(whitest(canvas, edge)).toBeLessThan(WHITE); // no outline yet
    await userEvent.click(deep(viewer, 'input[aria-label="Show ROI outlines"]'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle(viewer);
    await settle(plane);
    expect(asked).toEqual([{ well: "A01", site: 2, channels: [1] }]);
    expect(whitest(canvas, edge)).toBeGreaterThanOrEqual(WHITE);
    expect(Math.min(...at(inside).slice(0, 3))).toBeLessThan(WHITE);
    // The preview is half the plane's size: the edge sits at row 100 of 384, not of 192.
    expect(edge.y / canvas.height).toBeCloseTo(OBJECT.top / HEIGHT, 2);
    await screenshot("roi-overlay", viewer);
  });

  it("follows zoom: the outline moves with the image", async () => {
    const viewer = await mountViewer([]);
    await userEvent.click(deep(viewer, 'input[aria-label="Show ROI outlines"]'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle(viewer);
    const plane = deep<OhrPlaneCanvas>(viewer, "ohr-plane-canvas");
    const canvas = deep<HTMLCanvasElement>(plane, "canvas");
    const corner: [number, number] = [OBJECT.top, OBJECT.left];
    const fitted = plane.toCanvas(corner);
    await userEvent.click(deep(plane, 'button[aria-label="Zoom in"]'));
    await settle(plane);
    const zoomed = plane.toCanvas(corner);
    if (fitted === null || zoomed === null) throw new Error("no image drawn");
    expect(zoomed).not.toEqual(fitted);
    const edge = plane.toCanvas([OBJECT.top, OBJECT.left + 20]);
    if (edge === null) throw new Error("no image drawn");
    expect(whitest(canvas, edge)).toBeGreaterThanOrEqual(WHITE);
    // The middle of the object is far from any edge at this zoom: no outline there.
    const middle = plane.toCanvas([
      (OBJECT.top + OBJECT.bottom) / 2,
      (OBJECT.left + OBJECT.right) / 2,
    ]);
    if (middle === null) throw new Error("no image drawn");
    expect(whitest(canvas, middle)).toBeLessThan(WHITE);
  });
});
