"""Validate one OpenHCS viewer batch (JSON) into items the relay can store.

The shape of a batch is what polystore 0.2.19 builds in
``StreamingBatchMessageBuilder.build`` (``polystore/streaming/_streaming_backend.py``)
with the field names of zmqruntime's ``ViewerWireField``. Nothing here reads
pixels: shared-memory blocks are attached later, after the whole batch is valid.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from openhcs_remote.server.relay.config import RelayLimits
from openhcs_remote.server.relay.relay_errors import BatchRejectedError, BatchTooLargeError
from openhcs_remote.server.relay.shapes import Shape, imagej_rois, napari_shapes
from openhcs_remote.server.relay.wire_checks import (
    Scalar,
    require_int,
    require_json,
    require_list,
    require_mapping,
    require_str,
    scalar_mapping,
)

_E = BatchRejectedError
#: POSIX shared-memory names polystore makes: ``napari_`` or ``fiji_`` + 12 hex digits.
SHM_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
ALLOWED_DTYPE_KINDS = frozenset("biufc")
IMAGE_TYPES = frozenset({"image"})
SHAPE_TYPES = frozenset({"shapes", "points", "rois"})
#: Optional per-item fields that change how a client reads the pixel array.
PASSTHROUGH = ("plane_axis", "plane_component_values", "source_channel_axis")


@dataclass
class IncomingItem:
    """One validated batch item, before any pixels are read."""

    index: int
    kind: str  # "image" or "shapes"
    data_type: str
    path: str
    image_id: str
    components: dict[str, Scalar]
    producer: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    shape: tuple[int, ...] = ()
    dtype: np.dtype | None = None
    shm_name: str | None = None
    inline: np.ndarray | None = None
    shapes: list[Shape] = field(default_factory=list)
    shape_source: str | None = None

    @property
    def nbytes(self) -> int:
        """Pixel bytes (0 for shapes)."""
        if self.dtype is None:
            return 0
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize


@dataclass
class IncomingBatch:
    """A validated batch: its items and the display names of component values."""

    items: list[IncomingItem]
    component_names: dict[str, dict[str, str]]


def parse_batch(raw: bytes, limits: RelayLimits) -> IncomingBatch:
    """Decode and validate one batch message.

    Raises
    ------
    BatchRejectedError
        The message is not a valid batch; the error names the field.
    BatchTooLargeError
        The message breaks a size limit.
    """
    if len(raw) > limits.max_batch_json_bytes:
        raise BatchTooLargeError(
            f"batch message is {len(raw)} bytes, limit {limits.max_batch_json_bytes}"
        )
    try:
        message = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchRejectedError(f"batch is not UTF-8 JSON: {error}") from error
    body = require_mapping(message, "batch", _E, max_keys=64)
    if body.get("type") != "batch":
        raise BatchRejectedError(f"type is {body.get('type')!r}, expected 'batch'", field="type")
    images = require_list(body.get("images"), "images", _E, max_len=1 << 62)
    if len(images) > limits.max_batch_items:
        raise BatchTooLargeError(
            f"batch has {len(images)} items, limit {limits.max_batch_items}", field="images"
        )
    items = [_item(entry, index, limits) for index, entry in enumerate(images)]
    pixel_bytes = sum(item.nbytes for item in items)
    if pixel_bytes > limits.max_batch_pixel_bytes:
        raise BatchTooLargeError(
            f"batch pixels are {pixel_bytes} bytes, limit {limits.max_batch_pixel_bytes}",
            field="images",
        )
    return IncomingBatch(items, _component_names(body.get("component_names_metadata", {})))


def _component_names(value: Any) -> dict[str, dict[str, str]]:
    names = require_mapping(value, "component_names_metadata", _E, max_keys=64)
    result: dict[str, dict[str, str]] = {}
    for component, table in names.items():
        where = f"component_names_metadata.{component}"
        entries = scalar_mapping(table, where, _E, max_keys=100_000)
        result[component] = {key: str(name) for key, name in entries.items() if name is not None}
    return result


def _item(value: Any, index: int, limits: RelayLimits) -> IncomingItem:
    where = f"images[{index}]"
    raw = require_mapping(value, where, _E, max_keys=64)
    data_type = require_str(raw.get("data_type"), f"{where}.data_type", _E, max_len=32)
    if data_type not in IMAGE_TYPES | SHAPE_TYPES:
        raise BatchRejectedError(f"unknown data_type {data_type!r}", field=f"{where}.data_type")
    item = IncomingItem(
        index=index,
        kind="image" if data_type in IMAGE_TYPES else "shapes",
        data_type=data_type,
        path=require_str(raw.get("path"), f"{where}.path", _E),
        image_id=require_str(raw.get("image_id"), f"{where}.image_id", _E, max_len=200),
        components=scalar_mapping(raw.get("metadata"), f"{where}.metadata", _E),
        producer=require_json(
            dict(
                require_mapping(raw.get("producer_identity", {}), f"{where}.producer_identity", _E)
            ),
            f"{where}.producer_identity",
            _E,
            depth=2,
        ),
        extra={
            key: require_json(raw[key], f"{where}.{key}", _E, depth=4)
            for key in PASSTHROUGH
            if raw.get(key) is not None
        },
    )
    if item.kind == "image":
        _image(item, raw, where, limits)
    elif "rois" in raw:
        item.shapes = imagej_rois(
            raw["rois"], f"{where}.rois", max_shapes=limits.max_shapes_per_item
        )
        item.shape_source = "imagej_roi"
    else:
        item.shapes = napari_shapes(
            raw.get("shapes"), f"{where}.shapes", max_shapes=limits.max_shapes_per_item
        )
        item.shape_source = "napari"
    return item


def _image(item: IncomingItem, raw: Any, where: str, limits: RelayLimits) -> None:
    dims = require_list(raw.get("shape"), f"{where}.shape", _E, max_len=limits.max_ndim)
    if not dims:
        raise BatchRejectedError("must have at least one dimension", field=f"{where}.shape")
    item.shape = tuple(
        require_int(d, f"{where}.shape[{i}]", _E, low=1, high=1 << 40) for i, d in enumerate(dims)
    )
    dtype_name = require_str(raw.get("dtype"), f"{where}.dtype", _E, max_len=32)
    try:
        dtype = np.dtype(dtype_name)
    except TypeError as error:
        raise BatchRejectedError(f"unknown dtype {dtype_name!r}", field=f"{where}.dtype") from error
    if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.byteorder == ">":
        raise BatchRejectedError(f"unsupported dtype {dtype_name!r}", field=f"{where}.dtype")
    item.dtype = dtype.newbyteorder("<") if dtype.byteorder == "=" else dtype
    if item.nbytes > limits.max_image_bytes:
        raise BatchTooLargeError(
            f"image is {item.nbytes} bytes, limit {limits.max_image_bytes}", field=f"{where}.shape"
        )
    has_shm, has_data = raw.get("shm_name") is not None, raw.get("data") is not None
    if has_shm == has_data:
        raise BatchRejectedError("needs exactly one of shm_name or data", field=f"{where}.shm_name")
    if has_shm:
        name = require_str(raw["shm_name"], f"{where}.shm_name", _E, max_len=200)
        if not SHM_NAME.match(name):
            raise BatchRejectedError(f"invalid block name {name!r}", field=f"{where}.shm_name")
        item.shm_name = name
        return
    count = int(np.prod(item.shape, dtype=np.int64))
    if count > limits.max_inline_elements:
        raise BatchTooLargeError(
            f"inline image has {count} elements, limit {limits.max_inline_elements}",
            field=f"{where}.data",
        )
    try:
        array = np.array(raw["data"], dtype=item.dtype)
    except (TypeError, ValueError, OverflowError) as error:
        raise BatchRejectedError(
            f"is not a numeric array: {error}", field=f"{where}.data"
        ) from error
    if array.shape != item.shape:
        raise BatchRejectedError(
            f"has shape {list(array.shape)}, declared {list(item.shape)}", field=f"{where}.data"
        )
    item.inline = np.ascontiguousarray(array)
