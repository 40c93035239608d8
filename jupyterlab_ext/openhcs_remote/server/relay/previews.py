"""8-bit previews of result planes, made on the server host, byte for byte as the sidecar does.

``src/sidecar/previews.ts`` is the other implementation; ``test/vectors/relay-previews/`` holds
the proof that both make the same bytes.

The first 2-D plane of an image, block-averaged to a longest edge of at most 256 px, mapped
linearly from its 0.1 and 99.9 percentiles (NumPy-linear, of a regular sample of at most 2^18
values: every value up to 512²; by histogram for 8/16-bit integers) to 0..255, rounded as
JavaScript's ``Math.round``. Summation follows the TypeScript order (row by row, left to right in
each block) so float planes round identically too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PREVIEW_MAX_EDGE = 256
PREVIEW_LOW_PERCENTILE = 0.1
PREVIEW_HIGH_PERCENTILE = 99.9
PERCENTILE_SAMPLE = 1 << 18
#: Integer dtypes whose values fit a 65 536-bin histogram, with the offset that makes bins ≥ 0.
HISTOGRAM_OFFSET = {"bool": 0, "uint8": 0, "uint16": 0, "int8": 128, "int16": 32768}


@dataclass(frozen=True)
class Preview:
    """A preview and what a viewer needs to interpret it."""

    width: int
    height: int
    source_shape: tuple[int, int]
    value_min: float
    value_max: float
    #: ``width × height`` bytes, row-major.
    pixels: bytes

    def metadata(self) -> dict[str, object]:
        """Return the ``preview`` object of an item header (docs/relay-stream-protocol.md §4.2)."""
        return {
            "width": self.width,
            "height": self.height,
            "source_shape": list(self.source_shape),
            "value_min": self.value_min,
            "value_max": self.value_max,
        }


def first_plane(shape: list[int] | tuple[int, ...], dtype: str, data: bytes | memoryview):
    """Return the first ``[y, x]`` plane of an image (leading axes at index 0), or None."""
    if len(shape) < 2:
        return None
    height, width = int(shape[-2]), int(shape[-1])
    count = height * width
    if count == 0:
        return None
    numpy_dtype = np.dtype(np.uint8 if dtype == "bool" else dtype).newbyteorder("<")
    if len(data) < count * numpy_dtype.itemsize:
        return None
    values = np.frombuffer(data, dtype=numpy_dtype, count=count).reshape(height, width)
    if numpy_dtype.kind == "c":  # the magnitude, as plane-values.ts
        values = np.hypot(values.real.astype(np.float64), values.imag.astype(np.float64))
    return values


def make_preview(
    shape: list[int] | tuple[int, ...],
    dtype: str,
    data: bytes | memoryview,
    max_edge: int = PREVIEW_MAX_EDGE,
) -> Preview | None:
    """Make the preview of an image's first plane; None when it has no 2-D plane."""
    plane = first_plane(shape, dtype, data)
    if plane is None:
        return None
    low, high = percentiles(plane, dtype, PREVIEW_LOW_PERCENTILE, PREVIEW_HIGH_PERCENTILE)
    means = block_means(plane, dtype, max_edge)
    span = high - low
    with np.errstate(invalid="ignore", over="ignore"):
        if span > 0:
            scaled = ((means - low) / span) * 255.0
            pixels = np.clip(_js_round(scaled), 0, 255)
            pixels[np.isnan(pixels)] = 0  # NaN means and NaN arithmetic write 0, as Uint8Array
        else:
            pixels = np.where(means > low, 255.0, 0.0)
    height, width = means.shape
    return Preview(
        width=width,
        height=height,
        source_shape=(plane.shape[0], plane.shape[1]),
        value_min=float(low),
        value_max=float(high),
        pixels=pixels.astype(np.uint8).tobytes(),
    )


def _js_round(values: np.ndarray) -> np.ndarray:
    """Round as ``Math.round``: to the nearest integer, halves towards +∞.

    ``floor(x + 0.5)`` is wrong just below a half, and NumPy rounds halves to even.
    """
    floor = np.floor(values)
    return floor + ((values - floor) >= 0.5)


