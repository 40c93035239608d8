import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  PLANE_ENCODINGS,
  decodePlane,
  isOhrError,
  type Dtype,
  type PlaneLayout,
} from "../../src/protocol/index.js";
import { REPO_ROOT } from "../helpers/python.js";

/** test/vectors/plane-encoding/: planes encoded by Python numcodecs (make_vectors.py). */
const VECTORS = join(REPO_ROOT, "test", "vectors", "plane-encoding");

interface Vector {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  readonly nbytes: number;
  readonly cname: string;
}

const { vectors } = JSON.parse(readFileSync(join(VECTORS, "vectors.json"), "utf8")) as {
  vectors: Vector[];
};
const zstdVectors = vectors.filter((vector) => vector.cname === "zstd");
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(VECTORS, name)));
const encoded = (vector: Vector): Uint8Array => file(`${vector.name}.blosc`);
const raw = (vector: Vector): Uint8Array => file(`${vector.name}.raw`);
const vector = (name: string): Vector => {
  const found = vectors.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`no vector ${name}`);
  return found;
};

/** The ERR_PLANE_DECODE message `decodePlane` throws, or a failure if it returns or throws another. */
async function decodeError(
  encoding: string,
  bytes: Uint8Array,
  layout: PlaneLayout,
): Promise<string> {
  try {
    await decodePlane(encoding, bytes, layout);
  } catch (error) {
    if (isOhrError(error, "ERR_PLANE_DECODE")) return error.message;
    throw error;
  }
  throw new Error(`${bytes.byteLength} bytes of '${encoding}' decoded without an error`);
}

describe("decodePlane on buffers Python numcodecs.Blosc(zstd, clevel 1, shuffle) wrote", () => {
  it("covers every dtype the vectors were made for", () => {
    expect(new Set(zstdVectors.map((entry) => entry.dtype))).toEqual(
      new Set(["uint16", "uint8", "float32", "int16"]),
    );
  });

  for (const entry of zstdVectors) {
    it(`decodes ${entry.name} (${entry.shape.join("×")} ${entry.dtype}) to the raw bytes, bit-exact`, async () => {
      const decoded = await decodePlane("blosc", encoded(entry), {
        nbytes: entry.nbytes,
        dtype: entry.dtype,
      });
      expect(decoded.byteLength).toBe(entry.nbytes);
      expect(Buffer.compare(decoded, raw(entry))).toBe(0);
    });
  }

  it("decodes a plane of several Blosc blocks with a short last one", async () => {
    const entry = vector("uint16-blocks");
    const bytes = encoded(entry);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const blocksize = view.getUint32(8, true);
    expect(entry.nbytes % blocksize).toBeGreaterThan(0);
    expect(entry.nbytes / blocksize).toBeGreaterThan(2);
    const decoded = await decodePlane("blosc", bytes, { nbytes: entry.nbytes });
    expect(Buffer.compare(decoded, raw(entry))).toBe(0);
  });
});

