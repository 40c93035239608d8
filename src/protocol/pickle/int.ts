/**
 * Python ints wider than 32 bits (LONG1/LONG4): minimal little-endian two's complement, as
 * CPython's `pickle.encode_long` / `decode_long`.
 * @internal
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Decode LONG1/LONG4 bytes: little-endian two's complement; a number when safe, else a bigint. */
export function littleEndianInt(bytes: Uint8Array): number | bigint {
  const n = bytes.length;
  if (n === 0) return 0;
  const negative = (bytes[n - 1] as number) >= 0x80;
  if (n <= 6) {
    let value = 0;
    for (let i = n - 1; i >= 0; i--) value = value * 256 + (bytes[i] as number);
    return negative ? value - 2 ** (8 * n) : value;
  }
  const hex: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) hex[n - 1 - i] = HEX[bytes[i] as number] as string;
  let big = BigInt(`0x${hex.join("")}`);
  if (negative) big -= 1n << BigInt(8 * n);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(big)
    : big;
}

/** Python's `pickle.encode_long`: minimal little-endian two's complement. */
export function encodeLong(value: bigint): Uint8Array {
  const magnitude = value < 0n ? -value : value;
  const bitLength = magnitude === 0n ? 0 : magnitude.toString(2).length;
  let size = (bitLength >> 3) + 1;
  const unsigned = value < 0n ? (1n << BigInt(size * 8)) + value : value;
  const hex = unsigned.toString(16).padStart(size * 2, "0");
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    bytes[i] = parseInt(hex.slice(hex.length - 2 * (i + 1), hex.length - 2 * i), 16);
  }
  if (
    value < 0n &&
    size > 1 &&
    bytes[size - 1] === 0xff &&
    ((bytes[size - 2] as number) & 0x80) !== 0
  ) {
    size--;
  }
  return bytes.subarray(0, size);
}
