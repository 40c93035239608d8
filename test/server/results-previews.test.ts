/**
 * Previews first, full resolution on demand, through the real relay: a finished OpenHCS run
 * followed in previews delivery brings each image's server-made preview — the sidecar's own
 * `makePreview` of the full plane, byte for byte — and no pixels; `fetchPlane` brings each plane
 * bit-exact (Blosc and raw); a seq the run never had is refused by name.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  RemoteOrchestrator,
  type ResultImage,
  type ResultItem,
  type ResultPreview,
} from "../../src/orchestrator/index.js";
import type { PlaneEncoding } from "../../src/protocol/index.js";
import { makePreview } from "../../src/sidecar/previews.js";
import { CONFIG_ONE_WORKER } from "../helpers/pipelines.js";
import { PIPELINE_NORMALIZE, ownPlate, relayOptions } from "../helpers/relay-results.js";

const shared = inject("openhcs");
let orch: RemoteOrchestrator;
let executionId = "";
const full = new Map<number, ResultImage>();

async function collect(
  delivery: "full" | "previews",
  previewEncoding?: PlaneEncoding,
): Promise<ResultItem[]> {
  const items: ResultItem[] = [];
  const stream = orch.results(executionId, { delivery, previewEncoding, onGap: () => undefined });
  for await (const item of stream) items.push(item);
  return items;
}

describe("previews delivery and fetchPlane against the real relay", () => {
  beforeAll(async () => {
    const plate = await ownPlate(shared.workDir, "results-previews-plate");
    orch = new RemoteOrchestrator({
      serverHost: shared.host,
      serverPort: shared.port,
      relay: relayOptions(shared.relay),
    });
    const outcome = await orch.runRemotePipeline({
      plateId: plate,
      pipelineCode: PIPELINE_NORMALIZE,
      configCode: CONFIG_ONE_WORKER,
    });
    expect(outcome.record.status).toBe("complete");
    executionId = outcome.executionId;
    for (const item of await collect("full")) {
      if (item.kind === "image") full.set(item.seq, item);
    }
    expect(full.size).toBe(24);
  });

  afterAll(() => {
    orch.close();
  });

  it.each(["blosc", "raw"] as const)(
    "brings every image as its preview only (%s on the wire; blosc is the default): the sidecar's preview of the plane, no pixels",
    async (encoding) => {
      const items = await collect("previews", encoding === "blosc" ? undefined : encoding);
      const previews = items.filter((item): item is ResultPreview => item.kind === "preview");
      expect(previews.map((item) => item.seq)).toEqual([...full.keys()]);
      for (const item of previews) {
        const plane = full.get(item.seq) as ResultImage;
        expect(item).toMatchObject({ well: plane.well, site: plane.site, channel: plane.channel });
        expect(item.nbytes).toBe(plane.data.byteLength);
        const ours = makePreview(plane);
        expect(item.preview, `seq ${item.seq}`).not.toBeNull();
        expect(item.preview?.sourceShape).toEqual(ours?.sourceShape);
        expect([item.preview?.valueMin, item.preview?.valueMax]).toEqual([
          ours?.valueMin,
          ours?.valueMax,
        ]);
        expect(Buffer.from(item.preview?.pixels ?? [])).toEqual(Buffer.from(ours?.pixels ?? []));
      }
      const previewBytes = previews.reduce(
        (sum, p) => sum + (p.preview?.pixels.byteLength ?? 0),
        0,
      );
      const wireBytes = previews.reduce((sum, p) => sum + (p.preview?.wireBytes ?? 0), 0);
      const rawBytes = previews.reduce((sum, p) => sum + p.nbytes, 0);
      if (encoding === "raw") expect(wireBytes).toBe(previewBytes);
      else expect(wireBytes).toBeLessThan(previewBytes);
      console.log(
        `previews ${previewBytes} bytes (${wireBytes} on the wire, ${encoding}) for ${rawBytes} raw bytes`,
      );
    },
  );

  it("fetchPlane brings each plane bit-exact, Blosc-compressed or raw, from the spool", async () => {
    for (const [seq, plane] of full) {
      for (const encoding of ["blosc", "raw"] as const) {
        const { header, data } = await orch.fetchPlane(executionId, seq, { encoding });
        expect(header).toMatchObject({ seq, encoding, source: "spool", dtype: plane.dtype });
        expect(header.shape).toEqual(plane.shape);
        expect(Buffer.from(data).equals(Buffer.from(plane.data)), `seq ${seq} ${encoding}`).toBe(
          true,
        );
      }
    }
  });

  it("refuses a seq the run never had, naming relay, run and seq, and keeps serving", async () => {
    const refused = await orch.fetchPlane(executionId, 9999).then(
      () => null,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(refused?.code).toBe("ERR_PLANE_UNKNOWN");
    expect(refused?.message).toContain(`run ${executionId}: fetching plane 9999`);
    await expect(orch.fetchPlane("no-such-run", 1)).rejects.toMatchObject({
      code: "ERR_PLANE_UNKNOWN",
    });
    const { data } = await orch.fetchPlane(executionId, 1);
    expect(Buffer.from(data).equals(Buffer.from(full.get(1)?.data ?? []))).toBe(true);
  });
});
