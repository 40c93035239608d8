/**
 * A real run's results into the result store: the OpenHCS execution server and the relay on
 * loopback run a three-step pipeline on a synthetic plate; every streamed item goes into a
 * ResultStore through `onImage`; then Python reads the store with `zarr` and OpenHCS's own
 * output TIFFs with `tifffile`, and the pixels must be the same.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RemoteOrchestrator } from "../../src/orchestrator/index.js";
import type { ResultItem } from "../../src/orchestrator/result-image.js";
import { ResultStore } from "../../src/orchestrator/result-store/index.js";
import { CONFIG_ONE_WORKER, PIPELINE_NORMALIZE_PROJECT_COUNT } from "../helpers/pipelines.js";
import { readStoreWithPython, type PythonStoreReport } from "../helpers/result-items.js";
import {
  compareStoreWithDisk,
  expectEveryTiffStored,
  type StoreVsDisk,
} from "../helpers/store-vs-disk.js";

describe("ResultStore fed by a real run through the relay", () => {
  const shared = inject("openhcs");
  let dir = "";
  let report: PythonStoreReport;
  let compared: StoreVsDisk;
  const items: ResultItem[] = [];
  let store: ResultStore;

  beforeAll(async () => {
    const relay = shared.relay as {
      stream_host?: string;
      stream_port?: number;
      viewer_port?: number;
    } | null;
    if (relay?.stream_port === undefined) throw new Error("the shared server runs no relay");
    dir = await mkdtemp(join(tmpdir(), "ohr-store-run-"));
    store = await ResultStore.create(dir, { plateName: "synthetic" });
    const orch = new RemoteOrchestrator({
      serverHost: shared.host,
      serverPort: shared.port,
      relay: {
        host: relay.stream_host ?? "127.0.0.1",
        port: relay.stream_port,
        viewerPort: relay.viewer_port,
      },
    });
    try {
      const outcome = await orch.runRemotePipeline({
        plateId: shared.smallPlate,
        pipelineCode: PIPELINE_NORMALIZE_PROJECT_COUNT,
        configCode: CONFIG_ONE_WORKER,
        onImage: async (item) => {
          items.push(item);
          await store.put(item);
        },
      });
      expect(outcome.results?.missing).toBe(0);
    } finally {
      orch.close();
    }
    await store.close();
    report = await readStoreWithPython(dir, store.listImages());
    compared = await compareStoreWithDisk(dir, `${shared.smallPlate}_openhcs`);
  }, 600_000);

  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("stores every streamed image, one plate per step, with the extent of what arrived", () => {
    const images = items.filter((i) => i.kind === "image");
    expect(images.length).toBeGreaterThan(0);
    const steps = [...new Set(images.map((i) => i.step))];
    expect(steps).toEqual(["normalize", "z_projection", "count_cells"]);
    expect(Object.keys(report.plates).sort()).toEqual(steps.map((s) => `${s}.ome.zarr`).sort());
    expect(Object.values(report.models).every((m) => m === "ok")).toBe(true);
    for (const step of steps) {
      const own = images.filter((i) => i.step === step);
      const max = (pick: (i: (typeof own)[number]) => number | null): number =>
        Math.max(...own.map((i) => pick(i) ?? 1));
      const image = Object.values(report.plates[`${step}.ome.zarr`]!.images)[0]!;
      expect(image.shape).toEqual([
        max((i) => i.timepoint),
        max((i) => i.channel),
        max((i) => i.z),
        64,
        64,
      ]);
      expect(image.dtype).toBe(own[0]!.dtype);
      // Channel names as OpenHCS streamed them.
      const names = new Map(own.map((i) => [i.channel, i.componentNames.channel]));
      expect(image.channels).toEqual([...names.keys()].sort().map((c) => names.get(c)));
    }
    const planes = new Set(
      images.map((i) => `${i.step}|${i.well}|${i.site}|${i.timepoint}|${i.channel}|${i.z}`),
    );
    expect(store.listImages()).toHaveLength(planes.size);
  });

  it("keeps the ROI shapes OpenHCS streamed next to their images", async () => {
    const shapes = items.filter((i) => i.kind === "shapes");
    expect(shapes.length).toBeGreaterThan(0);
    expect(store.listShapes()).toHaveLength(shapes.length);
    for (const item of shapes) {
      const doc = await store.readShapes(item);
      expect(doc.shapes).toEqual(item.shapes);
    }
  });

  it("holds, for every TIFF OpenHCS wrote, the same pixels in the plate of that step", () => {
    expectEveryTiffStored(compared);
  });
});
