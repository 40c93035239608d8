import { PickleDecodeError, PickleLimitError, type PickleLimitName } from "./codec-errors.js";
import { opcodeName } from "./opcodes.js";

const NEWLINE = 0x0a;

/**
 * A bounds-checked cursor over the input. Every read checks the remaining length first, so a
 * declared length larger than the input fails before anything is allocated; `take` returns a
 * view, never a copy. Errors name the opcode being executed and its offset.
 * @internal
 */
export class PickleReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Next byte to read. */
  pos = 0;
  /** Offset of the opcode being executed, for error messages. */
  opOffset = 0;
  /** Byte of the opcode being executed, or -1 before the first. */
  opByte = -1;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** A decode error at the current opcode. */
  error(reason: string, options?: ErrorOptions): PickleDecodeError {
    return new PickleDecodeError(reason, this.site(), options);
  }

  /** A limit error at the current opcode. */
  limitError(limit: PickleLimitName, value: number, reason: string): PickleLimitError {
    return new PickleLimitError(limit, value, reason, this.site());
  }

  /** Read the next opcode byte and remember where it was. */
  opcode(): number {
    this.opOffset = this.pos;
    this.opByte = -1;
    this.opByte = this.u8();
    return this.opByte;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  i32(): number {
    this.need(4);
    const value = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /**
   * An unsigned 64-bit little-endian length. Values above 2**53 come back as `Infinity`: no
   * input is that long, so the caller's length check refuses them.
   */
  u64(): number {
    this.need(8);
    const low = this.view.getUint32(this.pos, true);
    const high = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return high >= 0x200000 ? Infinity : high * 0x1_0000_0000 + low;
  }

  /** A big-endian IEEE 754 double (BINFLOAT). */
  f64be(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return value;
  }

  /** `length` bytes as a view into the input. Refuses lengths past the end before reading. */
  take(length: number): Uint8Array {
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, this.pos);
  }

  /** A protocol-0 text argument: the bytes up to (not including) the next newline. */
  line(): Uint8Array {
    // A plain loop: TypedArray#indexOf has a high fixed cost, and text arguments are short.
    const bytes = this.bytes;
    let end = this.pos;
    while (end < bytes.length && bytes[end] !== NEWLINE) end++;
    if (end >= bytes.length)
      throw this.error("text argument has no terminating newline (truncated)");
    const start = this.pos;
    this.pos = end + 1;
    return this.bytes.subarray(start, end);
  }

  private need(length: number): void {
    if (length > this.bytes.length - this.pos) {
      const what = length === Infinity ? "more than 2**53" : String(length);
      throw this.error(`needs ${what} bytes but only ${this.remaining} remain (truncated)`);
    }
  }

  private site(): { opcode: string | undefined; offset: number } {
    if (this.opByte < 0) return { opcode: undefined, offset: this.opOffset };
    return {
      opcode: opcodeName(this.opByte) ?? `0x${this.opByte.toString(16).padStart(2, "0")}`,
      offset: this.opOffset,
    };
  }
}
