"""Vector payloads: Napari shape dicts and Fiji's base64 ImageJ ROIs, as one shape list.

OpenHCS sends ROIs inline in the batch. Its Napari backend sends
``{"type", "coordinates": [[y, x], ...], "metadata"}`` dicts; its Fiji backend
sends base64 ImageJ ``.roi`` files (polystore ``fiji_stream.py`` ``_prepare_rois_data``).
Clients get the first form whichever viewer OpenHCS believed it was talking to.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from openhcs_remote.server.relay.relay_errors import BatchRejectedError
from openhcs_remote.server.relay.wire_checks import (
    require_json,
    require_list,
    require_mapping,
    require_str,
)

Shape = dict[str, Any]
MAX_POINTS_PER_SHAPE = 1_000_000


def _coordinates(value: Any, field: str) -> list[list[float]]:
    rows = require_list(value, field, BatchRejectedError, max_len=MAX_POINTS_PER_SHAPE)
    result = []
    for index, row in enumerate(rows):
        row_list = require_list(row, f"{field}[{index}]", BatchRejectedError, max_len=8)
        if len(row_list) < 2:
            raise BatchRejectedError("needs at least (y, x)", field=f"{field}[{index}]")
        numbers = []
        for axis, number in enumerate(row_list):
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise BatchRejectedError("must be a number", field=f"{field}[{index}][{axis}]")
            if not math.isfinite(number):
                raise BatchRejectedError("non-finite number", field=f"{field}[{index}][{axis}]")
            numbers.append(float(number))
        result.append(numbers)
    return result


def napari_shapes(value: Any, field: str, *, max_shapes: int) -> list[Shape]:
    """Validate a Napari ``shapes`` list and return plain shape dicts."""
    shapes = require_list(value, field, BatchRejectedError, max_len=max_shapes)
    result = []
    for index, raw in enumerate(shapes):
        where = f"{field}[{index}]"
        shape = require_mapping(raw, where, BatchRejectedError)
        if "type" not in shape:
            raise BatchRejectedError("is required", field=f"{where}.type")
        result.append(
            {
                "type": require_str(shape["type"], f"{where}.type", BatchRejectedError, max_len=64),
                "coordinates": _coordinates(shape.get("coordinates"), f"{where}.coordinates"),
                "metadata": require_json(
                    dict(
                        require_mapping(
                            shape.get("metadata", {}), f"{where}.metadata", BatchRejectedError
                        )
                    ),
                    f"{where}.metadata",
                    BatchRejectedError,
                ),
            }
        )
    return result


def imagej_rois(value: Any, field: str, *, max_shapes: int) -> list[Shape]:
    """Decode Fiji's base64 ImageJ ROIs into shape dicts with ``[y, x]`` rows."""
    from roifile import ImagejRoi  # the library polystore itself writes them with

    encoded = require_list(value, field, BatchRejectedError, max_len=max_shapes)
    result = []
    for index, text in enumerate(encoded):
        where = f"{field}[{index}]"
        require_str(text, where, BatchRejectedError, max_len=64 * 1024 * 1024)
        try:
            roi = ImagejRoi.frombytes(base64.b64decode(text, validate=True))
            xy = roi.coordinates()
        except (binascii.Error, ValueError) as error:
            raise BatchRejectedError(f"is not a base64 ImageJ ROI: {error}", field=where) from error
        rows = [] if xy is None else [[float(y), float(x)] for x, y in xy.reshape(-1, 2)]
        result.append(
            {
                "type": roi.roitype.name.lower(),
                "coordinates": rows,
                "metadata": {"name": roi.name or None},
            }
        )
    return result
