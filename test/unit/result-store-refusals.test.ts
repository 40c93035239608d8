/**
 * Items the result store refuses: each with an error naming the field, and nothing stored.
 */
import { readdir } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResultImage } from "../../src/orchestrator/result-image.js";
import {
  ResultConflictError,
  ResultInputError,
  ResultStore,
} from "../../src/orchestrator/result-store/index.js";
import { isOhrError } from "../../src/protocol/ohr-error.js";
import { makeImage, makeShapes, tempStoreDir } from "../helpers/result-items.js";

let dir = "";
let cleanup: () => Promise<void> = () => Promise.resolve();
let store: ResultStore;
beforeEach(async () => {
  ({ dir, cleanup } = await tempStoreDir());
  store = await ResultStore.create(dir, { plateLayout: 96 });
});
afterEach(async () => {
  await store.close();
  await cleanup();
});

async function refusal(item: Parameters<ResultStore["put"]>[0]): Promise<unknown> {
  return store.put(item).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("ResultStore given an item that does not describe itself truthfully", () => {
  const good = makeImage({ well: "A01", shape: [4, 6], dtype: "uint16" });
  const cases: [string, ResultImage, string, RegExp][] = [
    [
      "fewer bytes than shape × dtype",
      { ...good, data: good.data.subarray(2) },
      "data",
      /46 bytes.*needs 48/,
    ],
    ["more bytes than shape × dtype", { ...good, dtype: "uint8" }, "data", /48 bytes.*needs 24/],
    ["a dtype NumPy does not have", { ...good, dtype: "uint12" as never }, "dtype", /uint12/],
    ["a one-dimensional shape", { ...good, shape: [48] }, "shape", /2 or more/],
    ["a zero in the shape", { ...good, shape: [0, 6] }, "shape", /positive/],
    [
      "two plane axes",
      { ...good, shape: [2, 2, 2, 3], dtype: "uint8", data: new Uint8Array(24) },
      "shape",
      /more than one plane axis/,
    ],
    ["a well that is not a plate position", { ...good, well: "" }, "well", /not a plate well/],
    [
      "a well outside the 96-well layout",
      { ...good, well: "J01" },
      "well",
      /outside the plate layout/,
    ],
    ["channel 0 (OpenHCS counts from 1)", { ...good, channel: 0 }, "channel", /1-based/],
    ["a fractional z", { ...good, z: 1.5 }, "z", /1-based/],
    ["a site beyond any plate", { ...good, site: 10_000_000 }, "site", /exceeds/],
  ];

  it.each(cases)(
    "refuses %s with ResultInputError naming the field",
    async (_, item, field, message) => {
      const error = await refusal(item);
      expect(error).toBeInstanceOf(ResultInputError);
      expect(isOhrError(error, "ERR_RESULT_INPUT")).toBe(true);
      expect(error).toMatchObject({ field, place: { executionId: "run-1", seq: 1 } });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(`${field}:`);
      expect(store.listImages()).toEqual([]);
      // Nothing was written for it: no plate directory appeared.
      expect((await readdir(dir)).filter((name) => name.endsWith(".ome.zarr"))).toEqual([]);
    },
  );

  it("refuses shapes whose coordinates are not points", async () => {
    const shapes = makeShapes({ well: "A01", polygons: 2 });
    const bad = {
      ...shapes,
      shapes: [shapes.shapes[0]!, { type: "polygon", coordinates: [[1, "x"]], metadata: {} }],
    } as unknown as typeof shapes;
    const error = await refusal(bad);
    expect(error).toMatchObject({ code: "ERR_RESULT_INPUT", field: "shapes[1].coordinates" });
    expect(store.listShapes()).toEqual([]);
  });
});

describe("ResultStore given an image that does not fit the field it names", () => {
  it("refuses another dtype for the same field and step with ResultConflictError", async () => {
    await store.put(makeImage({ well: "A01", dtype: "uint16" }));
    const error = await refusal(makeImage({ well: "A01", channel: 2, dtype: "float32", seq: 2 }));
    expect(error).toBeInstanceOf(ResultConflictError);
    expect(error).toMatchObject({ field: "dtype", stored: "uint16", received: "float32" });
    expect((error as Error).message).toContain("normalize.ome.zarr/A/1/0");
    expect(store.listImages().map((e) => e.seq)).toEqual([1]);
  });

  it("refuses another plane size for the same field and step", async () => {
    await store.put(makeImage({ well: "A01", shape: [8, 8] }));
    const error = await refusal(makeImage({ well: "A01", z: 2, shape: [8, 9], seq: 2 }));
    expect(error).toMatchObject({ code: "ERR_RESULT_CONFLICT", field: "shape" });
  });

  it("takes another dtype in another step or another field", async () => {
    await store.put(makeImage({ well: "A01", dtype: "uint16" }));
    await store.put(makeImage({ well: "A01", dtype: "float32", step: "segment", seq: 2 }));
    await store.put(makeImage({ well: "A01", site: 2, dtype: "uint8", seq: 3 }));
    expect(store.listImages().map((e) => e.dtype)).toEqual(["uint16", "uint8", "float32"]);
  });
});
