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
import { runPythonJson } from "../helpers/python.js";
import { readStoreWithPython, type PythonStoreReport } from "../helpers/result-items.js";

/** OpenHCS's output TIFFs and the store's planes, both as SHA-256 per (step plate, well, site, c, z). */
const COMPARE = String.raw`
import hashlib, json, re, sys
from pathlib import Path
import numpy as np, tifffile, zarr

store, output = Path(sys.argv[1]), Path(sys.argv[2])
def digest(a):
    a = np.ascontiguousarray(a)
    return a.dtype.name, hashlib.sha256(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()).hexdigest()
name = re.compile(r"([A-Z]+)(\d+)_s(\d+)_w(\d+)_z(\d+)(?:_t(\d+))?\.tiff?$")
disk = {}
for tif in sorted(output.rglob("*.tif*")):
    m = name.search(tif.name)
    if m is None:
        continue
    row, col, site, ch, z, t = m.groups()
    disk[f"{row}/{int(col)}/{int(site) - 1}/{int(t or 1) - 1}/{int(ch) - 1}/{int(z) - 1}"] = [str(tif.relative_to(output)), *digest(tifffile.imread(tif))]
stored = {}
for plate in sorted(store.glob("*.ome.zarr")):
    root = zarr.open_group(plate, mode="r")
    for well in root.attrs["ome"]["plate"]["wells"]:
        for field in root[well["path"]].attrs["ome"]["well"]["images"]:
            a = root[f"{well['path']}/{field['path']}/0"]
            for t in range(a.shape[0]):
                for c in range(a.shape[1]):
                    for z in range(a.shape[2]):
                        stored[f"{plate.name}|{well['path']}/{field['path']}/{t}/{c}/{z}"] = list(digest(a[t, c, z]))
print(json.dumps({"disk": disk, "stored": stored}))
`;

describe("ResultStore fed by a real run through the relay", () => {
  const shared = inject("openhcs");
  let dir = "";
  let report: PythonStoreReport;
  let compared: {
    disk: Record<string, [string, string, string]>;
    stored: Record<string, [string, string]>;
  };
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
    compared = await runPythonJson(COMPARE, {
      args: [dir, `${shared.smallPlate}_openhcs`],
      timeoutMs: 120_000,
    });
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
    expect(Object.keys(compared.disk).length).toBeGreaterThan(0);
    for (const [key, [file, dtype, hash]] of Object.entries(compared.disk)) {
      const matches = Object.entries(compared.stored).filter(([k]) => k.endsWith(`|${key}`));
      expect(
        matches.map(([, v]) => v),
        file,
      ).toContainEqual([dtype, hash]);
    }
  });
});
