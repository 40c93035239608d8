"""Write the plane-encoding vectors (docs/relay-stream-protocol.md §4.3) with Python numcodecs.

    .venv/bin/python test/vectors/plane-encoding/make_vectors.py

Each vector is a plane encoded exactly as the relay's ``fetch_plane`` does
(``numcodecs.Blosc(cname="zstd", clevel=1, shuffle=SHUFFLE)``, typesize = itemsize), unless
``cname`` says otherwise: ``<name>.blosc`` holds the encoded bytes, ``<name>.raw`` the plane's
raw little-endian C-order bytes, and ``vectors.json`` what each is (read by
test/unit/plane-encoding.test.ts). The pixels are seeded, so a rerun writes the same planes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numcodecs
import numpy as np

HERE = Path(__file__).parent


def plane(shape: tuple[int, int], dtype: str, seed: int) -> np.ndarray:
    """Blobs on a dim background with a little noise: compresses like a microscope plane."""
    rng = np.random.default_rng(seed)
    y, x = np.indices(shape)
    smooth = np.round((np.sin(x / 9.0) * np.cos(y / 7.0) + 1.0) * 8.0)  # 0..16, in steps
    noise = rng.integers(0, 4, shape)
    base = {"uint8": 10.0, "uint16": 100.0, "int16": -8.0, "float32": 0.5}[dtype]
    return np.ascontiguousarray((base + smooth * 3.0 + noise).astype(dtype))


VECTORS = [
    # name, shape, dtype, cname
    ("uint16-odd", (37, 53), "uint16", "zstd"),
    ("uint16-blocks", (160, 256), "uint16", "zstd"),  # several Blosc blocks
    ("uint16-tiny", (5, 7), "uint16", "zstd"),  # < 128 bytes: stored, not compressed
    ("uint8-odd", (61, 47), "uint8", "zstd"),
    ("float32-odd", (33, 29), "float32", "zstd"),
    ("int16-odd", (45, 31), "int16", "zstd"),
    ("uint16-lz4", (37, 53), "uint16", "lz4"),  # a compressor the client does not read
]


def main() -> None:
    entries = []
    for index, (name, shape, dtype, cname) in enumerate(VECTORS):
        array = plane(shape, dtype, seed=index)
        codec = numcodecs.Blosc(cname=cname, clevel=1, shuffle=numcodecs.Blosc.SHUFFLE)
        encoded = bytes(codec.encode(array))
        assert np.array_equal(np.frombuffer(codec.decode(encoded), dtype=dtype), array.ravel())
        (HERE / f"{name}.blosc").write_bytes(encoded)
        (HERE / f"{name}.raw").write_bytes(array.tobytes())
        entries.append(
            {
                "name": name,
                "dtype": dtype,
                "shape": list(shape),
                "nbytes": array.nbytes,
                "cname": cname,
                "encoded_bytes": len(encoded),
            }
        )
    document = {"numcodecs": numcodecs.__version__, "vectors": entries}
    text = json.dumps(document, indent=2)
    # As prettier writes it (short number arrays on one line), so `prettier --check` passes.
    text = re.sub(r"\[\s+(\d+),\s+(\d+)\s+\]", r"[\1, \2]", text)
    (HERE / "vectors.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
