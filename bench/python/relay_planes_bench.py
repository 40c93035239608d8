"""The planes benchmark's Python half: the relay's preview of a 2048² uint16 plane, and Blosc on
the demo plate's uint16 planes (what ``fetch_plane`` sends with ``encoding: "blosc"``).

Prints one JSON line: ``preview_ms`` (median of REPEATS, ``previews.py``), ``blosc_ratio``
(encoded / raw bytes over the plate), ``blosc_mb_s`` and, measured in the same run as a baseline,
``copy_mb_s`` (NumPy copying the same planes). Usage: relay_planes_bench.py REPEATS

``relay_planes_bench.py churn default|kept REPEATS``: 512² uint16 previews made as in the relay,
each batch of 8 after ingest-like copies of its planes are made and freed, with glibc's
allocator as it comes or with the relay's ``keep_freed_buffers``; prints ``cpu_ms`` (the
thread's CPU per preview, median) and ``faults`` (minor page faults per preview).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numcodecs
import numpy as np
import tifffile
from openhcs_remote.server.relay.previews import make_preview
from openhcs_remote.server.synthetic_plate import SyntheticPlateSpec, write_synthetic_plate

#: scripts/demo.sh's plate.
DEMO = SyntheticPlateSpec(
    wells=("A01", "A02", "B01", "B02"),
    sites=4,
    channels=3,
    z_planes=3,
    tile_size=(128, 128),
    cells=40,
)


def _median_seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def churn(mode: str, repeats: int) -> None:
    """Previews of 512² planes between ingest-like copies (see the module's docstring)."""
    import resource

    if mode == "kept":
        from openhcs_remote.server.relay.allocator import keep_freed_buffers

        if not keep_freed_buffers():
            raise SystemExit("this C library takes no allocator settings")
    rng = np.random.default_rng(2)
    batch = [rng.normal(1000, 200, (512, 512)).clip(0, 65535).astype("<u2") for _ in range(8)]
    cpu_ms = []
    faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(repeats):
        copies = [bytes(plane.data) for plane in batch]  # ingest copies the blocks, then frees
        for data in copies:
            started = time.thread_time()
            make_preview([512, 512], "uint16", data)
            cpu_ms.append((time.thread_time() - started) * 1000)
        del copies
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
    print(json.dumps({"cpu_ms": statistics.median(cpu_ms), "faults": faults / len(cpu_ms)}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "churn":
        churn(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 40)
        return
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rng = np.random.default_rng(1)
    plane = rng.normal(1000, 200, (2048, 2048)).clip(0, 65535).astype("<u2")
    data = plane.tobytes()
    preview_s = _median_seconds(lambda: make_preview([2048, 2048], "uint16", data), repeats)

    with tempfile.TemporaryDirectory() as folder:
        plate = write_synthetic_plate(Path(folder) / "plate", DEMO)
        planes = [tifffile.imread(path) for path in sorted(plate.rglob("*.tif"))]
    planes = [p for p in planes if p.dtype == np.uint16 and p.ndim == 2]
    codec = numcodecs.Blosc(cname="zstd", clevel=1, shuffle=numcodecs.Blosc.SHUFFLE)
    raw = sum(p.nbytes for p in planes)
    encoded = sum(len(codec.encode(p)) for p in planes)
    blosc_s = _median_seconds(lambda: [codec.encode(p) for p in planes], repeats)
    copy_s = _median_seconds(lambda: [p.copy() for p in planes], repeats)
    print(
        json.dumps(
            {
                "preview_ms": preview_s * 1000,
                "planes": len(planes),
                "plane_shape": list(planes[0].shape),
                "blosc_ratio": encoded / raw,
                "blosc_mb_s": raw / blosc_s / 1e6,
                "copy_mb_s": raw / copy_s / 1e6,
            }
        )
    )


if __name__ == "__main__":
    main()
