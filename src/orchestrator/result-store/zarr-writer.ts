/**
 * The Zarr v3 side of the store, through zarrita: groups with attributes, (t, c, z, y, x)
 * arrays whose chunk is one plane, and plane reads and writes. The array shape is rewritten as
 * new indices arrive; chunk keys do not depend on it, so growing never moves data.
 */
import * as zarr from "zarrita";
import { DTYPE_SIZES, type Dtype } from "../../protocol/index.js";
import { AtomicFsStore } from "./fs-store.js";
import { AXES } from "./ngff-metadata.js";
import { fillValue, zarritaEncodes } from "./pixel-types.js";

/** Chunk compression: none (fastest; every reader has it) or zstd (level 1, via numcodecs). */
export type Compression = "none" | "zstd";

/** Everything that defines one image array. */
export interface ArraySpec {
  /** Store path of the array, e.g. `/normalize.ome.zarr/A/1/0/0`. */
  readonly path: string;
  readonly dtype: Dtype;
  /** `[t, c, z, y, x]`. */
  readonly shape: readonly number[];
  readonly compression: Compression;
}

type Ctor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => unknown;

const VIEWS: Partial<Record<Dtype, Ctor>> = {
  bool: zarr.BoolArray,
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  uint64: BigUint64Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
};

function codecsOf(spec: ArraySpec): zarr.CodecMetadata[] {
  const codecs: zarr.CodecMetadata[] = [{ name: "bytes", configuration: { endian: "little" } }];
  if (spec.compression === "zstd" && zarritaEncodes(spec.dtype)) {
    codecs.push({ name: "zstd", configuration: { level: 1, checksum: false } });
  }
  return codecs;
}

/** The array's `zarr.json`, as zarrita writes it (and as we write it where zarrita cannot). */
function arrayMetadata(spec: ArraySpec): zarr.ArrayMetadata {
  return {
    zarr_format: 3,
    node_type: "array",
    shape: [...spec.shape],
    // Casts: zarrita's DataType lacks complex (and float16 without Float16Array); Zarr v3 has them.
    data_type: spec.dtype as zarr.DataType,
    chunk_grid: { name: "regular", configuration: { chunk_shape: chunkShape(spec) } },
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    codecs: codecsOf(spec),
    fill_value: fillValue(spec.dtype),
    dimension_names: AXES.map((axis) => axis.name),
    attributes: {},
  };
}

function chunkShape(spec: ArraySpec): number[] {
  return [1, 1, 1, spec.shape[3] ?? 1, spec.shape[4] ?? 1];
}

function encoder(encoding: TextEncoder = new TextEncoder()): (value: unknown) => Uint8Array {
  return (value) => encoding.encode(JSON.stringify(value, null, 2));
}
const toJson = encoder();

/** Writes and reads one store directory. */
export class ZarrWriter {
  readonly store: AtomicFsStore;

  constructor(root: string) {
    this.store = new AtomicFsStore(root);
  }

  /** Create or rewrite a group's `zarr.json` with these attributes. */
  async writeGroup(path: string, attributes: Record<string, unknown>): Promise<void> {
    await zarr.create(zarr.root(this.store).resolve(path), { attributes });
  }

  /** A group's attributes, or `undefined` when there is no group at `path`. */
  async readAttributes(path: string): Promise<Record<string, unknown> | undefined> {
    const bytes = await this.store.get(`${path}/zarr.json` as zarr.AbsolutePath);
    if (bytes === undefined) return undefined;
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as {
      attributes?: Record<string, unknown>;
    };
    return doc.attributes ?? {};
  }

  /** Create or rewrite an array's `zarr.json` (new shape); chunks stay where they are. */
  async writeArray(spec: ArraySpec): Promise<void> {
    if (zarritaEncodes(spec.dtype)) {
      await zarr.create(zarr.root(this.store).resolve(spec.path), {
        shape: [...spec.shape],
        chunkShape: chunkShape(spec),
        dtype: spec.dtype as zarr.DataType,
        codecs: codecsOf(spec),
        fillValue: fillValue(spec.dtype),
        dimensionNames: AXES.map((axis) => axis.name),
      });
    } else {
      await this.store.set(
        `${spec.path}/zarr.json` as zarr.AbsolutePath,
        toJson(arrayMetadata(spec)),
      );
    }
  }

  /** Write the plane at `[t, c, z]`; `bytes` is the little-endian, C-order plane. */
  async writePlane(
    spec: ArraySpec,
    index: readonly [number, number, number],
    bytes: Uint8Array,
  ): Promise<void> {
    const View = VIEWS[spec.dtype];
    if (View === undefined || codecsOf(spec).length === 1) {
      // Only the little-endian `bytes` codec: the chunk is the plane's bytes verbatim (Zarr v3
      // core spec), so they go straight to the store. zarrita's `set` would first copy them
      // through its generic strided setter (~20 ms per 8 MiB plane here), to the same result.
      await this.store.set(this.chunkKey(spec, index), bytes);
      return;
    }
    const aligned = bytes.byteOffset % DTYPE_SIZES[spec.dtype] === 0 ? bytes : bytes.slice();
    const data = new View(
      aligned.buffer,
      aligned.byteOffset,
      aligned.byteLength / DTYPE_SIZES[spec.dtype],
    );
    const array = new zarr.Array(this.store, spec.path as zarr.AbsolutePath, arrayMetadata(spec));
    const x = spec.shape[4] ?? 1;
    await zarr.set(array, [index[0], index[1], index[2], null, null], {
      data,
      shape: [spec.shape[3] ?? 1, x],
      stride: [x, 1],
    });
  }

  /** Read the plane at `[t, c, z]` as little-endian bytes (fill value where none was written). */
  async readPlane(spec: ArraySpec, index: readonly [number, number, number]): Promise<Uint8Array> {
    if (!zarritaEncodes(spec.dtype)) {
      const raw = await this.store.get(this.chunkKey(spec, index));
      return (
        raw ?? new Uint8Array((spec.shape[3] ?? 1) * (spec.shape[4] ?? 1) * DTYPE_SIZES[spec.dtype])
      );
    }
    const array = new zarr.Array(this.store, spec.path as zarr.AbsolutePath, arrayMetadata(spec));
    const chunk = await array.getChunk([index[0], index[1], index[2], 0, 0]);
    const data = chunk.data as unknown as {
      buffer: ArrayBufferLike;
      byteOffset: number;
      byteLength: number;
    };
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Store key of a plane's chunk (default chunk key encoding, `/` separator). */
  chunkKey(spec: ArraySpec, [t, c, z]: readonly [number, number, number]): zarr.AbsolutePath {
    return `${spec.path}/c/${t}/${c}/${z}/0/0` as zarr.AbsolutePath;
  }
}
