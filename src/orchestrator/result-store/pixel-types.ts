/**
 * What the store needs to know about each NumPy dtype the relay sends, beyond its size
 * (`protocol/dtypes.ts`): the Zarr v3 data type and fill value, whether zarrita can encode it
 * here, and a plane's value range (for the contrast window viewers show first).
 */
import { DTYPE_SIZES, type Dtype } from "../../protocol/index.js";

/**
 * zarrita 0.7 has no complex types, and `float16` only where `Float16Array` exists (not in
 * Node 20). Planes of these dtypes bypass zarrita's codec pipeline and are written as the raw
 * little-endian bytes that the `bytes` codec defines (so they are never compressed). float16 is
 * treated so on every Node, so that a store's codecs do not depend on the Node that wrote it.
 */
export function zarritaEncodes(dtype: Dtype): boolean {
  return dtype !== "complex64" && dtype !== "complex128" && dtype !== "float16";
}

/** The Zarr v3 `fill_value` of unwritten planes: zero of the type. */
export function fillValue(dtype: Dtype): number | boolean | [number, number] {
  if (dtype === "bool") return false;
  if (dtype === "complex64" || dtype === "complex128") return [0, 0];
  return 0;
}

type NumericView = ArrayLike<number>;

function numericView(dtype: Dtype, bytes: Uint8Array): NumericView | null {
  const { buffer, byteOffset, byteLength } = bytes;
  const aligned = byteOffset % DTYPE_SIZES[dtype] === 0;
  const source = aligned ? bytes : bytes.slice();
  const offset = aligned ? byteOffset : 0;
  const base = aligned ? buffer : source.buffer;
  const length = byteLength / DTYPE_SIZES[dtype];
  switch (dtype) {
    case "bool":
    case "uint8":
      return new Uint8Array(base, offset, length);
    case "int8":
      return new Int8Array(base, offset, length);
    case "uint16":
      return new Uint16Array(base, offset, length);
    case "int16":
      return new Int16Array(base, offset, length);
    case "uint32":
      return new Uint32Array(base, offset, length);
    case "int32":
      return new Int32Array(base, offset, length);
    case "float32":
      return new Float32Array(base, offset, length);
    case "float64":
      return new Float64Array(base, offset, length);
    default:
      // 64-bit integers, float16 and complex: no cheap typed view; no window from the data.
      return null;
  }
}

/** Pixels of a plane looked at for its value range: enough for a contrast window. */
const RANGE_SAMPLES = 1 << 18;

/**
 * Smallest and largest finite value of a plane, for the contrast window viewers start with;
 * `null` when it has none or we cannot tell. Large planes are sampled on a regular stride (every
 * 16th pixel of a 2048×2048 plane): a full scan costs ~20 ms per 8 MiB plane here, and a
 * display window does not need the exact extremes.
 */
export function planeRange(dtype: Dtype, bytes: Uint8Array): { min: number; max: number } | null {
  const values = numericView(dtype, bytes);
  if (values === null) return null;
  const step = Math.max(1, Math.floor(values.length / RANGE_SAMPLES));
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i += step) {
    const v = values[i] as number;
    // NaN fails both comparisons, so it is skipped without a separate test.
    if (v < min && v !== -Infinity) min = v;
    if (v > max && v !== Infinity) max = v;
  }
  return min <= max ? { min, max } : null;
}

/** The full range of an integer dtype, for a channel with no known values yet. */
export function dtypeRange(dtype: Dtype): { min: number; max: number } {
  switch (dtype) {
    case "bool":
      return { min: 0, max: 1 };
    case "uint8":
      return { min: 0, max: 255 };
    case "int8":
      return { min: -128, max: 127 };
    case "uint16":
      return { min: 0, max: 65535 };
    case "int16":
      return { min: -32768, max: 32767 };
    case "uint32":
      return { min: 0, max: 4294967295 };
    case "int32":
      return { min: -2147483648, max: 2147483647 };
    default:
      return { min: 0, max: 1 };
  }
}
