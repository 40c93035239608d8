/**
 * The result store as the Python OME-Zarr stack sees it: images of four dtypes across steps,
 * wells, fields, channels, z-planes and timepoints, put in shuffled order with puts overlapping,
 * then read back with `zarr` and `ome_zarr`'s reader, and validated with `ome_zarr_models`
 * (napari-ome-zarr's own reader: result-store-napari.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultImage } from "../../src/orchestrator/result-image.js";
import type { Dtype } from "../../src/protocol/index.js";
import { ResultStore } from "../../src/orchestrator/result-store/index.js";
import {
  makeImage,
  planeKey,
  readStoreWithPython,
  sha256,
  shuffled,
  tempStoreDir,
  type PythonStoreReport,
} from "../helpers/result-items.js";

const SHAPE = [16, 24] as const; // not square, so y and x cannot be swapped unnoticed
const CHANNELS = ["DAPI", "GFP", "RFP"];

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Every image of one step: a full grid of wells × sites × channels × z × t. */
function stepImages(
  step: string,
  dtype: Dtype,
  wells: readonly string[],
  sizes: { sites: number; channels: number; z: number; t: number },
): ResultImage[] {
  return wells.flatMap((well) =>
    range(sizes.sites).flatMap((site) =>
      range(sizes.channels).flatMap((channel) =>
        range(sizes.z).flatMap((z) =>
          range(sizes.t).map((timepoint) =>
            makeImage({
              well,
              site,
              channel,
              z,
              timepoint,
              step,
              dtype,
              shape: SHAPE,
              channelName: CHANNELS[channel - 1],
            }),
          ),
        ),
      ),
    ),
  );
}

