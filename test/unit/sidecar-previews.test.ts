import { describe, expect, it } from "vitest";
import { halfToNumber } from "../../src/sidecar/plane-values.js";
import { PERCENTILE_SAMPLE, makePreview, percentiles } from "../../src/sidecar/previews.js";

/** NumPy's default percentile: linear interpolation between the two nearest ranks. */
function numpyPercentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const lower = sorted[below]!;
  const upper = sorted[Math.min(sorted.length - 1, below + 1)]!;
  return lower + (upper - lower) * (rank - below);
}

/** The regular sample a plane's percentiles are taken from: every value up to 512². */
function sampleOf(values: ArrayLike<number>): number[] {
  const stride = Math.max(1, Math.ceil(values.length / PERCENTILE_SAMPLE));
  return Array.from({ length: Math.ceil(values.length / stride) }, (_, i) => values[i * stride]!);
}

function bytesOf(array: Uint16Array | Float32Array | Int16Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

describe("makePreview", () => {
  it("brings a 1000×600 uint16 plane to 250×150 8-bit pixels (block factor 4) with the 0.1/99.9 percentiles of every third value", () => {
    const values = Uint16Array.from({ length: 1000 * 600 }, (_, i) => (i * 7919) % 60000);
    const preview = makePreview({ shape: [600, 1000], dtype: "uint16", data: bytesOf(values) });
    expect(preview).not.toBeNull();
    expect([preview!.width, preview!.height]).toEqual([250, 150]);
    expect(preview!.sourceShape).toEqual([600, 1000]);
    expect(preview!.pixels.length).toBe(250 * 150);
    const sample = sampleOf(values);
    expect(sample.length).toBe(200_000);
    expect(preview!.valueMin).toBeCloseTo(numpyPercentile(sample, 0.1), 6);
    expect(preview!.valueMax).toBeCloseTo(numpyPercentile(sample, 99.9), 6);
  });

  it("keeps a small plane at full size and maps its range linearly onto 0..255", () => {
    const values = Float32Array.from({ length: 64 * 32 }, (_, i) => i / 10);
    const preview = makePreview({ shape: [32, 64], dtype: "float32", data: bytesOf(values) })!;
    expect([preview.width, preview.height]).toEqual([64, 32]);
    const low = numpyPercentile([...values], 0.1);
    const high = numpyPercentile([...values], 99.9);
    expect(preview.valueMin).toBeCloseTo(low, 4);
    expect(preview.pixels[0]).toBe(0);
    expect(preview.pixels[64 * 32 - 1]).toBe(255);
    const middle = 1000;
    expect(preview.pixels[middle]).toBe(Math.round(((values[middle]! - low) / (high - low)) * 255));
  });

  it("takes the first plane of a stack and reads an unaligned buffer", () => {
    const stack = new Int16Array(3 * 4 * 4).map((_, i) => i - 20);
    const shifted = new Uint8Array(stack.byteLength + 1).fill(0);
    shifted.set(bytesOf(stack), 1);
    const preview = makePreview({ shape: [3, 4, 4], dtype: "int16", data: shifted.subarray(1) })!;
    expect(preview.sourceShape).toEqual([4, 4]);
    expect(preview.valueMin).toBeCloseTo(numpyPercentile([...stack.subarray(0, 16)], 0.1), 6);
  });

  it("returns null for an image with no 2-D plane", () => {
    expect(makePreview({ shape: [5], dtype: "uint8", data: new Uint8Array(5) })).toBeNull();
  });

  it("makes a constant plane black instead of dividing by zero", () => {
    const preview = makePreview({
      shape: [2, 2],
      dtype: "uint8",
      data: new Uint8Array(4).fill(9),
    })!;
    expect([...preview.pixels]).toEqual([0, 0, 0, 0]);
    expect([preview.valueMin, preview.valueMax]).toEqual([9, 9]);
  });
});

describe("percentiles", () => {
  it("skips NaN and infinities in float planes", () => {
    expect(percentiles([NaN, 1, 2, Infinity, 3], "float64", 0, 100)).toEqual([1, 3]);
  });

  it("reads half floats", () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
  });
});
