/**
 * Full-resolution planes fetched from the shim on demand (`fetch_plane`, docs/widget-protocol.md
 * §4): the reply's raw little-endian pixels become a typed array of the plane's own dtype, so the
 * viewer shows the exact values with the user's contrast limits.
 */
import * as z from "../state/index.js";
import { WidgetMessageError, type PlaneCoordinates } from "../state/index.js";

/** Largest plane we accept: 64 Mpx (an 8k × 8k camera frame). */
export const MAX_PLANE_PIXELS = 64 * 1024 * 1024;

/** A full-resolution plane, decoded. */
export interface FullPlane {
  readonly width: number;
  readonly height: number;
  readonly dtype: string;
  readonly values: ArrayLike<number>;
}

/** Fetch one full-resolution plane; given by the adapter, absent in a plain page. */
export type PlaneFetcher = (request: PlaneCoordinates, signal: AbortSignal) => Promise<FullPlane>;

const FetchPlaneResultSchema = z.looseObject({
  shape: z.tuple([z.int().check(z.minimum(1)), z.int().check(z.minimum(1))]),
  dtype: z.string().check(z.maxLength(32)),
  byte_order: z.literal("little"),
});

type Decoder = (bytes: ArrayBuffer) => ArrayLike<number>;
const DECODERS: Readonly<Record<string, readonly [itemSize: number, decode: Decoder]>> = {
  bool: [1, (b) => new Uint8Array(b)],
  uint8: [1, (b) => new Uint8Array(b)],
  int8: [1, (b) => new Int8Array(b)],
  uint16: [2, (b) => new Uint16Array(b)],
  int16: [2, (b) => new Int16Array(b)],
  uint32: [4, (b) => new Uint32Array(b)],
  int32: [4, (b) => new Int32Array(b)],
  float32: [4, (b) => new Float32Array(b)],
  float64: [8, (b) => new Float64Array(b)],
  // 64-bit integers are shown as doubles: exact below 2^53, which covers any detector.
  uint64: [8, (b) => Float64Array.from(new BigUint64Array(b), Number)],
  int64: [8, (b) => Float64Array.from(new BigInt64Array(b), Number)],
};

/**
 * Decode a `fetch_plane` reply.
 *
 * @throws {@link WidgetMessageError} when the shape, dtype or byte count is wrong.
 */
export function decodeFullPlane(
  result: unknown,
  buffers: readonly DataView[],
  request: PlaneCoordinates,
): FullPlane {
  const where = `well ${request.well} channel ${request.channel ?? "-"}`;
  const parsed = FetchPlaneResultSchema.safeParse(result);
  if (!parsed.success) {
    throw new WidgetMessageError("fetch_plane reply", `${where}: ${z.prettifyError(parsed.error)}`);
  }
  const [height, width] = parsed.data.shape;
  const decoder = DECODERS[parsed.data.dtype];
  if (decoder === undefined) {
    throw new WidgetMessageError(
      "fetch_plane reply",
      `${where}: dtype ${parsed.data.dtype} is not shown`,
    );
  }
  if (width * height > MAX_PLANE_PIXELS) {
    throw new WidgetMessageError(
      "fetch_plane reply",
      `${where}: ${width}×${height} is over ${MAX_PLANE_PIXELS} px`,
    );
  }
  const [itemSize, decode] = decoder;
  const buffer = buffers[0];
  const expected = width * height * itemSize;
  if (buffer?.byteLength !== expected) {
    throw new WidgetMessageError(
      "fetch_plane reply",
      `${where}: buffers[0] has ${buffer?.byteLength ?? "no"} bytes, expected ${expected}`,
    );
  }
  // Copy: the comm's DataView may start at an offset a typed array of this dtype cannot use.
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice().buffer;
  return { width, height, dtype: parsed.data.dtype, values: decode(bytes) };
}
