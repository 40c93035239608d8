import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import "../../src/widget/elements/ohr-stack-viewer.js";
import type { FullPlane, PlaneFetcher } from "../../src/widget/imaging/full-plane.js";
import type { OhrStackViewer } from "../../src/widget/elements/ohr-stack-viewer.js";
import { PreviewCache } from "../../src/widget/imaging/preview-cache.js";
import type { PlaneCoordinates } from "../../src/widget/state/preview-message.js";
import { parsePreview } from "../../src/widget/state/preview-message.js";
import type { ViewChangeDetail } from "../../src/widget/elements/events.js";
import { clearBody, deep, rgbAt, screenshot, settle } from "./helpers/dom.js";
import { previewOf, type SourcePlane } from "./helpers/mock-shim.js";
import { CHANNELS, fineDetailPlane, quadrantPlanes, rampPlane } from "./helpers/scenes.js";

const CYAN = [0, 255, 255];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const BLACK = [0, 0, 0];

function cacheOf(planes: SourcePlane[]): PreviewCache {
  const cache = new PreviewCache();
  // The wells shown: the cache keeps full previews only of wells held.
  for (const well of new Set(planes.map((p) => p.well))) cache.hold(well);
  planes.forEach((plane, i) => {
    const { content, pixels } = previewOf(plane, i + 1);
    cache.add(parsePreview(content, [new DataView(pixels.buffer)]));
  });
  return cache;
}

async function mountViewer(
  planes: SourcePlane[],
  props: Partial<OhrStackViewer> = {},
): Promise<OhrStackViewer> {
  const viewer = document.createElement("ohr-stack-viewer");
  const previews = cacheOf(planes);
  Object.assign(viewer, {
    well: "A01",
    channels: CHANNELS,
    axes: { sites: [1], z: [1], timepoints: [1], steps: ["normalize"] },
    previews,
    previewsVersion: previews.version,
    ...props,
  });
  document.body.append(viewer);
  await settle(viewer);
  return viewer;
}

const canvasOf = (viewer: OhrStackViewer): HTMLCanvasElement =>
  deep(viewer, "ohr-plane-canvas", "canvas");
const quadrants = (viewer: OhrStackViewer): number[][] => {
  const c = canvasOf(viewer);
  return [rgbAt(c, 0.25, 0.25), rgbAt(c, 0.75, 0.25), rgbAt(c, 0.25, 0.75), rgbAt(c, 0.75, 0.75)];
};

