/**
 * 8-bit previews of result planes (docs/widget-protocol.md §3): longest edge at most 256 px,
 * block-averaged, mapped linearly from the plane's 0.1 and 99.9 percentiles to 0..255.
 *
 * Percentiles follow NumPy's default (linear interpolation between ranks) over a regular sample
 * of at most {@link PERCENTILE_SAMPLE} values (every value up to 512²; counted by a histogram
 * for 8- and 16-bit integers): what a preview's contrast needs, and a 2048² plane's percentiles
 * in about a millisecond instead of most of the preview's time.
 */
import type { PlanePreview } from "../orchestrator/index.js";
import type { Dtype } from "../protocol/index.js";
import { firstPlane, type Plane } from "./plane-values.js";

export const PREVIEW_MAX_EDGE = 256;
export const PREVIEW_LOW_PERCENTILE = 0.1;
export const PREVIEW_HIGH_PERCENTILE = 99.9;
/** Most values a plane's percentiles are taken from (a regular sample beyond). */
export const PERCENTILE_SAMPLE = 1 << 18;

/** A preview and what the widget needs to interpret it. */
export type Preview = PlanePreview;

/** Make the preview of an image's first plane; null when the image has no 2-D plane. */
export function makePreview(
  image: {
    readonly shape: readonly number[];
    readonly dtype: Dtype;
    readonly data: Uint8Array;
  },
  maxEdge = PREVIEW_MAX_EDGE,
): Preview | null {
  const plane = firstPlane(image.shape, image.dtype, image.data);
  if (plane === null) return null;
  const [low, high] = percentiles(
    plane.values,
    image.dtype,
    PREVIEW_LOW_PERCENTILE,
    PREVIEW_HIGH_PERCENTILE,
  );
  const { width, height, means } = blockMeans(plane, maxEdge);
  const pixels = new Uint8Array(width * height);
  const span = high - low;
  for (let i = 0; i < means.length; i += 1) {
    const value = means[i] as number;
    if (Number.isNaN(value)) continue;
    pixels[i] =
      span > 0
        ? Math.min(255, Math.max(0, Math.round(((value - low) / span) * 255)))
        : value > low
          ? 255
          : 0;
  }
  return {
    width,
    height,
    sourceShape: [plane.height, plane.width],
    valueMin: low,
    valueMax: high,
    pixels,
  };
}

/** Average `f × f` blocks, `f` the smallest integer that brings the longest edge to `maxEdge`. */
function blockMeans(
  plane: Plane,
  maxEdge: number,
): { width: number; height: number; means: Float64Array } {
  const factor = Math.max(1, Math.ceil(Math.max(plane.width, plane.height) / maxEdge));
  const width = Math.ceil(plane.width / factor);
  const height = Math.ceil(plane.height / factor);
  const sums = new Float64Array(width * height);
  const counts = new Uint32Array(width * height);
  const columnBin = new Uint32Array(plane.width);
  for (let x = 0; x < plane.width; x += 1) columnBin[x] = Math.floor(x / factor);
  const { values } = plane;
  for (let y = 0; y < plane.height; y += 1) {
    const rowBase = Math.floor(y / factor) * width;
    const rowStart = y * plane.width;
    for (let x = 0; x < plane.width; x += 1) {
      const value = values[rowStart + x] as number;
      if (Number.isNaN(value)) continue;
      const bin = rowBase + (columnBin[x] as number);
      sums[bin] = (sums[bin] as number) + value;
      counts[bin] = (counts[bin] as number) + 1;
    }
  }
  for (let i = 0; i < sums.length; i += 1)
    sums[i] = counts[i] === 0 ? NaN : (sums[i] as number) / (counts[i] as number);
  return { width, height, means: sums };
}

/** The two percentiles (in 0..100) of the finite values; `[0, 0]` when there are none. */
export function percentiles(
  values: ArrayLike<number>,
  dtype: Dtype,
  low: number,
  high: number,
): [number, number] {
  const offset = HISTOGRAM_OFFSET[dtype];
  if (offset !== undefined) {
    const stride = sampleStride(values.length);
    const histogram = new Float64Array(65536);
    let count = 0;
    for (let i = 0; i < values.length; i += stride) {
      const bin = (values[i] as number) + offset;
      histogram[bin] = (histogram[bin] as number) + 1;
      count += 1;
    }
    return [rankValue(histogram, offset, count, low), rankValue(histogram, offset, count, high)];
  }
  const sample = finiteSample(values);
  if (sample.length === 0) return [0, 0];
  sample.sort();
  return [interpolate(sample, low), interpolate(sample, high)];
}

/** Integer dtypes whose values fit a 65 536-bin histogram, with the offset that makes bins ≥ 0. */
const HISTOGRAM_OFFSET: Partial<Record<Dtype, number>> = {
  bool: 0,
  uint8: 0,
  uint16: 0,
  int8: 128,
  int16: 32768,
};

function rankValue(
  histogram: Float64Array,
  offset: number,
  count: number,
  percentile: number,
): number {
  const rank = (percentile / 100) * (count - 1);
  const below = Math.floor(rank);
  const lower = valueAtRank(histogram, below) - offset;
  const upper = valueAtRank(histogram, Math.min(count - 1, below + 1)) - offset;
  return lower + (upper - lower) * (rank - below);
}

function valueAtRank(histogram: Float64Array, rank: number): number {
  let seen = 0;
  for (let bin = 0; bin < histogram.length; bin += 1) {
    seen += histogram[bin] as number;
    if (seen > rank) return bin;
  }
  return histogram.length - 1;
}

/** Every `stride`-th value is in the sample: at most {@link PERCENTILE_SAMPLE} of them. */
function sampleStride(length: number): number {
  return Math.max(1, Math.ceil(length / PERCENTILE_SAMPLE));
}

function finiteSample(values: ArrayLike<number>): Float64Array {
  const stride = sampleStride(values.length);
  const sample = new Float64Array(Math.ceil(values.length / stride));
  let kept = 0;
  for (let i = 0; i < values.length; i += stride) {
    const value = values[i] as number;
    if (Number.isFinite(value)) sample[kept++] = value;
  }
  return sample.subarray(0, kept);
}

function interpolate(sorted: Float64Array, percentile: number): number {
  const rank = (percentile / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(sorted.length - 1, below + 1)] as number;
  return lower + (upper - lower) * (rank - below);
}
