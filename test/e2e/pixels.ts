/**
 * What an image on the page looks like, read from its pixels: a canvas through `getImageData`,
 * an `<img>` by drawing it onto a scratch canvas first, a plate-grid well cell as its rectangle of
 * the grid's one thumbnail canvas. Tests use it to tell a drawn image from
 * an empty frame, and to check the colours it is drawn in.
 */
import type { Locator } from "playwright-core";

/** Summary of an image's RGB pixels. */
export interface PixelStats {
  readonly width: number;
  readonly height: number;
  /** Pixels with any component above 8 (not black). */
  readonly lit: number;
  /** Per component (r, g, b): the largest value, and the mean over all pixels. */
  readonly max: readonly [number, number, number];
  readonly mean: readonly [number, number, number];
  /** Per component: pixels where it exceeds both others by more than 32 (clearly that hue). */
  readonly dominant: readonly [number, number, number];
  /** FNV-1a over the RGB bytes: equal images hash equal, changed ones (almost surely) do not. */
  readonly hash: number;
}

/**
 * Runs in the page (serialised by Playwright, so it must not refer to anything outside itself).
 */
function readPixels(element: Element): PixelStats {
  let canvas: HTMLCanvasElement;
  let region: { x: number; y: number; width: number; height: number } | null = null;
  const well = element instanceof HTMLElement ? element.dataset.well : undefined;
  if (well !== undefined) {
    const root = element.getRootNode();
    const grid = (root instanceof ShadowRoot ? root.host : null) as {
      thumbnailCanvas?: HTMLCanvasElement | null;
      thumbnailRect?: (name: string) => typeof region;
    } | null;
    const gridCanvas = grid?.thumbnailCanvas ?? null;
    region = grid?.thumbnailRect?.(well) ?? null;
    if (gridCanvas === null || region === null) throw new Error(`no thumbnail of well ${well}`);
    canvas = gridCanvas;
  } else if (element instanceof HTMLCanvasElement) {
    canvas = element;
  } else if (element instanceof HTMLImageElement) {
    canvas = document.createElement("canvas");
    canvas.width = element.naturalWidth;
    canvas.height = element.naturalHeight;
    canvas.getContext("2d")?.drawImage(element, 0, 0);
  } else {
    throw new Error(`not a canvas or an image: <${element.tagName.toLowerCase()}>`);
  }
  const { x, y, width, height } = region ?? {
    x: 0,
    y: 0,
    width: canvas.width,
    height: canvas.height,
  };
  const ctx = canvas.getContext("2d");
  if (ctx === null || width === 0 || height === 0) {
    return { width, height, lit: 0, max: [0, 0, 0], mean: [0, 0, 0], dominant: [0, 0, 0], hash: 0 };
  }
  const data = ctx.getImageData(x, y, width, height).data;
  const max = [0, 0, 0];
  const sum = [0, 0, 0];
  const dominant = [0, 0, 0];
  let lit = 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < data.length; i += 4) {
    let on = false;
    for (let c = 0; c < 3; c += 1) {
      const v = data[i + c] ?? 0;
      sum[c] = (sum[c] ?? 0) + v;
      if (v > (max[c] ?? 0)) max[c] = v;
      if (v > 8) on = true;
      hash = Math.imul(hash ^ v, 0x01000193) >>> 0;
    }
    if (on) lit += 1;
    const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
    if (r > g + 32 && r > b + 32) dominant[0] = (dominant[0] ?? 0) + 1;
    if (g > r + 32 && g > b + 32) dominant[1] = (dominant[1] ?? 0) + 1;
    if (b > r + 32 && b > g + 32) dominant[2] = (dominant[2] ?? 0) + 1;
  }
  const n = width * height;
  return {
    width,
    height,
    lit,
    max: [max[0] ?? 0, max[1] ?? 0, max[2] ?? 0],
    mean: [(sum[0] ?? 0) / n, (sum[1] ?? 0) / n, (sum[2] ?? 0) / n],
    dominant: [dominant[0] ?? 0, dominant[1] ?? 0, dominant[2] ?? 0],
    hash,
  };
}

/** Read the pixels of the canvas, `<img>` or grid well that `locator` points at (waiting for it). */
export async function pixelsOf(locator: Locator): Promise<PixelStats> {
  await locator.waitFor({ state: "visible" });
  return locator.evaluate(readPixels);
}

/** `#00ff00` or `rgb(0, 255, 0)` (a computed style) → `[0, 255, 0]`. */
export function parseColour(text: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text.trim());
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(text.trim());
  const parts = hex?.slice(1).map((v) => parseInt(v, 16)) ?? rgb?.slice(1).map(Number);
  if (parts?.length !== 3) throw new Error(`not a colour: ${text}`);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

type Rgb = readonly [number, number, number];

/**
 * Why `stats` is not an image drawn in `colours` (channel colours blended additively on black),
 * or `null` if it is: enough lit pixels; no light in a component no colour has; and every
 * channel visible (somewhere its own components clearly dominate). With `onGrey`, grey
 * surroundings (a contact sheet's background and empty wells) are allowed: only clearly
 * coloured pixels count.
 */
export function colourProblem(
  stats: PixelStats,
  colours: readonly Rgb[],
  { onGrey = false }: { onGrey?: boolean } = {},
): string | null {
  const total = stats.width * stats.height;
  if (total === 0) return "the image has no pixels";
  if (stats.lit < total * 0.02) return `only ${stats.lit} of ${total} pixels are not black`;
  const names = ["red", "green", "blue"] as const;
  for (const c of [0, 1, 2] as const) {
    if (colours.some((colour) => colour[c] > 0)) continue;
    const stray = onGrey ? stats.dominant[c] : stats.max[c];
    if (stray > 0) {
      return `${names[c]} shows (${onGrey ? `${stray} pixels` : `up to ${stray}`}) but no shown channel has ${names[c]} in its colour`;
    }
  }
  for (const colour of colours) {
    // The components only this channel lights must dominate somewhere if it is drawn.
    const own = ([0, 1, 2] as const).filter(
      (c) => colour[c] > 0 && colours.every((other) => other === colour || other[c] === 0),
    );
    if (own.length > 0 && own.every((c) => stats.dominant[c] < total * 0.001)) {
      return `no pixel clearly shows the channel coloured rgb(${colour.join(", ")})`;
    }
  }
  return null;
}
