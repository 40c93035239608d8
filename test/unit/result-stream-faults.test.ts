/**
 * Faults the real relay will not produce, from a fake relay socket: a malformed header, a payload
 * that does not match its header, a duplicate seq, a seq that skips ahead, a gap, an `end`
 * before every seq. Each is either absorbed exactly as the protocol says or ends the stream with
 * a named error that says where it stood.
 *
 *   ResultStream ──DEALER──▶ fake ROUTER: scripted items, gaps, ends and garbage
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  RelayProtocolError,
  ResultStream,
  isResultGap,
  type ResultGap,
  type ResultItem,
} from "../../src/orchestrator/index.js";
import {
  FAKE_RUN,
  itemHeader,
  itemPayload,
  startFakeRelay,
  type FakeRelay,
} from "../helpers/fake-relay.js";

/** Everything a stream yields until it ends, or the error it ends with. */
async function collect(
  stream: AsyncIterable<ResultItem | ResultGap>,
): Promise<{ entries: (ResultItem | ResultGap)[]; error: unknown }> {
  const entries: (ResultItem | ResultGap)[] = [];
  try {
    for await (const entry of stream) entries.push(entry);
    return { entries, error: null };
  } catch (error) {
    return { entries, error };
  }
}

function seqs(entries: readonly (ResultItem | ResultGap)[]): (number | string)[] {
  return entries.map((entry) =>
    isResultGap(entry) ? `gap ${entry.fromSeq}-${entry.toSeq} ${entry.reason}` : entry.seq,
  );
}

