/**
 * The sidecar's end of the stdio link to the Python shim (docs/sidecar-protocol.md §2).
 *
 * Every message is one frame: `u32 BE header length`, `u32 BE payload length`, a UTF-8 JSON
 * object, then the raw payload. Images cross as payload bytes, never as JSON: a plane of 4 MiB
 * costs 4 MiB on the pipe, not 12 MiB of base64 or number lists.
 */
import type { Readable, Writable } from "node:stream";
import { OhrError } from "../protocol/index.js";

/** Largest JSON header either side accepts (a `list_images` reply of a 1536-well plate fits). */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** Largest payload: the length field is a u32. The relay's own bound (2 GiB) is lower. */
export const MAX_PAYLOAD_BYTES = 0xffff_ffff;
const PREFIX_BYTES = 8;

/** One message: its header and, for images, the raw bytes. */
export interface Frame {
  readonly header: Record<string, unknown>;
  readonly payload: Uint8Array | null;
}

/** A frame broke the framing rules; the link cannot be trusted after it. */
export class FrameError extends OhrError {
  override readonly code = "ERR_FRAME";
  constructor(readonly reason: string) {
    super(`bad frame on the shim link: ${reason}`);
  }
}

/** Encode one frame (prefix + header + payload) as the buffers to write, in order. */
export function encodeFrame(
  header: Record<string, unknown>,
  payload?: Uint8Array | null,
): Buffer[] {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (json.length === 0 || json.length > MAX_HEADER_BYTES) {
    throw new FrameError(`header of ${json.length} bytes (limit ${MAX_HEADER_BYTES})`);
  }
  const size = payload?.byteLength ?? 0;
  if (size > MAX_PAYLOAD_BYTES) throw new FrameError(`payload of ${size} bytes`);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt32BE(json.length, 0);
  prefix.writeUInt32BE(size, 4);
  const parts: Buffer[] = [prefix, json];
  if (payload != null && size > 0) {
    parts.push(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }
  return parts;
}

/** Incremental decoder: feed it chunks as they come, take whole frames out. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Add bytes; returns every frame now complete. Throws {@link FrameError} on bad input. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < PREFIX_BYTES) return frames;
      const prefix = this.peek(PREFIX_BYTES);
      const headerBytes = prefix.readUInt32BE(0);
      const payloadBytes = prefix.readUInt32BE(4);
      if (headerBytes === 0 || headerBytes > MAX_HEADER_BYTES) {
        throw new FrameError(`header length ${headerBytes} (limit ${MAX_HEADER_BYTES})`);
      }
      const total = PREFIX_BYTES + headerBytes + payloadBytes;
      if (this.buffered < total) return frames;
      const whole = this.take(total);
      frames.push({
        header: parseHeader(whole.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes)),
        payload: payloadBytes === 0 ? null : whole.subarray(PREFIX_BYTES + headerBytes),
      });
    }
  }

  /** Bytes of an incomplete frame still held (non-zero at EOF means a truncated frame). */
  get pending(): number {
    return this.buffered;
  }

  private peek(size: number): Buffer {
    if (this.chunks[0] !== undefined && this.chunks[0].length >= size) return this.chunks[0];
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(size: number): Buffer {
    const joined =
      this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    // Copy out so a small frame does not pin a large shared chunk in memory.
    const frame = Buffer.from(joined.subarray(0, size));
    const rest = joined.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}

function parseHeader(bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new FrameError(`header is not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FrameError("header is not a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * Both directions of the link. Reading hands each frame to `onFrame`; writing is serialised and
 * waits for the pipe to drain, so a shim that reads slowly slows the sidecar down instead of
 * growing its memory.
 *
 * Once a write fails (the shim is gone: EPIPE), `onBroken` is called once and later sends
 * resolve without writing: there is nobody left to tell, and a rejected event promise must not
 * take the process down before it has cleaned up.
 */
export class ShimChannel {
  private readonly decoder = new FrameDecoder();
  private writing: Promise<void> = Promise.resolve();
  private broken: Error | null = null;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly onBroken: (error: Error) => void = () => undefined,
  ) {}

  /** Read frames until the input ends; resolves at EOF, rejects on a framing error. */
  async read(onFrame: (frame: Frame) => void): Promise<void> {
    for await (const chunk of this.input) {
      for (const frame of this.decoder.push(chunk as Buffer)) onFrame(frame);
    }
    if (this.decoder.pending > 0) {
      throw new FrameError(`input ended inside a frame (${this.decoder.pending} bytes pending)`);
    }
  }

  /**
   * Send one frame; resolves once it is handed to the pipe (or the link is broken). Throws
   * {@link FrameError} at once for a frame that breaks the size limits.
   */
  send(header: Record<string, unknown>, payload?: Uint8Array | null): Promise<void> {
    const parts = encodeFrame(header, payload);
    this.writing = this.writing.then(async () => {
      if (this.broken !== null) return;
      try {
        await this.write(parts);
      } catch (error) {
        this.broken = error instanceof Error ? error : new Error(String(error));
        this.onBroken(this.broken);
      }
    });
    return this.writing;
  }

  private async write(parts: Buffer[]): Promise<void> {
    for (const part of parts) {
      if (!this.output.write(part)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            this.output.off("error", onError);
            resolve();
          };
          const onError = (error: Error): void => {
            this.output.off("drain", onDrain);
            reject(error);
          };
          this.output.once("drain", onDrain);
          this.output.once("error", onError);
        });
      }
    }
  }
}
