"""Shared test vectors of the 8-bit previews, made by the relay's ``previews.py``.

``python tests/preview_vectors.py`` writes ``test/vectors/relay-previews/*.json`` (then
``npx prettier --write test/vectors/relay-previews``); ``test_relay_previews.py`` checks the
files still equal what ``previews.py`` makes, and ``test/unit/relay-previews.test.ts`` that the
sidecar's ``makePreview`` makes the same bytes.

A plane is given as ``data_base64`` (little-endian bytes) or, when large, as a ``generator``
both languages compute in float64: value ``i`` (row-major) is
``((i * multiplier) % modulus) * scale + bias``, cast to the dtype, NaN where
``nan_every > 0 and i % nan_every == 0``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np

from openhcs_remote.server.relay.previews import make_preview

VECTOR_DIR = Path(__file__).resolve().parents[2] / "test" / "vectors" / "relay-previews"


def generate(shape: list[int], dtype: str, generator: dict[str, Any]) -> np.ndarray:
    """The plane a ``generator`` describes (see the module docstring)."""
    index = np.arange(int(np.prod(shape)), dtype=np.float64)
    values = np.mod(index * generator["multiplier"], generator["modulus"])
    values = values * generator["scale"] + generator["bias"]
    if generator.get("nan_every", 0) > 0:
        values[np.arange(index.size) % generator["nan_every"] == 0] = np.nan
    return values.astype(dtype).reshape(shape)


def _cases() -> dict[str, tuple[np.ndarray, dict[str, Any] | None]]:
    rng = np.random.default_rng(20261206)
    with_nan = rng.normal(100.0, 30.0, (37, 290)).astype(np.float32)
    with_nan[rng.random(with_nan.shape) < 0.05] = np.nan
    with_nan[:, 2:4] = np.nan  # whole blocks of NaN at factor 2
    # Percentiles exactly 0 and 255 and 2×2 means ending in .5: Math.round's halves go up.
    halves = rng.integers(0, 256, (60, 300), dtype=np.uint8)
    halves[:6], halves[-6:] = 0, 255
    uint16_gen = {"multiplier": 7919, "modulus": 60000, "scale": 1, "bias": 0}
    constant = {"multiplier": 0, "modulus": 1, "scale": 0, "bias": 777}
    float_gen = {"multiplier": 40503, "modulus": 65536, "scale": 1 / 7, "bias": -1000.0}
    return {
        "uint8-small": (rng.integers(0, 256, (5, 7), dtype=np.uint8), None),
        "uint8-halves-factor2": (halves, None),
        "uint8-odd-factor3": (rng.integers(0, 256, (19, 517), dtype=np.uint8), None),
        "uint16-odd-factor2": (rng.integers(0, 4096, (61, 301), dtype=np.uint16), None),
        "uint16-constant": (generate([40, 300], "uint16", constant), constant),
        "int16-negative": (rng.integers(-3000, 3000, (33, 270), dtype=np.int16), None),
        "float32-nan": (with_nan, None),
        "float32-all-nan": (np.full((3, 4), np.nan, dtype=np.float32), None),
        "float32-constant": (np.full((6, 9), 2.5, dtype=np.float32), None),
        "uint16-stack-3d": (rng.integers(0, 65535, (3, 12, 10), dtype=np.uint16), None),
        "float32-stack-3d": (rng.normal(0.0, 1.0, (2, 9, 300)).astype(np.float32), None),
        "uint16-1d-none": (np.arange(5, dtype=np.uint16), None),
        "uint16-generated-1030x517": (generate([517, 1030], "uint16", uint16_gen), uint16_gen),
        "float32-generated-sampled": (
            generate([300, 1100], "float32", {**float_gen, "nan_every": 1013}),
            {**float_gen, "nan_every": 1013},
        ),
    }


def build() -> dict[str, dict[str, Any]]:
    """Every vector file, by name."""
    built: dict[str, dict[str, Any]] = {}
    for name, (plane, generator) in _cases().items():
        data = plane.astype(plane.dtype.newbyteorder("<")).tobytes()
        preview = make_preview(list(plane.shape), plane.dtype.name, data)
        vector: dict[str, Any] = {"shape": list(plane.shape), "dtype": plane.dtype.name}
        if generator is None:
            vector["data_base64"] = base64.b64encode(data).decode()
        else:
            vector["generator"] = generator
        vector["expected"] = (
            None if preview is None else {**preview.metadata(), "pixels_hex": preview.pixels.hex()}
        )
        built[f"{name}.json"] = vector
    return built


def write() -> None:
    """Write every vector file."""
    VECTOR_DIR.mkdir(parents=True, exist_ok=True)
    for name, content in build().items():
        (VECTOR_DIR / name).write_text(json.dumps(content, indent=1) + "\n")


if __name__ == "__main__":
    write()
