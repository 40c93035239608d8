import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  encodeFrame,
  FrameDecoder,
  FrameError,
  ShimChannel,
  type Frame,
} from "../../src/sidecar/shim-channel.js";

describe("FrameDecoder", () => {
  it("rebuilds frames split at every byte and joined back to back", () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    const bytes = Buffer.concat([
      ...encodeFrame({ event: "preview", seq: 1 }, payload),
      ...encodeFrame({ event: "done" }),
    ]);
    const decoder = new FrameDecoder();
    const frames: Frame[] = [];
    for (const byte of bytes) frames.push(...decoder.push(Buffer.from([byte])));
    expect(frames.map((f) => f.header)).toEqual([{ event: "preview", seq: 1 }, { event: "done" }]);
    expect(Buffer.from(frames[0]!.payload!).equals(Buffer.from(payload))).toBe(true);
    expect(frames[1]!.payload).toBeNull();
    expect(decoder.pending).toBe(0);
  });

  it("refuses a header that is not a JSON object", () => {
    const json = Buffer.from("[1, 2]");
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(json.length, 0);
    expect(() => new FrameDecoder().push(Buffer.concat([prefix, json]))).toThrow(FrameError);
  });

  it("refuses a zero-length header", () => {
    expect(() => new FrameDecoder().push(Buffer.alloc(8))).toThrow(/header length 0/);
  });
});

describe("ShimChannel", () => {
  it("reads frames until EOF and reports a frame cut short", async () => {
    const input = new PassThrough();
    const channel = new ShimChannel(input, new PassThrough());
    const seen: Frame[] = [];
    const reading = channel.read((frame) => seen.push(frame));
    const [prefix, header] = encodeFrame({ op: "shutdown" });
    input.write(prefix);
    input.end(header!.subarray(0, 3));
    await expect(reading).rejects.toThrow(/input ended inside a frame/);
    expect(seen).toEqual([]);
  });

  it("writes frames in order, waiting for a slow reader to drain", async () => {
    const output = new PassThrough({ highWaterMark: 16 });
    const channel = new ShimChannel(new PassThrough(), output);
    const big = new Uint8Array(64 * 1024).fill(7);
    const sent = Promise.all([channel.send({ n: 1 }, big), channel.send({ n: 2 })]);
    const decoder = new FrameDecoder();
    const frames: Frame[] = [];
    output.on("data", (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    await sent;
    expect(frames.map((f) => f.header)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(frames[0]!.payload!.length).toBe(64 * 1024);
  });
});