describe("decodePlane on buffers it must refuse", () => {
  const entry = vector("uint16-blocks");
  const layout = { nbytes: entry.nbytes, dtype: entry.dtype };

  it("refuses a truncated buffer at every cut, naming both sizes", async () => {
    const bytes = encoded(entry);
    for (const length of [0, 1, 15, 16, 17, 100, bytes.length >> 1, bytes.length - 1]) {
      const message = await decodeError("blosc", bytes.subarray(0, length), layout);
      expect(message).toContain(String(length));
    }
    expect(await decodeError("blosc", bytes.subarray(0, 40), layout)).toBe(
      `plane encoding 'blosc': header says ${bytes.length} encoded bytes, the buffer has 40`,
    );
  });

  it("refuses a buffer that decodes to another size than the plane's nbytes", async () => {
    expect(await decodeError("blosc", encoded(entry), { nbytes: entry.nbytes - 2 })).toBe(
      `plane encoding 'blosc': header says ${entry.nbytes} decoded bytes, the plane has ${entry.nbytes - 2}`,
    );
  });

  it("refuses a buffer whose typesize is not the dtype's item size", async () => {
    expect(
      await decodeError("blosc", encoded(entry), { nbytes: entry.nbytes, dtype: "float32" }),
    ).toBe("plane encoding 'blosc': typesize 2, a float32 plane has 4");
  });

  it("refuses a compressor other than zstd (here lz4), by name", async () => {
    const lz4 = vector("uint16-lz4");
    expect(await decodeError("blosc", encoded(lz4), { nbytes: lz4.nbytes })).toContain("lz4");
  });

  it("refuses a block offset or a stream size that points outside the buffer", async () => {
    const bytes = encoded(entry);
    const badOffset = bytes.slice();
    new DataView(badOffset.buffer).setUint32(16 + 4, bytes.length + 10, true);
    expect(await decodeError("blosc", badOffset, layout)).toContain("outside the buffer");
    const badStream = bytes.slice();
    const view = new DataView(badStream.buffer);
    view.setInt32(view.getUint32(16, true), 1 << 30, true);
    expect(await decodeError("blosc", badStream, layout)).toContain("past the buffer");
  });

  it("refuses a broken zstd frame", async () => {
    const bytes = encoded(entry).slice();
    const view = new DataView(bytes.buffer);
    const stream = view.getUint32(16, true) + 4;
    bytes[stream] = bytes[stream]! ^ 0xff; // the frame's magic number
    expect(await decodeError("blosc", bytes, layout)).toContain("corrupt zstd stream");
  });

  it("refuses a zstd frame that declares another size than its block", async () => {
    const bytes = encoded(entry).slice();
    const view = new DataView(bytes.buffer);
    const frame = view.getUint32(16, true) + 4;
    // Frame_Header_Descriptor: single segment, 2-byte Frame_Content_Size (value − 256) right after.
    expect(view.getUint8(frame + 4) & 0xe3).toBe(0x60);
    const declared = view.getUint16(frame + 5, true) + 256;
    view.setUint16(frame + 5, declared - 256 + 2, true);
    expect(await decodeError("blosc", bytes, layout)).toBe(
      `plane encoding 'blosc': a zstd frame declares ${declared + 2} bytes, its block needs ${declared}`,
    );
  });

  it("never hangs, crashes or returns a wrong size on a byte flipped anywhere", async () => {
    // Blosc1 has no checksum: a flipped literal byte can decode to other pixels, but the result
    // is always exactly nbytes or an ERR_PLANE_DECODE.
    const small = vector("uint16-odd");
    const original = encoded(small);
    const refusedAt = new Set<number>();
    for (let at = 0; at < original.length; at += 1) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bytes = original.slice();
        bytes[at] = bytes[at]! ^ mask;
        try {
          const decoded = await decodePlane("blosc", bytes, { nbytes: small.nbytes });
          expect(decoded.byteLength).toBe(small.nbytes);
        } catch (error) {
          if (!isOhrError(error, "ERR_PLANE_DECODE")) throw error;
          refusedAt.add(at);
        }
      }
    }
    // The header's sizes (nbytes: bytes 4–7, cbytes: 12–15) and the block's offset (16–19) are
    // checked whatever the flip; so is the stream's framing in most places.
    for (const at of [4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]) {
      expect(refusedAt.has(at), `byte ${at}`).toBe(true);
    }
    expect(refusedAt.size).toBeGreaterThan(100);
  });
});

describe("decodePlane with other encodings", () => {
  const entry = vector("uint16-odd");

  it("knows raw and blosc", () => {
    expect(PLANE_ENCODINGS).toEqual(["raw", "blosc"]);
  });

  it("passes raw bytes through, the same buffer, when the size is right", async () => {
    const bytes = raw(entry);
    expect(await decodePlane("raw", bytes, { nbytes: entry.nbytes })).toBe(bytes);
  });

  it("refuses raw bytes of another size, naming both", async () => {
    expect(await decodeError("raw", raw(entry), { nbytes: entry.nbytes + 1 })).toBe(
      `plane encoding 'raw': ${entry.nbytes} bytes, the plane has ${entry.nbytes + 1}`,
    );
  });

  it("refuses an unknown encoding by name", async () => {
    expect(await decodeError("lz4", raw(entry), { nbytes: entry.nbytes })).toBe(
      "plane encoding 'lz4': unknown (known: raw, blosc)",
    );
  });
});
