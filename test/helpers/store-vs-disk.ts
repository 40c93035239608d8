/**
 * OpenHCS's output TIFFs next to a result store's planes, both as SHA-256 of their pixels, read
 * by Python (tifffile, zarr), and the check that every TIFF has its twin in the store: the
 * yardstick of "every plane bit-exact" for tests that run a real pipeline.
 */
import { expect } from "vitest";
import { runPythonJson } from "./python.js";

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

/**
 * Planes keyed `row/col/site/t/c/z`: `disk` maps to `[file, dtype, sha256]`, `stored` (keyed
 * `<step plate>|row/col/...`) to `[dtype, sha256]`.
 */
export interface StoreVsDisk {
  readonly disk: Record<string, [string, string, string]>;
  readonly stored: Record<string, [string, string]>;
}

/** Read the store in `storeDir` and OpenHCS's TIFFs under `outputDir` (`<plate>_openhcs`). */
export function compareStoreWithDisk(storeDir: string, outputDir: string): Promise<StoreVsDisk> {
  return runPythonJson<StoreVsDisk>(COMPARE, { args: [storeDir, outputDir], timeoutMs: 120_000 });
}

/** Assert that there are TIFFs and that each one's pixels are in the store, in some step's plate. */
export function expectEveryTiffStored(compared: StoreVsDisk): void {
  expect(Object.keys(compared.disk).length).toBeGreaterThan(0);
  for (const [key, [file, dtype, hash]] of Object.entries(compared.disk)) {
    const matches = Object.entries(compared.stored).filter(([k]) => k.endsWith(`|${key}`));
    expect(
      matches.map(([, v]) => v),
      file,
    ).toContainEqual([dtype, hash]);
  }
}
