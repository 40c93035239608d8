/**
 * Previews first over a link that behaves like one (issue 11): a finished run followed from the
 * user's namespace in previews delivery brings every image's server-made preview across the
 * 100 Mbit/s, 20 ms link and none of its pixels; `fetchPlane` then brings each plane, Blosc on
 * the wire, bit-exact OpenHCS's TIFF. The bytes each phase put on the veth are printed against
 * the plate's raw size. The client is our TypeScript orchestrator (the built `lib/`) in a Node
 * process in the user namespace, reaching the server through the delay proxies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  linesOf,
  requireLink,
  startServerAcrossLink,
  type FetchedPlane,
  type FollowedItem,
  type ServerAcrossLink,
} from "../helpers/link/index.js";
import { readDiskImages } from "../helpers/relay-results.js";

const runs = await requireLink("shaped-link previews test");
const WELLS = ["A01", "A02", "B01", "B02"];
const TILE = 512;
/** 4 wells × 2 sites × 2 channels of 512² uint16: 16 planes, 8 MiB. */
const PLANES = WELLS.length * 2 * 2;
const RAW_BYTES = PLANES * TILE * TILE * 2;

describe.runIf(runs)("previews first over a 100 Mbit/s, 20 ms RTT link", () => {
  let across: ServerAcrossLink | undefined;
  let executionId = "";
  let previews: FollowedItem[] = [];

  beforeAll(async () => {
    across = await startServerAcrossLink({
      name: "link-previews",
      plate: { wells: WELLS, zPlanes: 1, tile: TILE },
    });
    const run = across.submitBeside();
    expect(await run.exited, run.stderr()).toBe(0);
    executionId = await run.executionId;
  });

  afterAll(async () => {
    await across?.close();
  });

  it("brings every image's preview across the link, and none of its pixels", async () => {
    if (across === undefined) throw new Error("no link");
    const { link } = across;
    const before = await link.userBytes();
    const started = performance.now();
    previews = await linesOf<FollowedItem>(across.follow(executionId), "item");
    const wallMs = performance.now() - started;
    const after = await link.userBytes();
    expect(previews.map((item) => item.kind)).toEqual(Array(PLANES).fill("preview"));
    expect(previews.every((item) => item.preview === 256 * 256)).toBe(true);
    expect(previews.reduce((sum, item) => sum + item.nbytes, 0)).toBe(RAW_BYTES);
    const down = after.rx - before.rx;
    const previewBytes = previews.reduce((sum, item) => sum + item.preview, 0);
    const wireBytes = previews.reduce((sum, item) => sum + item.wire, 0);
    // What crossed: the previews (Blosc-compressed) and the protocol around them, far from the
    // plate's pixels.
    expect(wireBytes).toBeLessThan(previewBytes);
    expect(down).toBeGreaterThanOrEqual(wireBytes);
    expect(down).toBeLessThan(RAW_BYTES / 4);
    console.log(
      `previews over the link: ${down} B down (${wireBytes} B of Blosc previews, ${previewBytes} B ` +
        `decoded) for ${RAW_BYTES} B of pixels ` +
        `(link_bytes ${(down / RAW_BYTES).toFixed(3)}), ${(wallMs / 1000).toFixed(2)} s wall`,
    );
  });

  it("fetchPlane brings each plane across, Blosc on the wire, bit-exact OpenHCS's TIFF", async () => {
    if (across === undefined) throw new Error("no link");
    const { link } = across;
    expect(previews).toHaveLength(PLANES);
    const before = await link.userBytes();
    const started = performance.now();
    const seqs = previews.map((item) => item.seq);
    const fetched = await linesOf<FetchedPlane>(across.follow(executionId, { seqs }), "plane");
    const wallMs = performance.now() - started;
    const after = await link.userBytes();
    const disk = await readDiskImages(previews.map((item) => item.path));
    for (const [index, plane] of fetched.entries()) {
      const path = previews[index]?.path ?? "";
      expect(plane.sha256, `seq ${plane.seq} (${path})`).toBe(disk[path]?.sha256);
      expect(plane.source).toBe("spool");
    }
    const encoded = fetched.reduce((sum, plane) => sum + plane.encoded, 0);
    const down = after.rx - before.rx;
    expect(down).toBeGreaterThanOrEqual(encoded);
    console.log(
      `planes over the link: ${down} B down, ${encoded} B Blosc for ${RAW_BYTES} B raw ` +
        `(ratio ${(RAW_BYTES / encoded).toFixed(2)}), ${(wallMs / 1000).toFixed(2)} s wall`,
    );
  });
});
