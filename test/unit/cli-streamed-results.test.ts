/** What `openhcs-remote run --relay` prints about the images and the relay's link, for a person. */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { StreamedResults } from "../../src/cli/run-streaming.js";
import type { RunProgressSnapshot } from "../../src/orchestrator/index.js";

/** A run of four wells, `done` of them finished. */
function snapshot(done: number): RunProgressSnapshot {
  return {
    executionId: "run-1",
    phase: done === 4 ? "success" : "running",
    wellsTotal: 4,
    wellsDone: done,
    wellsFailed: 0,
    stepNames: ["normalize"],
    fraction: done / 4,
    etaMs: done === 4 ? 0 : 10_000,
    elapsedMs: 1000,
    wells: [],
  };
}

/** A pipe-like stderr (not a terminal) that keeps what was written. */
function pipe(): { stream: NodeJS.WriteStream; text: () => string } {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  return { stream: sink as unknown as NodeJS.WriteStream, text: () => text };
}

describe("StreamedResults", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows --out's fetch in bytes, and its ETA once the server has finished every well", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const { stream, text } = pipe();
    const results = new StreamedResults(false, undefined, stream);
    const MiB = 2 ** 20;
    results.update(snapshot(2));
    for (let i = 0; i < 4; i += 1) results.willFetch(2 * MiB);
    vi.advanceTimersByTime(2000);
    results.fetched(new Uint8Array(2 * MiB));
    results.update(snapshot(4));
    vi.advanceTimersByTime(2000);
    results.fetched(new Uint8Array(2 * MiB));
    const lines = text().trim().split("\n");
    // 2 MiB in 2 s while two wells still run: a rate, no ETA (more planes will come).
    expect(lines).toContain(
      "[##############--------------]  50%  2/4 wells  ETA 10 s  · 0 images, fetched 2.0 of 8.0 MiB at 1.0 MiB/s",
    );
    // The server is done: 4 MiB left at 1 MiB/s.
    expect(lines.at(-1)).toMatch(/· 0 images, fetched 4\.0 of 8\.0 MiB at 1\.0 MiB\/s, ETA 4 s$/);
  });

  it("says when the relay went quiet, when it answers again, and when it was given up on", () => {
    const { stream, text } = pipe();
    const results = new StreamedResults(false, undefined, stream);
    const change = { address: "127.0.0.1:5600", lastHeardAt: 0, reason: null } as const;
    results.onRelayLink({ ...change, state: "reconnecting", silentMs: 3200, reason: "silent" });
    results.onRelayLink({ ...change, state: "connected", silentMs: 0 });
    results.onRelayLink({ ...change, state: "lost", silentMs: 61_000 });
    expect(text().split("\n")).toEqual([
      "openhcs-remote: reconnecting to relay 127.0.0.1:5600… (silent 3 s; nothing is lost meanwhile)",
      "openhcs-remote: relay 127.0.0.1:5600 answers again",
      "openhcs-remote: lost the relay 127.0.0.1:5600; no more images will arrive",
      "",
    ]);
  });
});
