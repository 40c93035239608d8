/**
 * Reading one 2-D plane of a result image as numbers, whatever its dtype: a typed-array view
 * where the bytes allow it (no copy), a converted copy for the dtypes JavaScript has no array for.
 */
import { DTYPE_SIZES, type Dtype } from "../protocol/index.js";

/** A plane: `height × width` numbers, row-major. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly values: ArrayLike<number>;
}

type ViewMaker = new (
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
) => ArrayLike<number>;

const VIEWS: Partial<Record<Dtype, ViewMaker>> = {
  uint8: Uint8Array,
  bool: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * The first plane of an image of shape `[..., y, x]` (leading axes, e.g. a z stack, at index 0).
 * Returns null for images with fewer than two axes or an empty plane.
 */
export function firstPlane(shape: readonly number[], dtype: Dtype, data: Uint8Array): Plane | null {
  if (shape.length < 2) return null;
  const height = shape[shape.length - 2] as number;
  const width = shape[shape.length - 1] as number;
  const count = height * width;
  if (count === 0) return null;
  const size = DTYPE_SIZES[dtype];
  if (data.byteLength < count * size) return null;
  const View = VIEWS[dtype];
  if (View !== undefined) {
    // Typed arrays need aligned offsets; the relay's frames usually are, a copy fixes the rest.
    const bytes = data.byteOffset % size === 0 ? data : data.slice(0, count * size);
    return { width, height, values: new View(bytes.buffer, bytes.byteOffset, count) };
  }
  return { width, height, values: convert(dtype, data, count) };
}

function convert(dtype: Dtype, data: Uint8Array, count: number): Float64Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    switch (dtype) {
      case "float16":
        out[i] = halfToNumber(view.getUint16(i * 2, true));
        break;
      case "uint64":
        out[i] = Number(view.getBigUint64(i * 8, true));
        break;
      case "int64":
        out[i] = Number(view.getBigInt64(i * 8, true));
        break;
      case "complex64":
        out[i] = Math.hypot(view.getFloat32(i * 8, true), view.getFloat32(i * 8 + 4, true));
        break;
      case "complex128":
        out[i] = Math.hypot(view.getFloat64(i * 16, true), view.getFloat64(i * 16 + 8, true));
        break;
      default:
        throw new Error(`no conversion for ${dtype}`);
    }
  }
  return out;
}

/** IEEE 754 half precision → number (Node 20 has no Float16Array). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