describe("ResultStream against a misbehaving relay", () => {
  let relay: FakeRelay;
  let stream: ResultStream | null = null;
  afterEach(() => {
    stream?.close();
    relay.close();
  });

  /** A stream whose relay answers the subscribe with `script`. */
  async function streamWith(
    script: (relay: FakeRelay) => Promise<void>,
    options: ConstructorParameters<typeof ResultStream>[2] = {},
  ): Promise<ResultStream> {
    relay = await startFakeRelay();
    relay.onMessage = (message) => {
      if (message.type === "subscribe") void script(relay);
    };
    stream = new ResultStream({ host: "127.0.0.1", port: relay.port }, FAKE_RUN, {
      connectTimeoutMs: 3000,
      ...options,
    });
    return stream;
  }

  it("ends with RelayProtocolError naming the header when it is not JSON, after the items before it", async () => {
    const s = await streamWith(async (r) => {
      await r.sendItem(1);
      await r.send(["{not json", itemPayload(2)]);
    });
    const { entries, error } = await collect(s);
    expect(seqs(entries)).toEqual([1]);
    expect(error).toBeInstanceOf(RelayProtocolError);
    expect(error).toMatchObject({
      code: "ERR_RELAY_PROTOCOL",
      field: "header",
      place: { address: `127.0.0.1:${relay.port}`, executionId: FAKE_RUN, nextSeq: 2 },
    });
  });

  it("refuses an image whose payload is shorter than nbytes, naming the run and seq", async () => {
    const s = await streamWith(async (r) => {
      await r.sendJson(itemHeader(1), itemPayload(1).subarray(0, 10));
    });
    const { entries, error } = await collect(s);
    expect(entries).toEqual([]);
    expect(error).toBeInstanceOf(RelayProtocolError);
    expect((error as RelayProtocolError).field).toBe("payload");
    expect((error as Error).message).toMatch(/10 bytes, but nbytes says 12/);
    expect((error as Error).message).toContain(`run ${FAKE_RUN}`);
  });

  it("refuses a Blosc preview that does not decode, naming the field and seq", async () => {
    const preview = { width: 3, height: 2, source_shape: [2, 3], value_min: 0, value_max: 5 };
    const s = await streamWith(async (r) => {
      await r.sendJson({ ...itemHeader(1), payload: "preview", preview }, new Uint8Array(6));
      await r.sendJson(
        { ...itemHeader(2), payload: "preview", preview: { ...preview, encoding: "blosc" } },
        new Uint8Array(40).fill(7),
      );
    });
    const { entries, error } = await collect(s);
    expect(seqs(entries)).toEqual([1]); // the raw one before it arrived whole
    expect(error).toBeInstanceOf(RelayProtocolError);
    expect((error as RelayProtocolError).field).toBe("preview");
    expect((error as Error).message).toContain("seq 2");
    expect((error as Error).message).toContain(`run ${FAKE_RUN}`);
  });

  it("refuses an nbytes that does not match shape × dtype", async () => {
    const s = await streamWith(async (r) => {
      await r.sendJson({ ...itemHeader(1), nbytes: 24 }, new Uint8Array(24));
    });
    const { error } = await collect(s);
    expect(error).toMatchObject({ code: "ERR_RELAY_PROTOCOL", field: "nbytes" });
  });

  it("refuses an unknown dtype by its field", async () => {
    const s = await streamWith(async (r) => {
      await r.sendJson({ ...itemHeader(1), dtype: "object" }, itemPayload(1));
    });
    const { error } = await collect(s);
    expect(error).toMatchObject({ code: "ERR_RELAY_PROTOCOL", field: "dtype" });
  });

  it("drops a duplicate seq, delivers every item once and counts the duplicate", async () => {
    const s = await streamWith(async (r) => {
      await r.sendItem(1);
      await r.sendItem(2);
      await r.sendItem(2);
      await r.sendItem(1);
      await r.sendItem(3);
      await r.sendJson({ type: "end", execution_id: FAKE_RUN, last_seq: 3, status: "complete" });
    });
    const { entries, error } = await collect(s);
    expect(error).toBeNull();
    expect(seqs(entries)).toEqual([1, 2, 3]);
    // The pixels are the ones sent with each seq, not a duplicate's.
    expect(entries.map((e) => (e as { data: Uint8Array }).data[0])).toEqual([1, 2, 3]);
    expect(s.summary).toMatchObject({
      delivered: 3,
      duplicates: 2,
      ended: true,
      status: "complete",
    });
  });

  it("ends with RelayProtocolError when a seq skips ahead, never hiding the hole", async () => {
    const s = await streamWith(async (r) => {
      await r.sendItem(1);
      await r.sendItem(3);
    });
    const { entries, error } = await collect(s);
    expect(seqs(entries)).toEqual([1]);
    expect(error).toMatchObject({
      code: "ERR_RELAY_PROTOCOL",
      field: "seq",
      place: { nextSeq: 2 },
    });
    expect((error as Error).message).toMatch(/seq 3 skips ahead of 2/);
  });

  it("yields a gap in order and reports it in the summary", async () => {
    const s = await streamWith(async (r) => {
      await r.sendItem(1);
      await r.sendJson({
        type: "gap",
        execution_id: FAKE_RUN,
        from_seq: 2,
        to_seq: 4,
        reason: "lost",
      });
      await r.sendItem(5);
      await r.sendJson({ type: "end", execution_id: FAKE_RUN, last_seq: 5, status: "failed" });
    });
    const { entries, error } = await collect(s);
    expect(error).toBeNull();
    expect(seqs(entries)).toEqual([1, "gap 2-4 lost", 5]);
    expect(s.summary).toMatchObject({
      delivered: 2,
      missing: 3,
      gaps: [{ executionId: FAKE_RUN, fromSeq: 2, toSeq: 4, reason: "lost" }],
      lastSeq: 5,
      status: "failed",
    });
  });

  it("gives gaps to onGap and yields only items when onGap is set", async () => {
    const gaps: ResultGap[] = [];
    const s = await streamWith(
      async (r) => {
        await r.sendJson({
          type: "gap",
          execution_id: FAKE_RUN,
          from_seq: 1,
          to_seq: 2,
          reason: "evicted",
        });
        await r.sendItem(3);
        await r.sendJson({ type: "end", execution_id: FAKE_RUN, last_seq: 3, status: "complete" });
      },
      { onGap: (gap) => gaps.push(gap), yieldGaps: false },
    );
    const { entries } = await collect(s);
    expect(seqs(entries)).toEqual([3]);
    expect(gaps).toEqual([{ executionId: FAKE_RUN, fromSeq: 1, toSeq: 2, reason: "evicted" }]);
  });

  it("counts a gap re-sent after what it covers as a duplicate, and trims one that overlaps", async () => {
    const s = await streamWith(async (r) => {
      await r.sendItem(1);
      await r.sendItem(2);
      await r.sendJson({
        type: "gap",
        execution_id: FAKE_RUN,
        from_seq: 1,
        to_seq: 2,
        reason: "lost",
      });
      await r.sendJson({
        type: "gap",
        execution_id: FAKE_RUN,
        from_seq: 2,
        to_seq: 3,
        reason: "lost",
      });
      await r.sendJson({ type: "end", execution_id: FAKE_RUN, last_seq: 3, status: "complete" });
    });
    const { entries } = await collect(s);
    expect(seqs(entries)).toEqual([1, 2, "gap 3-3 lost"]);
    expect(s.summary).toMatchObject({ duplicates: 1, missing: 1 });
  });

  it("ends with RelayProtocolError when end comes before every seq went out", async () => {
    const s = await streamWith(async (r) => {
      await r.sendItem(1);
      await r.sendJson({ type: "end", execution_id: FAKE_RUN, last_seq: 4, status: "complete" });
    });
    const { entries, error } = await collect(s);
    expect(seqs(entries)).toEqual([1]);
    expect(error).toMatchObject({ code: "ERR_RELAY_PROTOCOL", field: "last_seq" });
  });

  it("passes the relay's refusal on with its code and field", async () => {
    const s = await streamWith(async (r) => {
      await r.sendJson({
        type: "error",
        code: "ERR_FIELD",
        message: "from_seq 9 is past run's last seq 3",
        field: "from_seq",
      });
    });
    const { error } = await collect(s);
    expect(error).toMatchObject({
      code: "ERR_RELAY_REFUSED",
      relayCode: "ERR_FIELD",
      field: "from_seq",
    });
  });
});
