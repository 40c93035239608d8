/**
 * The result store over time: closed and reopened, a plane sent twice, puts that overlap on the
 * same plane, a store read by a second process while the first still writes.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ResultNotFoundError,
  ResultStore,
  ResultStoreStateError,
} from "../../src/orchestrator/result-store/index.js";
import {
  makeImage,
  makeShapes,
  planeKey,
  readStoreWithPython,
  sha256,
  tempStoreDir,
} from "../helpers/result-items.js";

/** Each test starts Python (zarr, ome_zarr, dask): seconds on a loaded machine. */
const PYTHON_TIMEOUT = { timeout: 120_000 };
let dir = "";
let cleanup: () => Promise<void> = () => Promise.resolve();
beforeEach(async () => {
  ({ dir, cleanup } = await tempStoreDir());
});
afterEach(() => cleanup());

describe("ResultStore closed and reopened", PYTHON_TIMEOUT, () => {
  it("keeps every plane, shape set, channel name and option", async () => {
    const first = [
      makeImage({ well: "B02", channel: 1, channelName: "DAPI", seq: 1 }),
      makeImage({ well: "B02", channel: 2, channelName: "GFP", seq: 2 }),
      makeImage({ well: "C05", site: 3, z: 2, seq: 3, dtype: "uint8" }),
    ];
    const store = await ResultStore.create(dir, { plateName: "p7", plateLayout: 96 });
    for (const item of first) await store.put(item);
    await store.put(makeShapes({ well: "B02", polygons: 3, seq: 4 }));
    await store.close();

    const reopened = await ResultStore.open(dir);
    expect(reopened.listImages()).toEqual(store.listImages());
    expect(reopened.listShapes()).toEqual(store.listShapes());
    for (const item of first) {
      const plane = await reopened.readPlane(item);
      expect(sha256(plane.data)).toBe(sha256(item.data));
      expect(plane.dtype).toBe(item.dtype);
    }
    expect((await reopened.readShapes({ well: "B02" })).shapes).toHaveLength(3);

    // Add a later run's planes, then read everything back from Python.
    const later = makeImage({ well: "B02", channel: 3, seq: 5 });
    await reopened.put(later);
    await reopened.close();
    const report = await readStoreWithPython(dir, reopened.listImages());
    const plate = report.plates["normalize.ome.zarr"]!;
    expect(plate.plate.name).toBe("p7 · normalize");
    // The 96-well layout from the first session: 8 rows, 12 columns.
    expect(plate.plate.rows).toHaveLength(8);
    expect(plate.plate.columns).toHaveLength(12);
    expect(plate.images["B/2/0"]!.channels).toEqual(["DAPI", "GFP", "Channel 3"]);
    expect(plate.images["B/2/0"]!.shape).toEqual([1, 3, 2, 12, 10]);
    expect(
      report.checksums[
        planeKey({ plate: "normalize.ome.zarr", image: "B/2/0", t: 0, c: 2, zIndex: 0 })
      ],
    ).toBe(sha256(later.data));
    expect(
      report.checksums[
        planeKey({ plate: "normalize.ome.zarr", image: "C/5/2", t: 0, c: 0, zIndex: 1 })
      ],
    ).toBe(sha256(first[2]!.data));
  });

  it("survives an index whose last line a crash cut short", async () => {
    const store = await ResultStore.create(dir);
    const item = makeImage({ well: "A01" });
    await store.put(item);
    await store.close();
    await appendFile(join(dir, "results.jsonl"), '{"kind":"image","step":"norm');

    const reopened = await ResultStore.create(dir);
    expect(reopened.listImages()).toHaveLength(1);
    const next = makeImage({ well: "A02", seq: 2 });
    await reopened.put(next);
    await reopened.close();
    const again = await ResultStore.open(dir);
    expect(again.listImages().map((e) => e.well)).toEqual(["A01", "A02"]);
  });

  it("refuses to open a directory that holds no store", async () => {
    await expect(ResultStore.open(dir)).rejects.toBeInstanceOf(ResultStoreStateError);
  });

  it("refuses puts after close", async () => {
    const store = await ResultStore.create(dir);
    await store.close();
    await expect(store.put(makeImage({ well: "A01" }))).rejects.toMatchObject({
      code: "ERR_RESULT_STORE_STATE",
    });
  });
});

describe("ResultStore given the same plane twice", PYTHON_TIMEOUT, () => {
  it("keeps the later one, on disk and in the index", async () => {
    const store = await ResultStore.create(dir);
    const older = makeImage({ well: "A01", seq: 1, seed: 1 });
    const newer = makeImage({ well: "A01", seq: 9, seed: 2 });
    await store.put(older);
    await store.put(newer);
    await store.close();
    expect(store.listImages().map((e) => e.seq)).toEqual([9]);
    const plane = await store.readPlane({ well: "A01" });
    expect(sha256(plane.data)).toBe(sha256(newer.data));
    const report = await readStoreWithPython(dir, store.listImages());
    expect(Object.values(report.checksums)).toEqual([sha256(newer.data)]);
    expect((await ResultStore.open(dir)).listImages().map((e) => e.seq)).toEqual([9]);
  });

  it("keeps the last call's plane when the puts overlap", async () => {
    const store = await ResultStore.create(dir);
    const versions = Array.from({ length: 12 }, (_, i) =>
      makeImage({ well: "D04", seq: i + 1, seed: 100 + i, shape: [256, 256] }),
    );
    await Promise.all(versions.map((item) => store.put(item)));
    await store.close();
    const last = versions.at(-1)!;
    expect(store.listImages().map((e) => e.seq)).toEqual([last.seq]);
    expect(sha256((await store.readPlane({ well: "D04" })).data)).toBe(sha256(last.data));
    const reopened = await ResultStore.open(dir);
    expect(reopened.listImages().map((e) => e.seq)).toEqual([last.seq]);
  });
});

describe("ResultStore read while a run still writes", PYTHON_TIMEOUT, () => {
  it("shows Python and ome_zarr's plate reader a valid plate before close", async () => {
    const store = await ResultStore.create(dir);
    const a01 = makeImage({ well: "A01", channel: 1 });
    await store.put(a01);
    await store.put(makeImage({ well: "B02", channel: 2, z: 3, seq: 2 }));
    const report = await readStoreWithPython(dir, store.listImages());
    expect(report.models["normalize.ome.zarr"]).toBe("ok");
    // Every image of a plate has the plate's extent, even mid-run: ome_zarr (napari) stitches
    // the wells into one mosaic and refuses images of different shapes.
    const images = report.plates["normalize.ome.zarr"]!.images;
    expect(images["A/1/0"]!.shape).toEqual([1, 2, 3, 12, 10]);
    expect(images["B/2/0"]!.shape).toEqual([1, 2, 3, 12, 10]);
    expect(report.ome_zarr["normalize.ome.zarr"]!.shape).toEqual([1, 2, 3, 2 * 12, 2 * 10]);
    expect(Object.values(report.ome_zarr["normalize.ome.zarr"]!.checksums)).toContain(
      sha256(a01.data),
    );
    await store.close();
  });

  it("reports a plane it does not hold as not found", async () => {
    const store = await ResultStore.create(dir);
    await store.put(makeImage({ well: "A01" }));
    await expect(store.readPlane({ well: "A01", channel: 2 })).rejects.toBeInstanceOf(
      ResultNotFoundError,
    );
    await expect(store.readPlane({ well: "A01", step: "other" })).rejects.toThrow(/step 'other'/);
    await store.close();
  });
});