describe("<ohr-stack-viewer>", () => {
  afterEach(clearBody);

  it("draws the selected well's channels blended additively in their colours", async () => {
    const viewer = await mountViewer(quadrantPlanes("A01"));
    expect(quadrants(viewer)).toEqual([CYAN, GREEN, BLUE, BLACK]);
    expect(canvasOf(viewer).width / canvasOf(viewer).height).toBeCloseTo(64 / 48, 1);
    expect(deep(viewer, ".info").textContent).toContain("64×48 preview of 64×48 uint16");
    await screenshot("stack-viewer-blended", viewer);
  });

  it("hides a channel's contribution when its toggle is switched off, and restores it", async () => {
    const viewer = await mountViewer(quadrantPlanes("A01"));
    const dapi = deep<HTMLInputElement>(
      viewer,
      "ohr-channel-controls",
      '[data-channel="1"] .toggle',
    );
    expect(dapi.parentElement?.textContent).toContain("DAPI");
    await userEvent.click(dapi);
    await settle(viewer);
    expect(quadrants(viewer)).toEqual([GREEN, GREEN, BLACK, BLACK]);
    await userEvent.click(dapi);
    await settle(viewer);
    expect(quadrants(viewer)).toEqual([CYAN, GREEN, BLUE, BLACK]);
  });

  it("maps pixels through manual contrast limits in source units, and back to auto", async () => {
    const viewer = await mountViewer(quadrantPlanes("A01"));
    const row = '[data-channel="2"]';
    const max = deep<HTMLInputElement>(viewer, "ohr-channel-controls", `${row} .max`);
    expect(max.value).toBe("1000"); // auto: the preview's range, in source units
    await userEvent.fill(max, "2000");
    max.dispatchEvent(new Event("change", { bubbles: true }));
    await settle(viewer);
    // GFP is 1000 in the top half: half of 0..2000, so half-bright green.
    const [topLeft, topRight] = quadrants(viewer);
    expect(topRight?.[1]).toBeGreaterThanOrEqual(127);
    expect(topRight?.[1]).toBeLessThanOrEqual(128);
    expect(topLeft).toEqual([0, topRight?.[1], 255]);
    const min = deep<HTMLInputElement>(viewer, "ohr-channel-controls", `${row} .min`);
    await userEvent.fill(min, "1000");
    min.dispatchEvent(new Event("change", { bubbles: true }));
    await settle(viewer);
    expect(quadrants(viewer)[1]).toEqual(BLACK); // 1000 is now the black point
    await userEvent.click(deep(viewer, "ohr-channel-controls", `${row} .auto`));
    await settle(viewer);
    expect(quadrants(viewer)).toEqual([CYAN, GREEN, BLUE, BLACK]);
  });

  it("shows sliders only for axes with more than one value, and switches planes with z and site", async () => {
    const planes = [
      ...quadrantPlanes("A01", { z: 1, site: 1 }),
      ...quadrantPlanes("A01", { z: 2, site: 1 }, true),
      ...quadrantPlanes("A01", { z: 1, site: 2 }, true),
    ];
    const viewer = await mountViewer(planes, {
      axes: { sites: [1, 2], z: [1, 2], timepoints: [1], steps: ["normalize"] },
    });
    const sliders = deep(viewer, "ohr-axis-sliders");
    const axes = [...(sliders.shadowRoot?.querySelectorAll<HTMLInputElement>("input.axis") ?? [])];
    expect(axes.map((s) => s.dataset.axis)).toEqual(["site", "z"]);
    const views: ViewChangeDetail[] = [];
    viewer.addEventListener("ohr-view-change", (e) => {
      views.push(e.detail);
      viewer.view = e.detail.view; // what <ohr-run-view> does
    });
    const z = axes[1] as HTMLInputElement;
    z.focus();
    await userEvent.keyboard("{ArrowRight}");
    await settle(viewer);
    expect(views.at(-1)?.view).toMatchObject({ site: 1, z: 2 });
    expect(quadrants(viewer)).toEqual([GREEN, CYAN, BLACK, BLUE]);
    await userEvent.keyboard("{ArrowLeft}");
    const site = axes[0] as HTMLInputElement;
    site.focus();
    await userEvent.keyboard("{ArrowRight}");
    await settle(viewer);
    expect(views.at(-1)?.view).toMatchObject({ site: 2, z: 1 });
    expect(quadrants(viewer)).toEqual([GREEN, CYAN, BLACK, BLUE]);
    await screenshot("stack-viewer-sliders", viewer);
  });

  it("zooms with keys, buttons and the wheel, and pans with arrow keys and dragging", async () => {
    const viewer = await mountViewer([rampPlane("A01")]);
    const canvas = canvasOf(viewer);
    const frame = deep(viewer, "ohr-plane-canvas", ".frame");
    // DAPI rises left to right: the blue at the left edge tells which image column is there.
    const leftBlue = (): number => rgbAt(canvas, 0, 0.5)[2] ?? -1;
    const rightBlue = (): number => rgbAt(canvas, 1, 0.5)[2] ?? -1;
    expect(leftBlue()).toBe(0);
    expect(rightBlue()).toBe(255);
    frame.focus();
    await userEvent.keyboard("++");
    await settle(viewer);
    // Zoom 2.25 about the centre: the left edge shows column 32 − 32/2.25 ≈ 18 of 63.
    expect(leftBlue()).toBeGreaterThan(60);
    expect(leftBlue()).toBeLessThan(85);
    expect(deep(viewer, "ohr-plane-canvas", "output").textContent).toBe("225%");
    const zoomed = leftBlue();
    await userEvent.keyboard("{ArrowRight}{ArrowRight}");
    await settle(viewer);
    expect(leftBlue()).toBeGreaterThan(zoomed);
    const panned = leftBlue();
    await userEvent.dragAndDrop(frame, frame, {
      sourcePosition: { x: 100, y: 100 },
      targetPosition: { x: 200, y: 100 },
    });
    await settle(viewer);
    expect(leftBlue()).toBeLessThan(panned); // dragged right: the image moves right
    await userEvent.click(deep(viewer, "ohr-plane-canvas", 'button[aria-label="Zoom out"]'));
    await userEvent.click(deep(viewer, "ohr-plane-canvas", 'button[aria-label="Zoom out"]'));
    await settle(viewer);
    expect(leftBlue()).toBe(0);
    await userEvent.wheel(frame, { delta: { y: -100 } });
    await settle(viewer);
    expect(deep(viewer, "ohr-plane-canvas", "output").textContent).toBe("150%");
    expect(leftBlue()).toBeGreaterThan(0);
  });

  it("zooming in fetches full resolution by itself and shows its exact values with the current contrast", async () => {
    const source = fineDetailPlane("A01");
    const requests: PlaneCoordinates[] = [];
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const fetchPlane: PlaneFetcher = async (request) => {
      requests.push(request);
      await released;
      const plane: FullPlane = {
        width: source.width,
        height: source.height,
        dtype: "uint16",
        values: source.values,
      };
      return plane;
    };
    const viewer = await mountViewer([source], { fetchPlane });
    const max = deep<HTMLInputElement>(viewer, "ohr-channel-controls", '[data-channel="1"] .max');
    const min = deep<HTMLInputElement>(viewer, "ohr-channel-controls", '[data-channel="1"] .min');
    await userEvent.fill(min, "0");
    await userEvent.fill(max, "4000");
    max.dispatchEvent(new Event("change", { bubbles: true }));
    await settle(viewer);
    expect(requests, "nothing fetched at the whole-image view").toEqual([]);
    const frame = deep(viewer, "ohr-plane-canvas", ".frame");
    frame.focus();
    await userEvent.keyboard("+++++"); // 7.6×: one image column ≈ 5.7 canvas px
    await settle(viewer);
    // Asked for by zooming alone; until it is there, the preview shows (it averaged the detail away).
    expect(requests).toEqual([
      { well: "A01", channel: 1, site: 1, z: 1, timepoint: 1, step: "normalize" },
    ]);
    expect(deep(viewer, ".full").textContent).toContain("Full resolution (zoomed in)");
    expect(deep<HTMLInputElement>(viewer, ".full input").checked).toBe(true);
    const canvas = canvasOf(viewer);
    const columnStep = canvas.width / (source.width / 7.59375);
    const blueAt = (x: number): number => rgbAt(canvas, x / canvas.width, 0.5)[2] ?? -1;
    const near = [blueAt(100), blueAt(100 + columnStep)];
    expect(Math.abs((near[0] ?? 0) - (near[1] ?? 0))).toBeLessThanOrEqual(2);
    release();
    await expect
      .poll(async () => {
        await settle(viewer);
        return deep(viewer, ".info").textContent;
      })
      .toContain("512×384 full resolution, uint16");
    // Row 192 (the middle): even columns 1000 + 768, odd ones 1000 more; 0..4000 → 0..255.
    const values = [blueAt(100), blueAt(100 + columnStep)].sort((a, b) => a - b);
    expect(values[0]).toBeCloseTo((1768 / 4000) * 255, -0.5);
    expect(values[1]).toBeCloseTo((2768 / 4000) * 255, -0.5);
    expect(requests).toHaveLength(1);
    await screenshot("stack-viewer-full-resolution", viewer);
  });

  it("fetches full resolution when asked at the whole-image view, and stays on the preview when switched off", async () => {
    const source = fineDetailPlane("A01");
    const requests: PlaneCoordinates[] = [];
    const fetchPlane: PlaneFetcher = (request) => {
      requests.push(request);
      const { width, height, values } = source;
      return Promise.resolve({ width, height, dtype: "uint16", values } satisfies FullPlane);
    };
    const viewer = await mountViewer([source], { fetchPlane });
    await userEvent.click(deep(viewer, ".full input"));
    await settle(viewer);
    expect(requests).toHaveLength(1);
    await expect.poll(() => deep(viewer, ".info").textContent).toContain("full resolution");
    await userEvent.click(deep(viewer, ".full input")); // off, by choice
    await settle(viewer);
    const frame = deep(viewer, "ohr-plane-canvas", ".frame");
    frame.focus();
    await userEvent.keyboard("++");
    await settle(viewer);
    expect(deep<HTMLInputElement>(viewer, ".full input").checked).toBe(false);
    expect(deep(viewer, ".full").textContent).not.toContain("zoomed in");
    expect(deep(viewer, ".info").textContent).toContain("256×192 preview of 512×384");
    expect(requests, "zooming does not override the user's choice").toHaveLength(1);
  });

  it("says why when full resolution cannot be fetched, and keeps showing the preview", async () => {
    const fetchPlane: PlaneFetcher = () =>
      Promise.reject(
        Object.assign(new Error("no plane A01 channel 1"), { code: "ERR_PLANE_NOT_FOUND" }),
      );
    const viewer = await mountViewer(quadrantPlanes("A01"), { fetchPlane });
    await userEvent.click(deep(viewer, ".full input"));
    await settle(viewer);
    expect(deep(viewer, ".fetch-error").textContent).toContain("ERR_PLANE_NOT_FOUND");
    expect(quadrants(viewer)).toEqual([CYAN, GREEN, BLUE, BLACK]);
  });
});
