/**
 * Reading one Blosc1 buffer (the format c-blosc 1.x and Python's `numcodecs.Blosc` write): a
 * 16-byte header, a start offset per block, then per block one or `typesize` compressed
 * streams, each stored as-is when it would not shrink. Every offset and size is checked against
 * the buffer before it is used, so a corrupt or truncated buffer is an error, never a read past
 * its end; the streams are handed to a decompressor that must give exactly the bytes asked for.
 */
import { PlaneDecodeError } from "./plane-decode-error.js";

const HEADER_BYTES = 16;
const FLAG_SHUFFLE = 0x01;
const FLAG_MEMCPYED = 0x02;
const FLAG_BITSHUFFLE = 0x04;
const FLAG_DONT_SPLIT = 0x10;

/** The compressor codes of header byte 2, bits 5–7. */
export const BLOSC1_COMPRESSORS = ["blosclz", "lz4", "snappy", "zlib", "zstd"] as const;

/** What the 16-byte header says. */
export interface Blosc1Header {
  readonly version: number;
  readonly flags: number;
  readonly typesize: number;
  /** Decoded size. */
  readonly nbytes: number;
  readonly blocksize: number;
  /** Encoded size: the whole buffer. */
  readonly cbytes: number;
  /** Name of the compressor of the blocks (`"zstd"`, `"lz4"`, …) or `"code N"`. */
  readonly compressor: string;
  /** The whole buffer is stored as it is after the header (no compressor runs). */
  readonly stored: boolean;
}

/** Decompress `source` into all of `target` (exactly `target.length` bytes), or throw. */
export type StreamDecompressor = (source: Uint8Array, target: Uint8Array) => Promise<void> | void;

const fail = (reason: string): PlaneDecodeError => new PlaneDecodeError("blosc", reason);

/** The header of `bytes`, checked against the buffer's length. */
export function readBlosc1Header(bytes: Uint8Array): Blosc1Header {
  if (bytes.byteLength < HEADER_BYTES) {
    throw fail(`${bytes.byteLength} bytes, shorter than the ${HEADER_BYTES}-byte Blosc1 header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint8(2);
  const code = flags >> 5;
  const header: Blosc1Header = {
    version: view.getUint8(0),
    flags,
    typesize: view.getUint8(3),
    nbytes: view.getUint32(4, true),
    blocksize: view.getUint32(8, true),
    cbytes: view.getUint32(12, true),
    compressor: BLOSC1_COMPRESSORS[code] ?? `code ${code}`,
    stored: (flags & FLAG_MEMCPYED) !== 0,
  };
  if (header.version < 1 || header.version > 2) {
    throw fail(`Blosc format version ${header.version} (this reader knows 1 and 2)`);
  }
  if (header.cbytes !== bytes.byteLength) {
    throw fail(`header says ${header.cbytes} encoded bytes, the buffer has ${bytes.byteLength}`);
  }
  if (header.typesize === 0) throw fail("typesize 0 in the header");
  if (header.nbytes > 0 && header.blocksize === 0) throw fail("blocksize 0 in the header");
  return header;
}

/**
 * Decode a whole Blosc1 buffer whose header says `header` (from {@link readBlosc1Header}).
 * `decompress` is called once per compressed stream of the header's compressor.
 */
export async function decodeBlosc1(
  bytes: Uint8Array,
  header: Blosc1Header,
  decompress: StreamDecompressor,
): Promise<Uint8Array> {
  const { nbytes, blocksize, typesize, flags } = header;
  const out = new Uint8Array(nbytes);
  if (header.stored) {
    if (bytes.byteLength !== HEADER_BYTES + nbytes) {
      throw fail(`stored buffer of ${bytes.byteLength} bytes for ${nbytes} decoded bytes`);
    }
    out.set(bytes.subarray(HEADER_BYTES));
    return out;
  }
  if (flags & FLAG_BITSHUFFLE) throw fail("bit shuffle is not supported (byte shuffle is)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nblocks = Math.ceil(nbytes / blocksize);
  const blocksEnd = HEADER_BYTES + 4 * nblocks;
  if (blocksEnd > bytes.byteLength) {
    throw fail(`${nblocks} block offsets do not fit in ${bytes.byteLength} bytes`);
  }
  const unshuffled = flags & FLAG_SHUFFLE && typesize > 1 ? new Uint8Array(blocksize) : undefined;
  for (let block = 0; block < nblocks; block += 1) {
    const start = block * blocksize;
    const size = Math.min(blocksize, nbytes - start);
    const leftover = size < blocksize;
    const splits = flags & FLAG_DONT_SPLIT || leftover ? 1 : typesize;
    if (size % splits !== 0) throw fail(`block ${block} of ${size} bytes in ${splits} streams`);
    const target = out.subarray(start, start + size);
    const staging = unshuffled === undefined ? target : unshuffled.subarray(0, size);
    let at = view.getUint32(HEADER_BYTES + 4 * block, true);
    const streamSize = size / splits;
    for (let split = 0; split < splits; split += 1) {
      if (at < blocksEnd || at + 4 > bytes.byteLength) {
        throw fail(`block ${block}: stream at offset ${at} outside the buffer`);
      }
      const csize = view.getInt32(at, true);
      at += 4;
      if (csize <= 0 || at + csize > bytes.byteLength) {
        throw fail(`block ${block}: stream of ${csize} bytes at offset ${at} past the buffer`);
      }
      const source = bytes.subarray(at, at + csize);
      const into = staging.subarray(split * streamSize, (split + 1) * streamSize);
      if (csize === streamSize) into.set(source);
      else await decompress(source, into);
      at += csize;
    }
    if (unshuffled !== undefined) unshuffleBytes(staging, target, typesize);
  }
  return out;
}

/** Whether this machine stores a Uint16Array little-endian (every current one does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Undo a byte shuffle: `source` holds byte 0 of every element, then byte 1, …; bytes after the
 * last whole element are copied as they are (as c-blosc does).
 */
export function unshuffleBytes(source: Uint8Array, target: Uint8Array, itemsize: number): void {
  const elements = Math.floor(source.length / itemsize);
  if (itemsize === 2 && LITTLE_ENDIAN && target.byteOffset % 2 === 0) {
    // Whole 16-bit words: 1.6× the byte loop on uint16 planes, the common case.
    const words = new Uint16Array(target.buffer, target.byteOffset, elements);
    const high = source.subarray(elements);
    for (let element = 0; element < elements; element += 1) {
      words[element] = (source[element] ?? 0) | ((high[element] ?? 0) << 8);
    }
  } else {
    for (let byte = 0; byte < itemsize; byte += 1) {
      const plane = source.subarray(byte * elements, (byte + 1) * elements);
      for (let element = 0, to = byte; element < elements; element += 1, to += itemsize) {
        target[to] = plane[element] ?? 0;
      }
    }
  }
  const whole = elements * itemsize;
  target.set(source.subarray(whole, source.length), whole);
}