def block_means(plane: np.ndarray, dtype: str, max_edge: int) -> np.ndarray:
    """Means of ``f × f`` blocks (partial blocks at the edges too), NaN for blocks of NaN only."""
    height, width = plane.shape
    factor = max(1, math.ceil(max(width, height) / max_edge))
    if factor == 1:
        return plane.astype(np.float64)
    out_h, out_w = math.ceil(height / factor), math.ceil(width / factor)
    accumulator = _EXACT_ACCUMULATOR.get(dtype)
    if accumulator is not None and factor < 256:
        # Integer sums are exact in any order: add columns, then rows, of the whole plane.
        columns = np.zeros((height, out_w), dtype=accumulator)
        for dx in range(factor):
            part = plane[:, dx::factor]
            columns[:, : part.shape[1]] += part
        sums = np.zeros((out_h, out_w), dtype=accumulator)
        for dy in range(factor):
            part = columns[dy::factor]
            sums[: part.shape[0]] += part
        counts = np.outer(_bin_sizes(height, factor), _bin_sizes(width, factor))
        return sums / counts
    values = plane.astype(np.float64)
    nan = np.isnan(values)
    has_nan = bool(nan.any())
    if has_nan:
        values[nan] = 0.0  # adding +0.0 leaves every sum as skipping the value does
    sums = np.zeros((out_h, out_w))
    counts = np.zeros((out_h, out_w)) if has_nan else None
    # One offset at a time, in the TypeScript order (rows, then columns, within each block):
    # every block's float sum is accumulated exactly as the sequential loop does.
    for dy in range(factor):
        for dx in range(factor):
            part = values[dy::factor, dx::factor]
            rows, cols = part.shape
            if rows == 0 or cols == 0:
                continue
            sums[:rows, :cols] += part
            if counts is not None:
                counts[:rows, :cols] += ~nan[dy::factor, dx::factor]
    if counts is None:
        return sums / np.outer(_bin_sizes(height, factor), _bin_sizes(width, factor))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts == 0, np.nan, sums / counts)


#: Accumulators in which a block's integer sum is exact (for factors below 256).
_EXACT_ACCUMULATOR = {
    "bool": np.uint32,
    "uint8": np.uint32,
    "uint16": np.uint32,
    "int8": np.int32,
    "int16": np.int32,
    "uint32": np.uint64,
    "int32": np.int64,
}


def _bin_sizes(length: int, factor: int) -> np.ndarray:
    """How many pixels of an axis of ``length`` fall in each block (the last may be short)."""
    sizes = np.full(math.ceil(length / factor), factor, dtype=np.float64)
    sizes[-1] = length - factor * (sizes.size - 1)
    return sizes


def percentiles(plane: np.ndarray, dtype: str, low: float, high: float) -> tuple[float, float]:
    """Return the two percentiles (in 0..100) of the finite values, ``(0, 0)`` if none."""
    flat = plane.reshape(-1)
    stride = max(1, math.ceil(flat.size / PERCENTILE_SAMPLE))
    offset = HISTOGRAM_OFFSET.get(dtype)
    if offset is not None:
        sampled = flat[::stride].astype(np.intp)
        cumulative = np.cumsum(np.bincount(sampled + offset, minlength=65536))
        count = sampled.size
        return (
            _rank_value(cumulative, offset, count, low),
            _rank_value(cumulative, offset, count, high),
        )
    sample = flat[::stride].astype(np.float64)
    sample = np.sort(sample[np.isfinite(sample)])
    if sample.size == 0:
        return 0.0, 0.0
    return _interpolate(sample, low), _interpolate(sample, high)


def _rank_value(cumulative: np.ndarray, offset: int, count: int, percentile: float) -> float:
    rank = (percentile / 100) * (count - 1)
    below = math.floor(rank)
    lower = _value_at_rank(cumulative, below) - offset
    upper = _value_at_rank(cumulative, min(count - 1, below + 1)) - offset
    return lower + (upper - lower) * (rank - below)


def _value_at_rank(cumulative: np.ndarray, rank: int) -> int:
    """Return the first bin whose running count passes ``rank``."""
    return min(int(np.searchsorted(cumulative, rank, side="right")), cumulative.size - 1)


def _interpolate(ordered: np.ndarray, percentile: float) -> float:
    rank = (percentile / 100) * (ordered.size - 1)
    below = math.floor(rank)
    lower = float(ordered[below])
    upper = float(ordered[min(ordered.size - 1, below + 1)])
    return lower + (upper - lower) * (rank - below)
