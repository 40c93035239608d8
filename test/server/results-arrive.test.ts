/**
 * Results through the real relay: a routed OpenHCS run streams every output to the relay, and
 * the TypeScript client receives each image once, bit-exact and with its coordinates, compared
 * with what OpenHCS wrote to `<plate>_openhcs/images/` and with the run's progress events.
 */
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  RemoteOrchestrator,
  RunFailedError,
  isResultGap,
  type ResultImage,
  type ResultItem,
  type ResultShapes,
} from "../../src/orchestrator/index.js";
import { canReleaseFrames } from "../../src/orchestrator/relay-client/frame-release.js";
import { writeSyntheticPlate } from "../helpers/openhcs-server.js";
import type { ProgressEvent } from "../../src/protocol/progress-event.js";
import {
  CONFIG_ONE_WORKER,
  PIPELINE_NORMALIZE_PROJECT_COUNT,
  PIPELINE_WITH_STEP_ERROR,
} from "../helpers/pipelines.js";
import {
  PIPELINE_NORMALIZE,
  ownPlate,
  coordinatesFromName,
  label,
  readDiskImages,
  relayOptions,
  sha256,
} from "../helpers/relay-results.js";

const shared = inject("openhcs");
let plate = "";

describe("results of a real OpenHCS run through the relay", () => {
  beforeAll(async () => {
    plate = await ownPlate(shared.workDir, "results-arrive-plate");
  });

  let orch: RemoteOrchestrator;
  afterEach(() => {
    orch.close();
  });

  function connect(): RemoteOrchestrator {
    orch = new RemoteOrchestrator({
      serverHost: shared.host,
      serverPort: shared.port,
      relay: relayOptions(shared.relay),
    });
    return orch;
  }

  it("delivers every image once, bit-exact, with the well/site/channel/z/step OpenHCS gave it", async () => {
    connect();
    const items: ResultItem[] = [];
    const progress: ProgressEvent[] = [];
    const outcome = await orch.runRemotePipeline({
      plateId: plate,
      pipelineCode: PIPELINE_NORMALIZE,
      configCode: CONFIG_ONE_WORKER,
      onImage: (item) => {
        items.push(item);
      },
      onProgress: (_snapshot, event) => progress.push(event),
    });
    expect(outcome.record.status).toBe("complete");
    // 3 wells × 2 sites × 2 channels × 2 z-planes, each once, numbered 1..24 without holes.
    expect(items.map((item) => item.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(outcome.results).toMatchObject({
      delivered: 24,
      duplicates: 0,
      missing: 0,
      lastSeq: 24,
      status: "complete",
      ended: true,
    });

    const disk = await readDiskImages(items.map((item) => item.path));
    expect(Object.keys(disk)).toHaveLength(24); // one file per image: no path repeats
    for (const item of items as ResultImage[]) {
      expect(item.kind, label(item)).toBe("image");
      expect(item.executionId).toBe(outcome.executionId);
      expect(item.path.startsWith(`${plate}_openhcs/images/`)).toBe(true);
      const written = disk[item.path]!;
      expect([item.dtype, item.shape], label(item)).toEqual([written.dtype, written.shape]);
      expect(sha256(item.data), label(item)).toBe(written.sha256);
      expect(item.data.byteLength).toBe(64 * 64 * 2);
      const named = coordinatesFromName(item.path);
      expect(
        { well: item.well, site: item.site, channel: item.channel, z: item.z, t: item.timepoint },
        label(item),
      ).toEqual({ well: named.well, site: named.site, channel: named.channel, z: named.z, t: 1 });
      expect([item.step, item.stepIndex]).toEqual(["normalize", 0]);
    }

    // The wells and steps the images came from are the ones the progress feed reported done.
    const completed = progress.filter((e) => e.phase === "step_completed");
    expect(new Set(items.map((i) => `${i.well}/${i.step ?? ""}`))).toEqual(
      new Set(completed.map((e) => `${e.axis_id}/${e.step_name}`)),
    );
    expect(outcome.progress.stepNames).toEqual(["normalize"]);
  });

  it("streams each step of a three-step run, and the segmentation ROIs as shapes", async () => {
    connect();
    const items: ResultItem[] = [];
    const outcome = await orch.runRemotePipeline({
      plateId: plate,
      pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
      configCode: CONFIG_ONE_WORKER,
      onImage: (item) => {
        items.push(item);
      },
    });
    expect(outcome.results?.missing).toBe(0);
    const steps = outcome.progress.stepNames;
    expect(steps).toEqual(["normalize", "z_projection", "count_cells"]);
    for (const well of ["A01", "A02", "B01"]) {
      const mine = items.filter((item) => item.well === well);
      const count = (step: string, kind: string): number =>
        mine.filter((item) => item.step === step && item.kind === kind).length;
      // normalize keeps both z-planes; the projection flattens them; counting adds ROI sets.
      expect([count("normalize", "image"), count("z_projection", "image")]).toEqual([8, 4]);
      expect([count("count_cells", "image"), count("count_cells", "shapes")]).toEqual([4, 4]);
    }
    for (const item of items) expect(item.stepIndex).toBe(steps.indexOf(item.step ?? ""));
    const shapes = items.filter((item): item is ResultShapes => item.kind === "shapes");
    const polygons = shapes.flatMap((item) => item.shapes);
    expect(polygons.length).toBeGreaterThan(0);
    for (const polygon of polygons) {
      for (const [y, x] of polygon.coordinates) {
        expect(y! >= -0.5 && y! <= 64.5 && x! >= -0.5 && x! <= 64.5).toBe(true);
      }
    }
  });

  it("gives a subscriber that comes after the run everything from the spool, identical", async () => {
    connect();
    const live: ResultItem[] = [];
    const outcome = await orch.runRemotePipeline({
      plateId: plate,
      pipelineCode: PIPELINE_NORMALIZE,
      configCode: CONFIG_ONE_WORKER,
      onImage: (item) => {
        live.push(item);
      },
    });
    const late = orch.results(outcome.executionId);
    const replayed: ResultItem[] = [];
    for await (const entry of late) {
      expect(isResultGap(entry)).toBe(false);
      if (!isResultGap(entry)) replayed.push(entry);
    }
    expect(late.summary).toMatchObject({ ended: true, status: "complete", missing: 0 });
    const fingerprint = (item: ResultItem): string =>
      `${item.seq} ${item.path} ${item.kind === "image" ? sha256(item.data) : ""}`;
    expect(replayed.map(fingerprint)).toEqual(live.map(fingerprint));
    expect(replayed).toHaveLength(24);
  });

  it("with releaseFrames, frees each image's pixels once the next is asked for, and not before", async () => {
    connect();
    // 256² uint16 planes: 128 KiB frames, each in a buffer of its own (smaller ones may not be).
    const big = await writeSyntheticPlate(join(shared.workDir, "results-release-plate"), {
      wells: ["A01"],
      tile: 256,
    });
    const outcome = await orch.runRemotePipeline({
      plateId: big,
      pipelineCode: PIPELINE_NORMALIZE,
      configCode: CONFIG_ONE_WORKER,
    });
    const whole = async (options: { releaseFrames?: boolean }): Promise<ResultImage[]> => {
      const held: ResultImage[] = [];
      const sums = new Map<string, string>();
      for await (const entry of orch.results(outcome.executionId, options)) {
        if (isResultGap(entry) || entry.kind !== "image") continue;
        sums.set(entry.path, sha256(entry.data)); // while the consumer holds it
        held.push(entry);
      }
      // Whole while held: each image's bytes were those of the file OpenHCS wrote.
      const disk = await readDiskImages([...sums.keys()]);
      for (const [path, sum] of sums) expect(sum, path).toBe(disk[path]?.sha256);
      return held;
    };
    const kept = await whole({});
    expect(kept).toHaveLength(4);
    expect(kept.every((image) => image.data.byteLength === 256 * 256 * 2)).toBe(true);
    expect(canReleaseFrames).toBe(true); // engines: node >= 20.19
    const released = await whole({ releaseFrames: true });
    expect(released).toHaveLength(4);
    // Each was freed when the loop asked for the next entry (after the last: for the run's end).
    expect(released.map((image) => image.data.byteLength)).toEqual([0, 0, 0, 0]);
  });

  it("rejects a failed run with RunFailedError once the relay has ended its stream as failed", async () => {
    connect();
    let executionId = "";
    const seen: ResultItem[] = [];
    const failure = await orch
      .runRemotePipeline({
        plateId: plate,
        pipelineCode: PIPELINE_WITH_STEP_ERROR,
        configCode: CONFIG_ONE_WORKER,
        onSubmitted: (id) => (executionId = id),
        onImage: (item) => {
          seen.push(item);
        },
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunFailedError);
    expect(seen).toEqual([]); // its only step failed before it wrote anything
    const stream = orch.results(executionId);
    for await (const entry of stream) throw new Error(`unexpected ${JSON.stringify(entry)}`);
    expect(stream.summary).toMatchObject({ ended: true, status: "failed", lastSeq: 0 });
  });

  it("rejects with the error an onImage throws, and the run itself still completes on the server", async () => {
    connect();
    let executionId = "";
    const failure = await orch
      .runRemotePipeline({
        plateId: plate,
        pipelineCode: PIPELINE_NORMALIZE,
        configCode: CONFIG_ONE_WORKER,
        onSubmitted: (id) => (executionId = id),
        onImage: () => {
          throw new Error("the consumer broke");
        },
      })
      .catch((error: unknown) => error);
    expect((failure as Error).message).toBe("the consumer broke");
    expect((await orch.wait(executionId)).record.status).toBe("complete");
  });
});
