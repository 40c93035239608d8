/**
 * The result store through napari-ome-zarr's own reader (which, since 0.7, no longer goes
 * through ome_zarr's). napari is heavy and not in the project's .venv, so this runs only when
 * `OPENHCS_REMOTE_NAPARI_SITE` names a directory holding napari and napari-ome-zarr, e.g.
 * `pip install --target /tmp/napari-site napari napari-ome-zarr` (it is added to PYTHONPATH).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultStore } from "../../src/orchestrator/result-store/index.js";
import { runPythonJson } from "../helpers/python.js";
import { makeImage, sha256, tempStoreDir } from "../helpers/result-items.js";

const SITE = process.env.OPENHCS_REMOTE_NAPARI_SITE;

const READ = String.raw`
import contextlib, hashlib, json, sys, numpy as np
from napari_ome_zarr import napari_get_reader
out = {}
for path in sys.argv[1:]:
    with contextlib.redirect_stdout(sys.stderr):  # the reader prints what it finds
        layers = napari_get_reader(path)(path)
    data, kwargs, kind = layers[0]
    full = data[0] if isinstance(data, list) else data
    plane = np.asarray(full[0, 0, 0])
    out[path] = {"kind": kind, "shape": list(full.shape), "dtype": str(full.dtype),
                 "names": kwargs.get("name"), "contrast": kwargs.get("contrast_limits"),
                 "first": hashlib.sha256(np.ascontiguousarray(plane).tobytes()).hexdigest()}
print(json.dumps(out))
`;

describe.skipIf(SITE === undefined)("ResultStore opened by napari-ome-zarr", () => {
  let dir = "";
  let cleanup: () => Promise<void> = () => Promise.resolve();
  const a01 = makeImage({ well: "A01", channel: 1, channelName: "DAPI", shape: [8, 6] });
  const items = [
    a01,
    makeImage({ well: "A01", channel: 2, channelName: "GFP", shape: [8, 6], seq: 2 }),
    makeImage({ well: "B02", channel: 1, shape: [8, 6], seq: 3 }),
  ];
  type View = { kind: string; shape: number[]; dtype: string; names: string[]; first: string };
  let views: Record<string, View>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempStoreDir());
    const store = await ResultStore.create(dir);
    for (const item of items) await store.put(item);
    await store.close();
    const plate = `${dir}/normalize.ome.zarr`;
    views = await runPythonJson<Record<string, View>>(READ, {
      args: [plate, `${plate}/A/1/0`],
      env: { PYTHONPATH: SITE ?? "", QT_QPA_PLATFORM: "offscreen" },
      timeoutMs: 120_000,
    });
  }, 180_000);
  afterAll(() => cleanup());

  it("shows the plate as one image layer: wells tiled, channels named", () => {
    const view = views[`${dir}/normalize.ome.zarr`]!;
    expect(view.kind).toBe("image");
    expect(view.shape).toEqual([1, 2, 1, 2 * 8, 2 * 6]);
    expect(view.names.map((n) => n.split(": ").at(-1))).toEqual(["DAPI", "GFP"]);
  });

  it("shows a field with the pixels that were put", () => {
    const view = views[`${dir}/normalize.ome.zarr/A/1/0`]!;
    expect(view.shape).toEqual([1, 2, 1, 8, 6]);
    expect(view.dtype).toBe("uint16");
    expect(view.first).toBe(sha256(a01.data));
  });
});
