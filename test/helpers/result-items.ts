/**
 * Build `ResultItem`s for result-store tests: deterministic pseudo-random pixels (so that no
 * plane equals another, or the fill value), seeded shuffles, checksums, and the Python reader.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResultImage, ResultShapes } from "../../src/orchestrator/result-image.js";
import { DTYPE_SIZES, type Dtype } from "../../src/protocol/index.js";
import type { StoredImage } from "../../src/orchestrator/result-store/index.js";
import { REPO_ROOT, runPythonJson } from "./python.js";

/** A small seeded generator (mulberry32): the same seed gives the same items on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with a seeded generator. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Random little-endian pixels of `dtype`; floats are finite, float16 bytes valid halves. */
export function randomPixels(dtype: Dtype, count: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(count * DTYPE_SIZES[dtype]);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) {
    const r = random();
    switch (dtype) {
      case "float32":
        view.setFloat32(i * 4, (r - 0.25) * 1000, true);
        break;
      case "float64":
        view.setFloat64(i * 8, (r - 0.25) * 1000, true);
        break;
      case "float16":
        // Exponent bits 0x3c00 range: finite values between 1 and 2.
        view.setUint16(i * 2, 0x3c00 | Math.floor(r * 1024), true);
        break;
      case "complex64":
        view.setFloat32(i * 8, r, true);
        view.setFloat32(i * 8 + 4, -r, true);
        break;
      case "bool":
        bytes[i] = r < 0.5 ? 0 : 1;
        break;
      default: {
        // Integers: every byte random, so the whole range (and the sign bit) is exercised.
        const size = DTYPE_SIZES[dtype];
        bytes[i * size] = Math.floor(r * 256);
        for (let b = 1; b < size; b++) bytes[i * size + b] = Math.floor(random() * 256);
      }
    }
  }
  return bytes;
}

/** Where an image goes; everything else gets test defaults. */
export interface ImageSpec {
  readonly well: string;
  readonly site?: number | null;
  readonly channel?: number | null;
  readonly z?: number | null;
  readonly timepoint?: number | null;
  readonly step?: string | null;
  readonly dtype?: Dtype;
  readonly shape?: readonly number[];
  readonly seq?: number;
  readonly channelName?: string;
  readonly seed?: number;
}

/** An image item with random pixels. */
export function makeImage(spec: ImageSpec): ResultImage {
  const shape = spec.shape ?? [12, 10];
  const dtype = spec.dtype ?? "uint16";
  const count = shape.reduce((a, b) => a * b, 1);
  const seed =
    spec.seed ??
    [spec.well, spec.site, spec.channel, spec.z, spec.timepoint, spec.step]
      .join("|")
      .split("")
      .reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261);
  return {
    kind: "image",
    executionId: "run-1",
    seq: spec.seq ?? 1,
    well: spec.well,
    site: spec.site === undefined ? 1 : spec.site,
    channel: spec.channel === undefined ? 1 : spec.channel,
    z: spec.z === undefined ? 1 : spec.z,
    timepoint: spec.timepoint === undefined ? 1 : spec.timepoint,
    step: spec.step === undefined ? "normalize" : spec.step,
    stepIndex: 0,
    components: {},
    componentNames: spec.channelName === undefined ? {} : { channel: spec.channelName },
    path: `/server/${spec.well}.tif`,
    shape,
    dtype,
    data: randomPixels(dtype, count, seed),
  };
}

/** A shapes item. */
export function makeShapes(spec: ImageSpec & { readonly polygons: number }): ResultShapes {
  const image = makeImage(spec);
  return {
    executionId: image.executionId,
    seq: image.seq,
    well: image.well,
    site: image.site,
    channel: image.channel,
    z: image.z,
    timepoint: image.timepoint,
    step: image.step,
    stepIndex: image.stepIndex,
    components: image.components,
    componentNames: image.componentNames,
    path: image.path,
    kind: "shapes",
    shapes: Array.from({ length: spec.polygons }, (_, i) => ({
      type: "polygon",
      coordinates: [
        [i, 0],
        [i + 2, 3],
        [i + 1, 5.5],
      ],
      metadata: { label: i + 1, area: 4.5 },
    })),
  };
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A fresh temporary directory, and its removal. */
export async function tempStoreDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "ohr-result-store-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** What test/helpers/result_store_reader.py reports. */
export interface PythonStoreReport {
  plates: Record<
    string,
    {
      version: string;
      plate: {
        name: string;
        rows: { name: string }[];
        columns: { name: string }[];
        wells: { path: string; rowIndex: number; columnIndex: number }[];
        field_count: number;
      };
      wells: Record<string, { images: { path: string }[] }>;
      images: Record<
        string,
        {
          axes: { name: string; type: string }[];
          channels: string[];
          windows: { min: number; max: number; start: number; end: number }[];
          shape: number[];
          chunks: number[];
          dtype: string;
          zarr_format: number;
          dimension_names: string[];
        }
      >;
    }
  >;
  checksums: Record<string, string>;
  ome_zarr: Record<
    string,
    { spec: string; shape: number[]; dtype: string; checksums: Record<string, string> }
  >;
  models: Record<string, string>;
}

/** Key of a plane in {@link PythonStoreReport} checksums. */
export function planeKey(
  entry: Pick<StoredImage, "plate" | "image" | "t" | "c" | "zIndex">,
): string {
  return `${entry.plate}/${entry.image}/${entry.t}/${entry.c}/${entry.zIndex}`;
}

/** Read a store with Python zarr, ome_zarr and ome_zarr_models; checksum these planes. */
export function readStoreWithPython(
  dir: string,
  planes: readonly Pick<StoredImage, "plate" | "image" | "t" | "c" | "zIndex">[],
): Promise<PythonStoreReport> {
  const input = JSON.stringify(
    planes.map((p) => ({ plate: p.plate, image: p.image, t: p.t, c: p.c, z: p.zIndex })),
  );
  const script = `import runpy, sys; sys.argv = ["reader", ${JSON.stringify(dir)}]; runpy.run_path(${JSON.stringify(
    `${REPO_ROOT}test/helpers/result_store_reader.py`,
  )}, run_name="__main__")`;
  return runPythonJson<PythonStoreReport>(script, { input, timeoutMs: 120_000 });
}
