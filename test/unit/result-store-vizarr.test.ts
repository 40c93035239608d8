/**
 * The result store as vizarr opens it: vizarr reads OME-Zarr over HTTP with zarrita's
 * FetchStore, takes the NGFF 0.5 metadata from the `ome` attribute, and walks plate → first
 * well → first field → lowest resolution before fetching chunks. This test walks the same path
 * over a local HTTP server (vizarr itself is a browser app and is not run here).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, normalize } from "node:path";
import * as zarr from "zarrita";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultStore } from "../../src/orchestrator/result-store/index.js";
import { makeImage, sha256, tempStoreDir } from "../helpers/result-items.js";

/** A static file server for `root` on 127.0.0.1, with the CORS header vizarr needs. */
async function serve(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    const file = join(root, path);
    response.setHeader("Access-Control-Allow-Origin", "*");
    stat(file).then(
      (info) => {
        if (!info.isFile()) throw new Error("not a file");
        response.writeHead(200, { "Content-Length": info.size });
        createReadStream(file).pipe(response);
      },
      () => {
        response.writeHead(404).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}`, server };
}

interface OmeAttrs {
  ome: {
    plate?: { wells: { path: string }[]; rows: { name: string }[]; columns: { name: string }[] };
    well?: { images: { path: string }[] };
    multiscales?: { axes: { name: string }[]; datasets: { path: string }[] }[];
    omero?: {
      channels: { label: string; color: string; window: { start: number; end: number } }[];
    };
  };
}

describe("ResultStore opened the way vizarr opens a plate", () => {
  const items = [1, 2].flatMap((channel) =>
    ["B02", "B04"].map((well, i) =>
      makeImage({
        well,
        channel,
        channelName: ["DAPI", "GFP"][channel - 1],
        seq: channel * 10 + i,
      }),
    ),
  );
  let dir = "";
  let cleanup: () => Promise<void> = () => Promise.resolve();
  let http: { url: string; server: Server };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempStoreDir());
    const store = await ResultStore.create(dir);
    await Promise.all(items.map((item) => store.put(item)));
    await store.close();
    http = await serve(dir);
  });
  afterAll(async () => {
    await new Promise((resolve) => http.server.close(resolve));
    await cleanup();
  });

  it("finds the plate, its first well's first field, and fetches its channels' pixels", async () => {
    const store = new zarr.FetchStore(`${http.url}/normalize.ome.zarr`);
    const plate = await zarr.open(store, { kind: "group" });
    const plateAttrs = (plate.attrs as unknown as OmeAttrs).ome.plate!;
    expect(plateAttrs.rows.map((r) => r.name)).toEqual(["A", "B"]);
    expect(plateAttrs.columns.map((c) => c.name)).toEqual(["1", "2", "3", "4"]);

    const well = await zarr.open(plate.resolve(plateAttrs.wells[0]!.path), { kind: "group" });
    const imagePath = (well.attrs as unknown as OmeAttrs).ome.well!.images[0]!.path;
    const image = await zarr.open(well.resolve(imagePath), { kind: "group" });
    const ome = (image.attrs as unknown as OmeAttrs).ome;
    expect(ome.multiscales![0]!.axes.map((a) => a.name)).toEqual(["t", "c", "z", "y", "x"]);
    expect(ome.omero!.channels.map((c) => c.label)).toEqual(["DAPI", "GFP"]);
    for (const channel of ome.omero!.channels) {
      expect(channel.color).toMatch(/^[0-9A-F]{6}$/);
      expect(channel.window.end).toBeGreaterThan(channel.window.start);
    }

    const level = ome.multiscales![0]!.datasets.at(-1)!.path;
    const array = await zarr.open(image.resolve(level), { kind: "array" });
    expect(array.shape).toEqual([1, 2, 1, 12, 10]);
    for (const c of [0, 1]) {
      const plane = await zarr.get(array, [0, c, 0, null, null]);
      const data = plane.data as Uint16Array;
      const expected = items.find((item) => item.well === "B02" && item.channel === c + 1)!;
      expect(plane.shape).toEqual([12, 10]);
      expect(sha256(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))).toBe(
        sha256(expected.data),
      );
    }
  });
});