describe("ResultStore read back by Python zarr, ome_zarr and ome_zarr_models", () => {
  const items = [
    ...stepImages("normalize", "float32", ["A01", "A02", "B03"], {
      sites: 2,
      channels: 3,
      z: 2,
      t: 2,
    }),
    ...stepImages("raw", "uint16", ["A01", "B03"], { sites: 1, channels: 2, z: 1, t: 2 }),
    ...stepImages("denoise", "int16", ["A01", "B03"], { sites: 1, channels: 2, z: 1, t: 2 }),
    ...stepImages("segment", "uint8", ["A01", "B03"], { sites: 1, channels: 2, z: 1, t: 2 }),
  ].map((item, i) => ({ ...item, seq: i + 1 }));
  const expected = new Map<string, string>(); // "<plate>/<image>/t/c/z" → sha256
  let dir = "";
  let cleanup: () => Promise<void> = () => Promise.resolve();
  let report: PythonStoreReport;
  let store: ResultStore;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempStoreDir());
    store = await ResultStore.create(dir, { plateName: "screen" });
    // Eight puts in flight at a time, in an order unrelated to the plate layout.
    const order = shuffled(items, 7);
    for (let i = 0; i < order.length; i += 8) {
      await Promise.all(order.slice(i, i + 8).map((item) => store.put(item)));
    }
    await store.close();
    // Where each plane must land, worked out from the item alone (not from the store's index).
    const places = items.map((item) => ({
      plate: `${item.step!}.ome.zarr`,
      image: `${item.well[0]!}/${String(Number(item.well.slice(1)))}/${String(item.site! - 1)}`,
      t: item.timepoint! - 1,
      c: item.channel! - 1,
      zIndex: item.z! - 1,
    }));
    items.forEach((item, i) => expected.set(planeKey(places[i]!), sha256(item.data)));
    report = await readStoreWithPython(dir, places);
  }, 180_000);

  afterAll(() => cleanup());

  it("indexes every plane it was given, once", () => {
    expect(store.listImages()).toHaveLength(items.length);
    expect(new Set(store.listImages().map((e) => e.seq))).toEqual(new Set(items.map((i) => i.seq)));
  });

  it("gives Python zarr the same pixels, plane by plane", () => {
    expect(Object.keys(report.checksums)).toHaveLength(items.length);
    expect(report.checksums).toEqual(Object.fromEntries(expected));
  });

  it("gives ome_zarr's reader the same pixels, plane by plane", () => {
    const viaOmeZarr = Object.assign(
      {},
      ...Object.values(report.ome_zarr).map((p) => p.checksums),
    ) as Record<string, string>;
    expect(viaOmeZarr).toEqual(Object.fromEntries(expected));
  });

  it("writes one NGFF 0.5 plate per step, valid for ome_zarr_models", () => {
    expect(Object.keys(report.plates).sort()).toEqual([
      "denoise.ome.zarr",
      "normalize.ome.zarr",
      "raw.ome.zarr",
      "segment.ome.zarr",
    ]);
    for (const plate of Object.values(report.plates)) expect(plate.version).toBe("0.5");
    expect(report.models).toEqual({
      "denoise.ome.zarr": "ok",
      "normalize.ome.zarr": "ok",
      "raw.ome.zarr": "ok",
      "segment.ome.zarr": "ok",
    });
  });

  it("lists rows and columns from the wells seen, and wells and fields by path", () => {
    const { plate, wells } = report.plates["normalize.ome.zarr"]!;
    expect(plate.name).toBe("screen · normalize");
    expect(plate.rows.map((r) => r.name)).toEqual(["A", "B"]);
    expect(plate.columns.map((c) => c.name)).toEqual(["1", "2", "3"]);
    expect(plate.wells).toEqual([
      { path: "A/1", rowIndex: 0, columnIndex: 0 },
      { path: "A/2", rowIndex: 0, columnIndex: 1 },
      { path: "B/3", rowIndex: 1, columnIndex: 2 },
    ]);
    expect(plate.field_count).toBe(2);
    for (const well of ["A/1", "A/2", "B/3"]) {
      expect(wells[well]!.images).toEqual([{ path: "0" }, { path: "1" }]);
    }
    expect(Object.keys(report.plates["raw.ome.zarr"]!.wells)).toEqual(["A/1", "B/3"]);
  });

  it("describes each image as (t, c, z, y, x) with one plane per chunk and named channels", () => {
    const images = report.plates["normalize.ome.zarr"]!.images;
    expect(Object.keys(images).sort()).toEqual([
      "A/1/0",
      "A/1/1",
      "A/2/0",
      "A/2/1",
      "B/3/0",
      "B/3/1",
    ]);
    for (const image of Object.values(images)) {
      expect(image.axes).toEqual([
        { name: "t", type: "time" },
        { name: "c", type: "channel" },
        { name: "z", type: "space" },
        { name: "y", type: "space" },
        { name: "x", type: "space" },
      ]);
      expect(image.dimension_names).toEqual(["t", "c", "z", "y", "x"]);
      expect(image.shape).toEqual([2, 3, 2, ...SHAPE]);
      expect(image.chunks).toEqual([1, 1, 1, ...SHAPE]);
      expect(image.dtype).toBe("float32");
      expect(image.zarr_format).toBe(3);
      expect(image.channels).toEqual(CHANNELS);
    }
    const dtypes = Object.fromEntries(
      Object.entries(report.plates).map(([name, p]) => [name, p.images["A/1/0"]!.dtype]),
    );
    expect(dtypes).toEqual({
      "denoise.ome.zarr": "int16",
      "normalize.ome.zarr": "float32",
      "raw.ome.zarr": "uint16",
      "segment.ome.zarr": "uint8",
    });
  });

  it("sets each channel's contrast window to the values present in the plate", () => {
    const windows = report.plates["raw.ome.zarr"]!.images["A/1/0"]!.windows;
    for (const [c, window] of windows.entries()) {
      const planes = store.listImages().filter((e) => e.step === "raw" && e.c === c);
      expect(window.start).toBe(Math.min(...planes.map((p) => p.min!)));
      expect(window.end).toBe(Math.max(...planes.map((p) => p.max!)));
      expect([window.min, window.max]).toEqual([0, 65535]);
    }
  });

  it("builds a plate mosaic in ome_zarr's reader, one tile per well", () => {
    const view = report.ome_zarr["normalize.ome.zarr"]!;
    expect(view.spec).toBe("Plate");
    expect(view.dtype).toBe("float32");
    // 2 rows × 3 columns of wells, each showing its first field.
    expect(view.shape).toEqual([2, 3, 2, 2 * SHAPE[0], 3 * SHAPE[1]]);
  });
});
