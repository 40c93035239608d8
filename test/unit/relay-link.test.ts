/**
 * What the result stream says of its link to the relay: the state machine on its own, then a
 * stream against a fake relay that goes silent on cue (the real one cannot be made to), which
 * must say `reconnecting` while the relay is quiet, with its address and since when, and
 * `connected` when it answers, before the items that follow.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  RelayLinkWatch,
  ResultStream,
  isResultGap,
  type RelayLinkChange,
} from "../../src/orchestrator/index.js";
import { FAKE_LIMITS, FAKE_RUN, startFakeRelay, type FakeRelay } from "../helpers/fake-relay.js";

const END = { type: "end", execution_id: FAKE_RUN, status: "complete" } as const;
const ADDRESS = "gpu-server.lab:7779";

describe("RelayLinkWatch", () => {
  function watch(): { link: RelayLinkWatch; changes: RelayLinkChange[] } {
    const changes: RelayLinkChange[] = [];
    return { link: new RelayLinkWatch(ADDRESS, (c) => changes.push(c)), changes };
  }

  it("says nothing for the first welcome, then reconnecting once, then connected", () => {
    const { link, changes } = watch();
    link.welcomed(1000);
    expect(changes).toEqual([]);
    link.lost("silent", 5000, 8100);
    link.lost("silent", 5000, 11_200); // still away: the same news, not said again
    expect(changes).toEqual([
      {
        state: "reconnecting",
        address: ADDRESS,
        lastHeardAt: 5000,
        silentMs: 3100,
        reason: "silent",
      },
    ]);
    link.welcomed(15_000);
    link.welcomed(16_000);
    expect(changes.slice(1)).toEqual([
      { state: "connected", address: ADDRESS, lastHeardAt: 15_000, silentMs: 0, reason: null },
    ]);
    expect(link.state).toBe("connected");
  });

  it("reports a relay restart and a forgotten session with their reasons", () => {
    const { link, changes } = watch();
    link.welcomed(0);
    link.lost("restarted", 100, 100);
    link.welcomed(200);
    link.lost("no_session", 300, 310);
    expect(changes.map((c) => [c.state, c.reason])).toEqual([
      ["reconnecting", "restarted"],
      ["connected", null],
      ["reconnecting", "no_session"],
    ]);
  });

  it("ignores a lost session before any welcome, and reports giving up once", () => {
    const { link, changes } = watch();
    link.lost("silent", 0, 5000);
    expect(changes).toEqual([]);
    expect(link.state).toBe("connecting");
    link.failed(0, 10_000);
    link.failed(0, 11_000);
    expect(changes).toEqual([
      { state: "lost", address: ADDRESS, lastHeardAt: 0, silentMs: 10_000, reason: null },
    ]);
  });

  it("keeps the reason of the lost session when it gives up on it", () => {
    const { link, changes } = watch();
    link.welcomed(0);
    link.lost("silent", 1000, 4000);
    link.failed(1000, 61_000);
    expect(changes.at(-1)).toMatchObject({ state: "lost", silentMs: 60_000, reason: "silent" });
  });
});

describe("a result stream whose relay goes silent", () => {
  let relay: FakeRelay;
  let stream: ResultStream | null = null;
  afterEach(() => {
    stream?.close();
    relay.close();
  });

  it("says reconnecting with the relay's address after three silent heartbeats, and connected before the next item", async () => {
    relay = await startFakeRelay();
    const events: (RelayLinkChange | number)[] = [];
    relay.onMessage = (message) => {
      if (message.type !== "subscribe") return;
      void (message.from_seq === 1
        ? relay.sendItem(1) // then silence: no heartbeat, nothing
        : relay.sendItem(2).then(() => relay.sendJson({ ...END, last_seq: 2 })));
    };
    stream = new ResultStream({ host: "127.0.0.1", port: relay.port }, FAKE_RUN, {
      onRelayLink: (change) => events.push(change),
    });
    const started = Date.now();
    for await (const entry of stream) if (!isResultGap(entry)) events.push(entry.seq);
    const silence = 3 * FAKE_LIMITS.heartbeat_interval_ms;
    expect(events.map((e) => (typeof e === "number" ? e : e.state))).toEqual([
      1,
      "reconnecting",
      "connected",
      2,
    ]);
    const lost = events[1] as RelayLinkChange;
    expect(lost.address).toBe(`127.0.0.1:${relay.port}`);
    expect(lost.reason).toBe("silent");
    expect(lost.silentMs).toBeGreaterThan(silence);
    // Noticed within a tick or two of the third missed heartbeat, not at some later time.
    expect(lost.silentMs).toBeLessThan(silence + 1000);
    expect(lost.lastHeardAt).toBeGreaterThanOrEqual(started);
  });

  it("says lost when the relay stays away past the stream's patience", async () => {
    relay = await startFakeRelay();
    relay.onMessage = (message) => {
      if (message.type === "subscribe") {
        relay.welcomes = false; // from now on the relay answers nothing
        void relay.sendItem(1);
      }
    };
    const changes: RelayLinkChange[] = [];
    stream = new ResultStream({ host: "127.0.0.1", port: relay.port }, FAKE_RUN, {
      lostAfterMs: 1500,
      onRelayLink: (change) => changes.push(change),
    });
    const seqs: number[] = [];
    const failure = await (async () => {
      for await (const entry of stream) if (!isResultGap(entry)) seqs.push(entry.seq);
    })().catch((error: unknown) => error);
    expect(seqs).toEqual([1]);
    expect((failure as { code?: string }).code).toBe("ERR_RELAY_UNREACHABLE");
    expect(changes.map((c) => c.state)).toEqual(["reconnecting", "lost"]);
    expect(changes[1]?.silentMs).toBeGreaterThan(1500);
  });
});
