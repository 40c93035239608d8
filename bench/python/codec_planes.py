"""The Python half of ``npm run bench -- codec``: demo-like planes, encoded by each candidate.

``codec_planes.py OUT_DIR TILE``
    Writes a synthetic plate as the demo's (``scripts/demo.sh``: 3 channels × 3 z-planes, 4
    sites, 40 cells; one well, ``TILE``-pixel tiles) with OpenHCS's own generator, reads its
    uint16 planes, and adds what the demo's first step streams: each z-stack through OpenHCS's
    ``stack_percentile_normalize``. Into OUT_DIR it writes ``raw.bin`` (every plane, back to
    back) and ``<candidate>.bin`` (every plane encoded, back to back), and prints one JSON line:
    the plane sizes, and per candidate the encoded sizes and the encode time (best of 3 passes).

The candidates are what the relay could send: one Blosc1 buffer (numcodecs' ``Blosc``, the
relay's ``fetch_plane`` encoding is the first), or a plain zstd frame after a byte shuffle.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numcodecs
import numpy as np
import tifffile


def blosc(cname: str, clevel: int) -> Callable[[np.ndarray], bytes]:
    codec = numcodecs.Blosc(cname=cname, clevel=clevel, shuffle=numcodecs.Blosc.SHUFFLE)
    return lambda plane: bytes(codec.encode(plane))


def shuffled_zstd(level: int) -> Callable[[np.ndarray], bytes]:
    zstd = numcodecs.Zstd(level=level)

    def encode(plane: np.ndarray) -> bytes:
        shuffle = numcodecs.Shuffle(elementsize=plane.dtype.itemsize)
        return bytes(zstd.encode(shuffle.encode(plane)))

    return encode


CANDIDATES: dict[str, Callable[[np.ndarray], bytes]] = {
    "blosc-zstd1": blosc("zstd", 1),
    "blosc-zstd3": blosc("zstd", 3),
    "blosc-lz4": blosc("lz4", 5),
    "shuffle+zstd1": shuffled_zstd(1),
}


def demo_planes(tile: int) -> list[np.ndarray]:
    """The plate's planes, then the demo's normalized z-stacks (uint16, C order)."""
    from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize
    from openhcs_remote.server.synthetic_plate import SyntheticPlateSpec, write_synthetic_plate

    with tempfile.TemporaryDirectory(prefix="ohr-codec-plate-") as folder:
        spec = SyntheticPlateSpec(
            wells=("A01",), sites=4, channels=3, z_planes=3, tile_size=(tile, tile), cells=40
        )
        plate = write_synthetic_plate(Path(folder), spec)
        files = sorted(plate.rglob("*.tif"))
        raw = [np.ascontiguousarray(tifffile.imread(file), dtype=np.uint16) for file in files]
    stacks: dict[str, list[np.ndarray]] = {}
    for file, plane in zip(files, raw, strict=True):
        # A01_s1_w1_z001 → one stack per (site, channel) over z.
        stacks.setdefault(file.stem.split("_z")[0] + file.parent.name, []).append(plane)
    normalized = [
        np.ascontiguousarray(plane, dtype=np.uint16)
        for stack in stacks.values()
        for plane in stack_percentile_normalize(np.stack(stack))
    ]
    return raw + normalized


def main(out_dir: Path, tile: int) -> None:
    planes = demo_planes(tile)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "raw.bin").write_bytes(b"".join(plane.tobytes() for plane in planes))
    summary: dict[str, object] = {
        "planes": [{"shape": list(plane.shape), "nbytes": plane.nbytes} for plane in planes],
        "candidates": {},
    }
    for name, encode in CANDIDATES.items():
        best = float("inf")
        encoded: list[bytes] = []
        for _ in range(3):
            started = time.perf_counter()
            encoded = [encode(plane) for plane in planes]
            best = min(best, time.perf_counter() - started)
        (out_dir / f"{name}.bin").write_bytes(b"".join(encoded))
        summary["candidates"][name] = {  # type: ignore[index]
            "sizes": [len(buffer) for buffer in encoded],
            "encode_s": best,
        }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
