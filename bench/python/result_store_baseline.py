"""Baseline for ``bench/result-store.ts``: zarr-python writing the same planes.

Usage: ``python result_store_baseline.py DIR PLANES HEIGHT WIDTH``. Writes PLANES uint16 planes
of HEIGHT x WIDTH into one Zarr v3 array (t, c, z, y, x) chunked one plane per chunk,
uncompressed, plane by plane (as a Python receiver would), and prints
``{"seconds": ..., "bytes": ...}`` for the writes alone.
"""

import json
import sys
import time

import numpy as np
import zarr


def main() -> None:
    """Write the planes and print the timing."""
    out, planes, height, width = sys.argv[1], *map(int, sys.argv[2:5])
    plane = np.random.default_rng(1).integers(0, 4096, (height, width), dtype=np.uint16)
    array = zarr.create_array(
        out,
        shape=(1, 1, planes, height, width),
        chunks=(1, 1, 1, height, width),
        dtype="uint16",
        compressors=None,
        fill_value=0,
        zarr_format=3,
    )
    start = time.perf_counter()
    for z in range(planes):
        array[0, 0, z] = plane
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "bytes": planes * plane.nbytes}, sys.stdout)


if __name__ == "__main__":
    main()
