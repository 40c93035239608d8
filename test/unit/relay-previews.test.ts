/**
 * The relay makes previews on the server host (jupyterlab_ext/openhcs_remote/server/relay/previews.py);
 * a client must not be able to tell them from its own. The vectors (test/vectors/relay-previews/,
 * written by jupyterlab_ext/tests/preview_vectors.py) hold the relay's bytes; makePreview must
 * make the same ones.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dtype } from "../../src/protocol/index.js";
import { makePreview } from "../../src/sidecar/previews.js";
import { REPO_ROOT } from "../helpers/python.js";

const VECTORS = join(REPO_ROOT, "test", "vectors", "relay-previews");

interface Generator {
  readonly multiplier: number;
  readonly modulus: number;
  readonly scale: number;
  readonly bias: number;
  readonly nan_every?: number;
}

interface PreviewVector {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly data_base64?: string;
  readonly generator?: Generator;
  readonly expected: {
    readonly width: number;
    readonly height: number;
    readonly source_shape: readonly [number, number];
    readonly value_min: number;
    readonly value_max: number;
    readonly pixels_hex: string;
  } | null;
}

const ARRAYS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  float32: Float32Array,
} as const;

/** The plane a generator describes (preview_vectors.py's docstring), as little-endian bytes. */
function generated(vector: PreviewVector, generator: Generator): Uint8Array {
  const length = vector.shape.reduce((a, b) => a * b, 1);
  const Array = ARRAYS[vector.dtype as keyof typeof ARRAYS];
  const values = new Array(length);
  for (let i = 0; i < length; i += 1) {
    const nan = (generator.nan_every ?? 0) > 0 && i % generator.nan_every! === 0;
    values[i] = nan
      ? NaN
      : ((i * generator.multiplier) % generator.modulus) * generator.scale + generator.bias;
  }
  return new Uint8Array(values.buffer);
}

function planeBytes(vector: PreviewVector): Uint8Array {
  if (vector.data_base64 !== undefined) {
    return new Uint8Array(Buffer.from(vector.data_base64, "base64"));
  }
  return generated(vector, vector.generator!);
}

const names = readdirSync(VECTORS)
  .filter((name) => name.endsWith(".json"))
  .sort();

describe("relay previews", () => {
  it("has vectors of every dtype the brief names, with NaN, constants, stacks and sampling", () => {
    const vectors = names.map(
      (name) => JSON.parse(readFileSync(join(VECTORS, name), "utf8")) as PreviewVector,
    );
    expect(new Set(vectors.map((v) => v.dtype))).toEqual(
      new Set(["uint8", "uint16", "int16", "float32"]),
    );
    expect(vectors.some((v) => v.shape.length === 3)).toBe(true);
    expect(vectors.some((v) => v.generator !== undefined)).toBe(true);
  });

  it.each(names)("%s: makePreview makes the relay's bytes", (name) => {
    const vector = JSON.parse(readFileSync(join(VECTORS, name), "utf8")) as PreviewVector;
    const preview = makePreview({
      shape: vector.shape,
      dtype: vector.dtype,
      data: planeBytes(vector),
    });
    if (vector.expected === null) {
      expect(preview).toBeNull();
      return;
    }
    expect(preview).not.toBeNull();
    expect({
      width: preview!.width,
      height: preview!.height,
      source_shape: preview!.sourceShape,
      value_min: preview!.valueMin,
      value_max: preview!.valueMax,
    }).toEqual({
      width: vector.expected.width,
      height: vector.expected.height,
      source_shape: vector.expected.source_shape,
      value_min: vector.expected.value_min,
      value_max: vector.expected.value_max,
    });
    expect(Buffer.from(preview!.pixels).toString("hex")).toBe(vector.expected.pixels_hex);
  });
});
