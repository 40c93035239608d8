/**
 * The session half of the result stream against a fake relay: hello/welcome with nonces, a new
 * incarnation, silence, `ERR_NO_SESSION`, a replaced spool, no relay at all, abort, and the
 * credit window under a slow consumer. The real relay cannot be made to do these on cue.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  NoRelayError,
  RemoteOrchestrator,
  RelaySpoolReplacedError,
  RelayUnreachableError,
  ResultStream,
  isResultGap,
  type ResultGap,
  type ResultItem,
} from "../../src/orchestrator/index.js";
import { FAKE_LIMITS, FAKE_RUN, startFakeRelay, type FakeRelay } from "../helpers/fake-relay.js";

const END = { type: "end", execution_id: FAKE_RUN, status: "complete" } as const;

async function drain(stream: AsyncIterable<ResultItem | ResultGap>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const entry of stream) if (!isResultGap(entry)) seqs.push(entry.seq);
  return seqs;
}

describe("ResultStream sessions with a fake relay", () => {
  let relay: FakeRelay;
  let stream: ResultStream | null = null;
  afterEach(() => {
    stream?.close();
    relay.close();
  });

  function open(options: ConstructorParameters<typeof ResultStream>[2] = {}): ResultStream {
    stream = new ResultStream({ host: "127.0.0.1", port: relay.port }, FAKE_RUN, {
      connectTimeoutMs: 3000,
      ...options,
    });
    return stream;
  }

  it("says hello again on a new incarnation and resubscribes from the next seq", async () => {
    relay = await startFakeRelay();
    let subscriptions = 0;
    relay.onMessage = (message) => {
      if (message.type !== "subscribe") return;
      subscriptions += 1;
      void (async () => {
        if (subscriptions === 1) {
          await relay.sendItem(1);
          await relay.sendItem(2);
          relay.incarnation = "incarnation-2"; // the relay restarted
          await relay.sendJson({ type: "heartbeat", incarnation: "incarnation-2", time: 0 });
        } else {
          await relay.sendItem(3);
          await relay.sendJson({ ...END, last_seq: 3 });
        }
      })();
    };
    const s = open();
    expect(await drain(s)).toEqual([1, 2, 3]);
    const hellos = relay.received.filter((m) => m.type === "hello");
    const subscribes = relay.received.filter((m) => m.type === "subscribe");
    expect(hellos.map((m) => m.nonce)).toEqual([1, 2]);
    expect(subscribes.map((m) => m.from_seq)).toEqual([1, 3]);
    expect(s.summary).toMatchObject({
      sessions: 2,
      incarnations: ["incarnation-1", "incarnation-2"],
      duplicates: 0,
    });
  });

  it("acts only on the welcome that answers its latest hello", async () => {
    relay = await startFakeRelay();
    const welcome = (nonce: number, incarnation: string) =>
      relay.sendJson({
        type: "welcome",
        nonce,
        protocol: 1,
        incarnation,
        spool_id: "spool-1",
        relay_version: "fake",
        limits: FAKE_LIMITS,
        runs: [],
      });
    const s = open();
    const iteration = drain(s);
    await relay.next("subscribe");
    relay.welcomes = false;
    await relay.sendJson({ type: "heartbeat", incarnation: "incarnation-2", time: 0 });
    await relay.next("hello", (m) => m.nonce === 2);
    // A late answer to the first hello (sent while the relay was away) must change nothing.
    await welcome(1, "incarnation-2");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(relay.received.filter((m) => m.type === "subscribe")).toHaveLength(1);
    await welcome(2, "incarnation-2");
    const subscribe = await relay.next("subscribe");
    expect(subscribe.from_seq).toBe(1);
    await relay.sendJson({ ...END, last_seq: 0 });
    expect(await iteration).toEqual([]);
    expect(relay.received.filter((m) => m.type === "subscribe")).toHaveLength(2);
    expect(s.summary.sessions).toBe(2);
  });

  it("gives a restarted relay its full patience however long the stream ran before", async () => {
    relay = await startFakeRelay();
    relay.onMessage = (message) => {
      if (message.type !== "subscribe") return;
      void (async () => {
        if (message.from_seq === 1) {
          for (let seq = 1; seq <= 4; seq += 1) {
            await relay.sendItem(seq);
            await new Promise((resolve) => setTimeout(resolve, 150)); // 600 ms of healthy stream
          }
          relay.welcomes = false;
          relay.incarnation = "incarnation-2";
          await relay.sendJson({ type: "heartbeat", incarnation: "incarnation-2", time: 0 });
          const hello = await relay.next("hello");
          await new Promise((resolve) => setTimeout(resolve, 300)); // the new relay is slow to answer
          await relay.sendJson({
            type: "welcome",
            nonce: hello.nonce,
            protocol: 1,
            incarnation: "incarnation-2",
            spool_id: "spool-1",
            relay_version: "fake",
            limits: FAKE_LIMITS,
            runs: [],
          });
        } else {
          await relay.sendJson({ ...END, last_seq: 4 });
        }
      })();
    };
    // 500 ms of patience: less than the stream ran, more than the new relay takes.
    expect(await drain(open({ lostAfterMs: 500 }))).toEqual([1, 2, 3, 4]);
  });

  it("says hello again after three silent heartbeat intervals and resumes", async () => {
    relay = await startFakeRelay();
    relay.onMessage = (message) => {
      if (message.type !== "subscribe") return;
      void (message.from_seq === 1
        ? relay.sendItem(1) // then silence: no heartbeat, nothing
        : relay.sendItem(2).then(() => relay.sendJson({ ...END, last_seq: 2 })));
    };
    const started = Date.now();
    expect(await drain(open())).toEqual([1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * FAKE_LIMITS.heartbeat_interval_ms);
    expect(relay.received.filter((m) => m.type === "subscribe").map((m) => m.from_seq)).toEqual([
      1, 2,
    ]);
  });

  it("answers ERR_NO_SESSION with a new hello", async () => {
    relay = await startFakeRelay();
    let first = true;
    relay.onMessage = (message) => {
      if (message.type !== "subscribe") return;
      if (first) {
        first = false;
        void relay.sendJson({
          type: "error",
          code: "ERR_NO_SESSION",
          message: "no session: send hello first",
          field: null,
        });
      } else {
        void relay.sendJson({ ...END, last_seq: 0 });
      }
    };
    const s = open();
    const started = Date.now();
    expect(await drain(s)).toEqual([]);
    expect(s.summary.sessions).toBe(2);
    // At once, not after the silence that would also have made it say hello.
    expect(Date.now() - started).toBeLessThan(3 * FAKE_LIMITS.heartbeat_interval_ms);
  });

  it("fails with RelaySpoolReplacedError when the relay comes back with another spool", async () => {
    relay = await startFakeRelay();
    relay.onMessage = (message) => {
      if (message.type === "subscribe" && message.from_seq === 1) {
        void relay.sendItem(1).then(() => {
          relay.spoolId = "spool-2";
          relay.incarnation = "incarnation-2";
          return relay.sendJson({ type: "heartbeat", incarnation: "incarnation-2", time: 0 });
        });
      }
    };
    const s = open();
    await expect(drain(s)).rejects.toBeInstanceOf(RelaySpoolReplacedError);
    expect(s.summary.nextSeq).toBe(2);
  });

  it("fails with RelayUnreachableError naming the address when nothing welcomes it", async () => {
    relay = await startFakeRelay();
    relay.welcomes = false;
    const s = open({ connectTimeoutMs: 600 });
    const error = await drain(s).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RelayUnreachableError);
    expect((error as Error).message).toContain(`127.0.0.1:${relay.port}`);
    expect((error as Error).message).toContain(FAKE_RUN);
  });

  it("ends quietly on abort, says bye, and counts only what the consumer took", async () => {
    relay = await startFakeRelay();
    const controller = new AbortController();
    relay.onMessage = (message) => {
      if (message.type !== "subscribe") return;
      void (async () => {
        for (let seq = 1; seq <= 5; seq += 1) await relay.sendItem(seq);
      })();
    };
    const s = open({ signal: controller.signal });
    const seen: number[] = [];
    for await (const entry of s) {
      if (!isResultGap(entry)) seen.push(entry.seq);
      // Let the other items arrive before leaving: they must not count as delivered.
      if (seen.length === 2) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        controller.abort();
      }
    }
    expect(seen).toEqual([1, 2]);
    await relay.next("bye");
    expect(s.summary).toMatchObject({ delivered: 2, nextSeq: 3, ended: false });
  });

  it("keeps at most one window outstanding with a slow consumer, and delivers everything", async () => {
    relay = await startFakeRelay();
    const total = 40;
    const window = { items: 8, bytes: 1 << 20 };
    let credit = 0;
    let sent = 0;
    let maxOutstanding = 0;
    // A relay that, like the real one, sends only against credit.
    const pump = async (): Promise<void> => {
      while (credit > 0 && sent < total) {
        credit -= 1;
        sent += 1;
        await relay.sendItem(sent);
      }
      if (sent === total) {
        sent += 1;
        await relay.sendJson({ ...END, last_seq: total });
      }
    };
    relay.onMessage = (message) => {
      if (message.type === "credit") {
        credit += message.items as number;
        void pump();
      }
    };
    const s = open({ creditItems: window.items, creditBytes: window.bytes });
    const seen: number[] = [];
    for await (const entry of s) {
      if (isResultGap(entry)) continue;
      seen.push(entry.seq);
      // What the client holds plus what the relay may still send never exceeds the window.
      maxOutstanding = Math.max(maxOutstanding, credit + (Math.min(sent, total) - seen.length));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const grants = relay.received.filter((m) => m.type === "credit");
    expect(grants[0]).toMatchObject({ items: window.items, bytes: window.bytes });
    expect(grants.slice(1).every((g) => (g.items as number) >= window.items / 2)).toBe(true);
    expect(maxOutstanding).toBeLessThanOrEqual(window.items);
  });

  it("refuses a start seq or run id the relay would refuse, before connecting", () => {
    relay = { close: () => undefined } as FakeRelay;
    expect(
      () => new ResultStream({ host: "127.0.0.1", port: 1 }, FAKE_RUN, { fromSeq: 0 }),
    ).toThrow(/from_seq/);
    expect(() => new ResultStream({ host: "127.0.0.1", port: 1 }, "")).toThrow(/execution_id/);
  });

  it("says which run had no relay when results() is asked of an orchestrator without one", () => {
    relay = { close: () => undefined } as FakeRelay;
    const orch = new RemoteOrchestrator({ serverHost: "127.0.0.1", serverPort: 1 });
    try {
      expect(() => orch.results(FAKE_RUN)).toThrow(NoRelayError);
      expect(() => orch.results(FAKE_RUN)).toThrow(FAKE_RUN);
    } finally {
      orch.close();
    }
  });
});
