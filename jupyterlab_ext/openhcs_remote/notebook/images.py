"""Result planes as the notebook sees them: their coordinates, and arrays fetched on demand.

Pixels stay in the sidecar's store on disk until asked for; a fetch crosses the stdio link as
raw bytes and becomes a NumPy array without a copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

COORDINATES = ("well", "site", "channel", "z", "timepoint", "step")


class ImageKey(NamedTuple):
    """Where a plane sits: well, 1-based site / channel / z / timepoint, and the step."""

    well: str
    site: int | None
    channel: int | None
    z: int | None
    timepoint: int | None
    step: str | None

    @classmethod
    def of(cls, entry: dict[str, Any]) -> ImageKey:
        """Build a key from a wire dict (extra fields are ignored)."""
        return cls(*(entry.get(name) for name in COORDINATES))

    def as_dict(self) -> dict[str, Any]:
        """Return the key as the wire's ``{well, site, channel, z, timepoint, step}``."""
        return self._asdict()

    def matches(self, filters: dict[str, Any]) -> bool:
        """Whether every given filter (a value or a collection of values) holds."""
        for name, wanted in filters.items():
            value = getattr(self, name)
            if isinstance(wanted, (list, tuple, set, frozenset, range)):
                if value not in wanted:
                    return False
            elif value != wanted:
                return False
        return True


def check_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` filters; refuse names that are not coordinates."""
    unknown = set(filters) - set(COORDINATES)
    if unknown:
        raise TypeError(f"unknown image filter(s) {sorted(unknown)}; use {list(COORDINATES)}")
    return {name: value for name, value in filters.items() if value is not None}


def sort_keys(keys: Iterable[ImageKey]) -> list[ImageKey]:
    """Plate order: step, well, site, channel, z, timepoint (``None`` first)."""

    def order(key: ImageKey) -> tuple[Any, ...]:
        return (
            key.step or "",
            key.well,
            *((value is not None, value or 0) for value in key[1:5]),
        )

    return sorted(keys, key=order)


def plane_array(result: dict[str, Any], payload: bytes | bytearray | None) -> np.ndarray:
    """Turn a ``fetch_plane`` reply into an array (little-endian, C order, as sent)."""
    dtype = np.dtype(str(result["dtype"])).newbyteorder("<")
    shape = tuple(int(n) for n in result["shape"])
    data = payload if payload is not None else b""
    array = np.frombuffer(data, dtype=dtype)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"plane of {array.size} values does not fit shape {shape}")
    return array.reshape(shape)


@dataclass(frozen=True)
class StoredImage:
    """An image the sidecar has stored: what ``on_image`` callbacks receive.

    ``read()`` fetches the full-resolution plane(s) from the sidecar's store.
    """

    key: ImageKey
    seq: int
    shape: tuple[int, ...]
    dtype: str
    component_names: dict[str, Any] = field(default_factory=dict)
    _reader: Callable[[ImageKey], np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )

    def read(self) -> np.ndarray:
        """Fetch the full-resolution plane, as a NumPy array."""
        if self._reader is None:
            raise RuntimeError("this image has no reader")
        return self._reader(self.key)
