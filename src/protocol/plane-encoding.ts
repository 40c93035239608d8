/**
 * How a full-resolution plane's bytes travel (docs/relay-stream-protocol.md §4.3): `raw` (the
 * little-endian C-order pixels) or `blosc` (one Blosc1 buffer as Python's
 * `numcodecs.Blosc(cname="zstd", clevel=1, shuffle=SHUFFLE)` writes it). Decoding checks every
 * size against the plane's `nbytes`, so a bad buffer is an error, never wrong-sized pixels.
 *
 * The Blosc container is read here (`blosc1.ts`); its zstd frames go to numcodecs.js's WASM zstd,
 * loaded on first use. Not its WASM Blosc: that one ignores c-blosc's error code and returns
 * uninitialised memory for a truncated or corrupt buffer (bench/codec.ts measures both).
 */
import { decodeBlosc1, readBlosc1Header, type StreamDecompressor } from "./blosc1.js";
import { DTYPE_SIZES, type Dtype } from "./dtypes.js";
import { PlaneDecodeError } from "./plane-decode-error.js";
import { zstdFrameContentSize } from "./zstd-frame.js";

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

/** numcodecs.js's Zstd codec as it behaves (its .d.ts does not resolve under NodeNext). */
interface ZstdCodec {
  decode(data: Uint8Array): Promise<Uint8Array>;
}

let zstdCodec: Promise<ZstdCodec> | undefined;

/** The WASM zstd, instantiated once, on the first `blosc` plane. */
function loadZstd(): Promise<ZstdCodec> {
  zstdCodec ??= import("numcodecs/zstd").then(
    (module) => new (module.default as unknown as new () => ZstdCodec)(),
  );
  return zstdCodec;
}

const fail = (reason: string, options?: ErrorOptions): PlaneDecodeError =>
  new PlaneDecodeError("blosc", reason, options);

function zstdInto(zstd: ZstdCodec): StreamDecompressor {
  return async (frame, target) => {
    const declared = zstdFrameContentSize(frame);
    if (typeof declared === "string") throw fail(`corrupt zstd stream: ${declared}`);
    if (declared !== target.length) {
      throw fail(`a zstd frame declares ${declared} bytes, its block needs ${target.length}`);
    }
    let decoded: Uint8Array;
    try {
      decoded = await zstd.decode(frame);
    } catch (error) {
      throw fail(`corrupt zstd stream: ${String(error)}`, { cause: error });
    }
    if (decoded.length !== target.length) {
      throw fail(
        `a zstd frame decoded to ${decoded.length} bytes, its block needs ${target.length}`,
      );
    }
    target.set(decoded);
  };
}

/**
 * The plane's raw bytes, exactly `layout.nbytes` of them (`raw`: the same buffer).
 *
 * @throws PlaneDecodeError (`ERR_PLANE_DECODE`) for an unknown encoding, a corrupt or truncated
 *   buffer, or a decoded size other than `nbytes`.
 */
export async function decodePlane(
  encoding: string,
  bytes: Uint8Array,
  layout: PlaneLayout,
): Promise<Uint8Array> {
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
    throw fail(`header says ${header.nbytes} decoded bytes, the plane has ${layout.nbytes}`);
  }
  if (layout.dtype !== undefined && header.typesize !== DTYPE_SIZES[layout.dtype]) {
    throw fail(
      `typesize ${header.typesize}, a ${layout.dtype} plane has ${DTYPE_SIZES[layout.dtype]}`,
    );
  }
  if (header.compressor !== "zstd" && !header.stored) {
    throw fail(`compressor ${header.compressor} (this reader knows zstd)`);
  }
  return decodeBlosc1(bytes, header, zstdInto(await loadZstd()));
}
