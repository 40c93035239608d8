/** Freeing a received frame's memory at once: only a view that owns its whole buffer. */
import { describe, expect, it } from "vitest";
import {
  canReleaseFrames,
  releaseFrame,
} from "../../src/orchestrator/relay-client/frame-release.js";

describe("releaseFrame", () => {
  it("is available on the Node versions we support (20.19 and later)", () => {
    expect(canReleaseFrames).toBe(true);
  });

  it("empties a frame that owns its buffer: the memory is gone, not copied", () => {
    const frame = new Uint8Array(8 * 1024 * 1024).fill(7);
    const { buffer } = frame;
    releaseFrame(frame);
    expect(frame.byteLength).toBe(0);
    expect(buffer.byteLength).toBe(0); // detached
  });

  it("leaves alone a view of part of a buffer, and small frames", () => {
    const whole = new Uint8Array(1024 * 1024).fill(3);
    const part = whole.subarray(0, 512 * 1024);
    releaseFrame(part);
    expect(whole.byteLength).toBe(1024 * 1024);
    expect(part[0]).toBe(3);
    const small = new Uint8Array(1024).fill(5);
    releaseFrame(small);
    expect(small.byteLength).toBe(1024);
    const pooled = Buffer.from("a pooled buffer shares its slab");
    releaseFrame(pooled);
    expect(pooled.toString()).toBe("a pooled buffer shares its slab");
  });

  it("leaves a SharedArrayBuffer alone", () => {
    const shared = new Uint8Array(new SharedArrayBuffer(1024 * 1024));
    releaseFrame(shared);
    expect(shared.byteLength).toBe(1024 * 1024);
  });
});
