"""Plate layout and channel names from OMERO, known before the first image arrives.

Reads a BlitzGateway-like connection (``omero.gateway.BlitzGateway``): ``getObject("Plate",
id)`` for the plate, its ``getGridSize()`` and wells (``listChildren()``, each with
``getWellPos()`` / ``getRow()`` / ``getColumn()``), and the channel labels of the first image of
the first well (``getImage(0).getChannelLabels()``). Only these calls are used, so any object
that offers them works (the tests use a small fake: OMERO itself is not installed here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .run_state import infer_layout
from .shim_errors import OmeroLayoutError


@dataclass(frozen=True)
class OmeroPlate:
    """What OMERO says about a plate."""

    plate_id: int
    name: str
    layout: dict[str, int]
    wells: tuple[str, ...]
    channel_names: tuple[str, ...]


def row_letters(index: int) -> str:
    """0 → ``"A"``, 25 → ``"Z"``, 26 → ``"AA"``."""
    name = ""
    index += 1
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def well_name(row: int, column: int) -> str:
    """OpenHCS's well id from 0-based indices: ``(1, 2)`` → ``"B03"``."""
    return f"{row_letters(row)}{column + 1:02d}"


def read_omero_plate(conn: Any, plate_id: int | str) -> OmeroPlate:
    """Read the layout, wells and channel names of an OMERO plate.

    Raises
    ------
    OmeroLayoutError
        The id is not a number, or OMERO has no such plate (or it cannot be read).
    """
    try:
        numeric_id = int(plate_id)
    except (TypeError, ValueError) as error:
        raise OmeroLayoutError(f"OMERO plate id must be a number, got {plate_id!r}") from error
    plate = conn.getObject("Plate", numeric_id)
    if plate is None:
        raise OmeroLayoutError(f"OMERO has no plate {numeric_id} visible to this connection")
    wells = [_well_name(well) for well in plate.listChildren()]
    grid = plate.getGridSize() or {}
    rows, columns = int(grid.get("rows") or 0), int(grid.get("columns") or 0)
    layout = {"rows": rows, "columns": columns} if rows and columns else infer_layout(wells)
    if layout is None:
        raise OmeroLayoutError(f"OMERO plate {numeric_id} has no grid size and no wells")
    return OmeroPlate(
        plate_id=numeric_id,
        name=str(plate.getName() or ""),
        layout=layout,
        wells=tuple(sorted(wells)),
        channel_names=tuple(_channel_names(plate)),
    )


def _well_name(well: Any) -> str:
    # Indices are unambiguous; getWellPos() follows the plate's naming convention ("1A", "A1").
    if hasattr(well, "getRow") and hasattr(well, "getColumn"):
        return well_name(int(well.getRow()), int(well.getColumn()))
    position = str(well.getWellPos())
    letters = "".join(c for c in position if c.isalpha())
    digits = "".join(c for c in position if c.isdigit())
    return f"{letters.upper()}{int(digits):02d}"


def _channel_names(plate: Any) -> list[str]:
    for well in plate.listChildren():
        image = well.getImage(0)
        if image is not None:
            return [str(label) for label in image.getChannelLabels()]
    return []
