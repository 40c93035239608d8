/**
 * What the result store does with items beyond plain 2-D planes: stacks with a leading plane
 * axis, dtypes zarrita cannot encode (float16, complex), zstd chunks, ROI shapes — each read
 * back with Python.
 */
import { readFile } from "node:fs/promises";
import * as zarr from "zarrita";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResultImage } from "../../src/orchestrator/result-image.js";
import { ResultStore, type StackedResultImage } from "../../src/orchestrator/result-store/index.js";
import { runPythonJson } from "../helpers/python.js";
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

const PLATE = "normalize.ome.zarr";

/** The bytes of plane `i` of a stack item. */
function planeOf(item: ResultImage, i: number, count: number): Uint8Array {
  const size = item.data.byteLength / count;
  return item.data.subarray(i * size, (i + 1) * size);
}

describe("ResultStore given a stack with a leading plane axis", PYTHON_TIMEOUT, () => {
  it("stores its planes as consecutive z from the item's z when nothing else is said", async () => {
    const store = await ResultStore.create(dir);
    const stack = makeImage({ well: "A01", z: 2, shape: [3, 8, 6] });
    await store.put(stack);
    await store.close();
    expect(store.listImages().map((e) => [e.z, e.zIndex])).toEqual([
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    const report = await readStoreWithPython(dir, store.listImages());
    for (let i = 0; i < 3; i++) {
      const key = planeKey({ plate: PLATE, image: "A/1/0", t: 0, c: 0, zIndex: i + 1 });
      expect(report.checksums[key]).toBe(sha256(planeOf(stack, i, 3)));
    }
    expect(report.plates[PLATE]!.images["A/1/0"]!.shape).toEqual([1, 1, 4, 8, 6]);
  });

  it("follows planeComponentValues when the item names the component its axis walks", async () => {
    const store = await ResultStore.create(dir);
    const stack: StackedResultImage = {
      ...makeImage({ well: "B02", channel: 1, shape: [2, 5, 7], dtype: "float32" }),
      planeComponentValues: { channel: [1, 3] },
    };
    await store.put(stack);
    await store.close();
    expect(store.listImages().map((e) => e.channel)).toEqual([1, 3]);
    const report = await readStoreWithPython(dir, store.listImages());
    const key = (c: number): string =>
      planeKey({ plate: PLATE, image: "B/2/0", t: 0, c, zIndex: 0 });
    expect(report.checksums[key(0)]).toBe(sha256(planeOf(stack, 0, 2)));
    expect(report.checksums[key(2)]).toBe(sha256(planeOf(stack, 1, 2)));
  });
});

describe("ResultStore given dtypes zarrita cannot encode", PYTHON_TIMEOUT, () => {
  it.each(["float16", "complex64"] as const)(
    "writes %s planes that Python zarr reads bit for bit",
    async (dtype) => {
      const store = await ResultStore.create(dir, { compression: "zstd" });
      const items = [1, 2].map((channel) =>
        makeImage({ well: "C03", channel, dtype, seq: channel, shape: [6, 4] }),
      );
      for (const item of items) await store.put(item);
      await store.close();
      const report = await readStoreWithPython(dir, store.listImages());
      expect(report.plates[PLATE]!.images["C/3/0"]!.dtype).toBe(dtype);
      expect(Object.values(report.checksums)).toEqual(items.map((i) => sha256(i.data)));
      const back = await store.readPlane({ well: "C03", channel: 2 });
      expect(sha256(back.data)).toBe(sha256(items[1]!.data));
    },
  );
});

describe("ResultStore without compression", PYTHON_TIMEOUT, () => {
  it.each(["uint16", "float32", "int16", "uint8"] as const)(
    "writes %s chunks byte for byte as zarrita's own zarr.set does",
    async (dtype) => {
      const store = await ResultStore.create(dir);
      const item = makeImage({ well: "A01", dtype, shape: [9, 7] });
      await store.put(item);
      await store.close();
      const written = await readFile(`${dir}/${PLATE}/A/1/0/0/c/0/0/0/0/0`);
      // The same plane through zarrita's encoder, into memory.
      const memory = new Map<string, Uint8Array>();
      const array = await zarr.create(zarr.root(memory).resolve("a"), {
        shape: [1, 1, 1, 9, 7],
        chunkShape: [1, 1, 1, 9, 7],
        dtype,
        codecs: [{ name: "bytes", configuration: { endian: "little" } }],
      });
      const View = {
        uint16: Uint16Array,
        float32: Float32Array,
        int16: Int16Array,
        uint8: Uint8Array,
      }[dtype];
      const data = new View(item.data.slice().buffer);
      await zarr.set(array, [0, 0, 0, null, null], { data, shape: [9, 7], stride: [7, 1] });
      expect(sha256(written)).toBe(sha256(memory.get("/a/c/0/0/0/0/0")!));
    },
  );
});

describe("ResultStore with zstd compression", PYTHON_TIMEOUT, () => {
  it("writes compressed chunks that Python zarr decodes to the same pixels", async () => {
    const store = await ResultStore.create(dir, { compression: "zstd" });
    // Smooth pixels compress; random ones would not show that compression happened.
    const smooth = makeImage({ well: "A01", dtype: "uint16", shape: [64, 64] });
    new Uint16Array(smooth.data.buffer).forEach((_, i, a) => (a[i] = i % 64));
    await store.put(smooth);
    await store.close();
    const report = await readStoreWithPython(dir, store.listImages());
    expect(Object.values(report.checksums)).toEqual([sha256(smooth.data)]);
    const codecs = await runPythonJson<string[]>(
      `import zarr, json, sys; a = zarr.open_array(sys.argv[1], mode="r"); ` +
        `print(json.dumps([c.to_dict()["name"] for c in a.metadata.codecs]))`,
      { args: [`${dir}/${PLATE}/A/1/0/0`] },
    );
    expect(codecs).toEqual(["bytes", "zstd"]);
    const chunk = await runPythonJson<number>(
      `import os, sys, json; print(json.dumps(os.path.getsize(sys.argv[1])))`,
      { args: [`${dir}/${PLATE}/A/1/0/0/c/0/0/0/0/0`] },
    );
    expect(chunk).toBeLessThan(smooth.data.byteLength / 4);
  });
});

describe("ResultStore given ROI shapes", PYTHON_TIMEOUT, () => {
  it("keeps them as JSON next to their image, readable from Zarr and from the store", async () => {
    const store = await ResultStore.create(dir);
    await store.put(makeImage({ well: "A02", site: 2, channel: 2 }));
    const rois = makeShapes({ well: "A02", site: 2, channel: 2, polygons: 4, seq: 2 });
    await store.put(rois);
    await store.close();
    expect(store.listShapes()).toMatchObject([
      { group: `${PLATE}/A/2/1/shapes/t0_c1_z0`, count: 4, well: "A02", site: 2, channel: 2 },
    ]);
    const doc = await store.readShapes({ well: "A02", site: 2, channel: 2 });
    expect(doc.shapes).toEqual(rois.shapes);
    expect(doc).toMatchObject({ execution_id: "run-1", seq: 2, step: "normalize" });
    const fromPython = await runPythonJson<{ shapes: unknown[]; members: string[] }>(
      `import json, sys, warnings, zarr
warnings.simplefilter("error")
image = zarr.open_group(sys.argv[1], mode="r")
members = sorted(name for name, _ in image.members(max_depth=None))
doc = image["shapes/t0_c1_z0"].attrs["openhcs_remote_shapes"]
print(json.dumps({"shapes": doc["shapes"], "members": members}))`,
      { args: [`${dir}/${PLATE}/A/2/1`] },
    );
    expect(fromPython.shapes).toEqual(rois.shapes);
    // Listing the image group in zarr raises no "not a Zarr component" warning.
    expect(fromPython.members).toEqual(["0", "shapes", "shapes/t0_c1_z0"]);
    const report = await readStoreWithPython(dir, store.listImages());
    expect(report.models[PLATE]).toBe("ok");
  });
});
