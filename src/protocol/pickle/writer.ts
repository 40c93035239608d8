import { Op } from "./opcodes.js";

/** CPython's frame sizing (Lib/pickle.py `_Framer`; Modules/_pickle.c). */
const FRAME_SIZE_TARGET = 64 * 1024;
const FRAME_SIZE_MIN = 4;
const FRAME_HEADER_SIZE = 9;

/**
 * A growable output buffer (amortised doubling, so writing is linear) that frames protocol-4+
 * output the way CPython does: a FRAME header is reserved when a frame opens and patched when it
 * closes; frames close at a value boundary once they reach 64 KiB; frames under 4 bytes lose their
 * header; str/bytes payloads of 64 KiB or more are written outside any frame.
 * @internal
 */
export class PickleWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;
  private framing = false;
  private frameStart = -1;

  /** Turn framing on (after the PROTO opcode, as CPython does). */
  startFraming(): void {
    this.framing = true;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** An opcode followed by a one-byte argument. */
  op1(op: number, value: number): void {
    this.reserve(2);
    this.buffer[this.length++] = op;
    this.buffer[this.length++] = value;
  }

  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  i32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, value, true);
    this.length += 4;
  }

  u64(value: number): void {
    this.reserve(8);
    this.view.setUint32(this.length, value % 0x1_0000_0000, true);
    this.view.setUint32(this.length + 4, Math.floor(value / 0x1_0000_0000), true);
    this.length += 8;
  }

  f64be(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, false);
    this.length += 8;
  }

  /** A string known to be 7-bit ASCII, one byte per char. */
  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buffer[this.length++] = text.charCodeAt(i);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /**
   * A length-prefixed payload: `header` writes the opcode and length. Large payloads go outside
   * frames, so a reader can take them without copying through a frame buffer (CPython does this).
   */
  payload(data: Uint8Array, header: () => void): void {
    if (!this.framing || data.length < FRAME_SIZE_TARGET) {
      header();
      this.bytes(data);
      return;
    }
    this.commitFrame();
    this.framing = false;
    header();
    this.bytes(data);
    this.framing = true;
  }

  /** Called between values: close the current frame once it has reached the target size. */
  boundary(): void {
    if (
      this.frameStart >= 0 &&
      this.length - this.frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET
    ) {
      this.commitFrame();
    }
  }

  /** Close the open frame, if any, and return the output (a view of the internal buffer). */
  finish(): Uint8Array {
    this.commitFrame();
    this.framing = false;
    return this.buffer.subarray(0, this.length);
  }

  private commitFrame(): void {
    if (this.frameStart < 0) return;
    const start = this.frameStart;
    const frameLength = this.length - start - FRAME_HEADER_SIZE;
    this.frameStart = -1;
    if (frameLength >= FRAME_SIZE_MIN) {
      this.buffer[start] = Op.FRAME;
      this.view.setUint32(start + 1, frameLength, true);
      this.view.setUint32(start + 5, Math.floor(frameLength / 0x1_0000_0000), true);
    } else {
      this.buffer.copyWithin(start, start + FRAME_HEADER_SIZE, this.length);
      this.length -= FRAME_HEADER_SIZE;
    }
  }

  /** Make room for `n` more bytes, opening a frame first when framing and none is open. */
  private reserve(n: number): void {
    let needed = n;
    if (this.framing && this.frameStart < 0) {
      this.frameStart = this.length;
      needed += FRAME_HEADER_SIZE;
    }
    if (this.length + needed > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < this.length + needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    if (needed > n) this.length += FRAME_HEADER_SIZE;
  }
}
