/**
 * How a full-resolution plane's bytes travel (docs/relay-stream-protocol.md §4.3): `raw` (the
 * little-endian C-order pixels) or `blosc` (one Blosc1 buffer as Python's
 * `numcodecs.Blosc(cname="zstd", clevel=1, shuffle=SHUFFLE)` writes it). Decoding checks every
 * size against the plane's `nbytes`, so a bad buffer is an error, never wrong pixels.
 */
import { decompress as zstdDecompress } from "fzstd";
import { decodeBlosc1, readBlosc1Header, type StreamDecompressor } from "./blosc1.js";
import { DTYPE_SIZES, type Dtype } from "./dtypes.js";
import { PlaneDecodeError } from "./plane-decode-error.js";

export const PLANE_ENCODINGS = ["raw", "blosc"] as const;

/** A plane encoding name. */
export type PlaneEncoding = (typeof PLANE_ENCODINGS)[number];

/** What the plane's header says it decodes to. */
export interface PlaneLayout {
  /** Decoded size in bytes. */
  readonly nbytes: number;
  /** Its dtype, when known: the Blosc typesize must then be its item size. */
  readonly dtype?: Dtype;
}

const zstdStream: StreamDecompressor = (source, target) => {
  let decoded: Uint8Array;
  try {
    decoded = zstdDecompress(source);
  } catch (error) {
    throw new PlaneDecodeError("blosc", `corrupt zstd stream: ${String(error)}`, { cause: error });
  }
  if (decoded.length !== target.length) {
    throw new PlaneDecodeError(
      "blosc",
      `a zstd stream decoded to ${decoded.length} bytes, the block needs ${target.length}`,
    );
  }
  target.set(decoded);
};

/**
 * The plane's raw bytes, exactly `layout.nbytes` of them.
 *
 * @throws PlaneDecodeError (`ERR_PLANE_DECODE`) for an unknown encoding, a corrupt or truncated
 *   buffer, or a decoded size other than `nbytes`.
 */
export function decodePlane(encoding: string, bytes: Uint8Array, layout: PlaneLayout): Uint8Array {
  if (encoding === "raw") {
    if (bytes.byteLength !== layout.nbytes) {
      throw new PlaneDecodeError(
        "raw",
        `${bytes.byteLength} bytes, the plane has ${layout.nbytes}`,
      );
    }
    return bytes;
  }
  if (encoding !== "blosc") {
    throw new PlaneDecodeError(encoding, `unknown (known: ${PLANE_ENCODINGS.join(", ")})`);
  }
  const header = readBlosc1Header(bytes);
  if (header.nbytes !== layout.nbytes) {
    throw new PlaneDecodeError(
      "blosc",
      `header says ${header.nbytes} decoded bytes, the plane has ${layout.nbytes}`,
    );
  }
  if (layout.dtype !== undefined && header.typesize !== DTYPE_SIZES[layout.dtype]) {
    throw new PlaneDecodeError(
      "blosc",
      `typesize ${header.typesize}, a ${layout.dtype} plane has ${DTYPE_SIZES[layout.dtype]}`,
    );
  }
  if (header.compressor !== "zstd" && (header.flags & 0x02) === 0) {
    throw new PlaneDecodeError("blosc", `compressor ${header.compressor} (this reader knows zstd)`);
  }
  return decodeBlosc1(bytes, header, zstdStream);
}
