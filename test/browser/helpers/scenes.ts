/**
 * Synthetic plates whose blended colours are known in advance, so tests can read canvas pixels
 * and say exactly what a user should see.
 *
 * Two channels on a 64 × 48 plane: DAPI (blue) is bright in the left half, GFP (green) in the top
 * half. Blended additively: top-left cyan, top-right green, bottom-left blue, bottom-right black.
 */
import type {
  ChannelInfo,
  OhrRunState,
  WellProgress,
} from "../../../src/widget/state/run-state.js";
import type { SourcePlane } from "./mock-shim.js";

/** 8-bit preview pixels of a `width × height` plane, 255 where `bright(x, y)`, else 0. */
export function maskPixels(
  width: number,
  height: number,
  bright: (x: number, y: number) => boolean,
): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) out[y * width + x] = bright(x, y) ? 255 : 0;
  return out;
}

export const CHANNELS: ChannelInfo[] = [
  { index: 1, name: "DAPI", color: "#0000ff" },
  { index: 2, name: "GFP", color: "#00ff00" },
];

export const WIDTH = 64;
export const HEIGHT = 48;

type Where = Partial<Pick<SourcePlane, "site" | "z" | "timepoint" | "step">>;

function plane(
  well: string,
  channel: number,
  where: Where,
  value: (x: number, y: number) => number,
  w = WIDTH,
  h = HEIGHT,
): SourcePlane {
  const values = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) values[y * w + x] = value(x, y);
  return {
    well,
    channel,
    site: 1,
    z: 1,
    timepoint: 1,
    step: "normalize",
    ...where,
    width: w,
    height: h,
    values,
  };
}

/**
 * The two-channel quadrant scene. With `flipped`, DAPI is bright in the right half instead (so a
 * different z or site is visibly different: top-right becomes cyan).
 */
export function quadrantPlanes(well: string, where: Where = {}, flipped = false): SourcePlane[] {
  return [
    plane(well, 1, where, (x) => (x < WIDTH / 2 !== flipped ? 4000 : 0)),
    plane(well, 2, where, (_x, y) => (y < HEIGHT / 2 ? 1000 : 0)),
  ];
}

/** One channel (DAPI) rising left to right: value `64·x`, so zoom and pan show as brightness. */
export function rampPlane(well: string): SourcePlane {
  return plane(well, 1, {}, (x) => x * 64);
}

/**
 * A 512 × 384 DAPI plane with detail finer than its preview: odd columns are 1000 brighter than
 * even ones, plus a gentle vertical slope. The 256 × 192 preview averages the columns away.
 */
export function fineDetailPlane(well: string): SourcePlane {
  return plane(well, 1, {}, (x, y) => 1000 + 4 * y + (x % 2) * 1000, 512, 384);
}

/** A well record. */
export function well(
  state: WellProgress["state"],
  fraction: number,
  step = "normalize",
  error?: string,
): WellProgress {
  return error === undefined ? { state, fraction, step } : { state, fraction, step, error };
}

/** State of a running 96-well run with wells in every state. */
export function runningState(overrides: Partial<OhrRunState> = {}): Partial<OhrRunState> {
  return {
    execution_id: "3f2a9c1e",
    server: "127.0.0.1:7777",
    status: "running",
    progress: {
      fraction: 0.42,
      wells_done: 2,
      wells_total: 8,
      wells_failed: 1,
      eta_ms: 200_000,
      elapsed_ms: 62_000,
      step_names: ["normalize"],
    },
    wells: {
      A01: well("done", 1),
      A02: well("done", 1),
      B03: well("running", 0.5),
      C04: well("compiling", 0),
      D05: well("failed", 0.5, "normalize", "ValueError: empty stack"),
      E06: well("cancelled", 0.2),
      F07: well("pending", 0),
      H12: well("pending", 0),
    },
    plate_layout: null,
    channels: CHANNELS,
    axes: { sites: [1], z: [1], timepoints: [1], steps: ["normalize"] },
    images_received: 4,
    gaps: [],
    error: null,
    relay_link: null,
    rerun: null,
    selected_well: "",
    view: { site: null, z: null, timepoint: null, step: null },
    ...overrides,
  };
}
