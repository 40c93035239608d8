/** What `openhcs-remote run --relay` prints about the images and the relay's link, for a person. */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { StreamedResults } from "../../src/cli/run-streaming.js";

/** A pipe-like stderr (not a terminal) that keeps what was written. */
function pipe(): { stream: NodeJS.WriteStream; text: () => string } {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  return { stream: sink as unknown as NodeJS.WriteStream, text: () => text };
}

describe("StreamedResults", () => {
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
