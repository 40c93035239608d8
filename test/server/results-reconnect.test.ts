/**
 * A client that drops mid-run and comes back: with the real relay, the run keeps streaming into
 * its spool, and the second connection, subscribing from where the first stopped, completes the
 * sequence with nothing lost and nothing doubled.
 */
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { RemoteOrchestrator, isResultGap, type ResultItem } from "../../src/orchestrator/index.js";
import { CONFIG_ONE_WORKER } from "../helpers/pipelines.js";
import { PIPELINE_NORMALIZE, ownPlate, relayOptions, sha256 } from "../helpers/relay-results.js";

const shared = inject("openhcs");
let plate = "";

describe("a result stream dropped mid-run", () => {
  beforeAll(async () => {
    plate = await ownPlate(shared.workDir, "results-reconnect-plate");
  });

  let orch: RemoteOrchestrator;
  afterEach(() => {
    orch.close();
  });

  async function startRun(): Promise<string> {
    orch = new RemoteOrchestrator({
      serverHost: shared.host,
      serverPort: shared.port,
      relay: relayOptions(shared.relay),
    });
    return orch.executeRemote({
      plateId: plate,
      pipelineCode: PIPELINE_NORMALIZE,
      configCode: CONFIG_ONE_WORKER,
    });
  }

  /** Read the rest of a run from `fromSeq`; the items and the stream's summary. */
  async function readRest(executionId: string, fromSeq: number) {
    const stream = orch.results(executionId, { fromSeq });
    const items: ResultItem[] = [];
    for await (const entry of stream) {
      if (isResultGap(entry)) throw new Error(`unexpected gap ${entry.fromSeq}..${entry.toSeq}`);
      items.push(entry);
    }
    return { items, summary: stream.summary };
  }

  it("resumes after the consumer broke off with credit outstanding: nothing lost, nothing doubled", async () => {
    const executionId = await startRun();
    // A small window, so that the relay still has most of the run to send when we leave.
    const first = orch.results(executionId, { creditItems: 2 });
    const before: ResultItem[] = [];
    for await (const entry of first) {
      if (!isResultGap(entry)) before.push(entry);
      if (before.length === 5) break; // closes the DEALER with credit outstanding
    }
    const status = await orch.status(executionId);
    const rest = await readRest(executionId, first.summary.nextSeq);

    expect(first.summary.nextSeq).toBe(6);
    expect(status.status).not.toBe("complete"); // we really left while the run was going
    const seqs = [...before, ...rest.items].map((item) => item.seq);
    expect(seqs).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(rest.summary).toMatchObject({ duplicates: 0, missing: 0, ended: true, lastSeq: 24 });
    expect(new Set([...before, ...rest.items].map((item) => item.path)).size).toBe(24);
  });

  it("resumes after an abort mid-run, and a full replay agrees with the two halves", async () => {
    const executionId = await startRun();
    const controller = new AbortController();
    const first = orch.results(executionId, { signal: controller.signal });
    const before: ResultItem[] = [];
    for await (const entry of first) {
      if (!isResultGap(entry)) before.push(entry);
      if (before.length === 3) controller.abort();
    }
    expect(first.summary).toMatchObject({ delivered: 3, nextSeq: 4, ended: false });
    const rest = await readRest(executionId, 4);
    const replay = await readRest(executionId, 1);
    const fingerprint = (item: ResultItem): string =>
      `${item.seq} ${item.path} ${item.kind === "image" ? sha256(item.data) : ""}`;
    expect([...before, ...rest.items].map(fingerprint)).toEqual(replay.items.map(fingerprint));
    expect(replay.items).toHaveLength(24);
  });
});
