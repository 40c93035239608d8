"""Write a small synthetic plate that OpenHCS reads, with OpenHCS's own generator.

The plate is in ImageXpress layout (an ``.HTD`` file and ``TimePoint_1/`` TIFFs):
wells × sites × channels × z-planes of uint16 cell-like images.
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SyntheticPlateSpec:
    """What to generate.

    Parameters
    ----------
    wells
        Well names, e.g. ``("A01", "A02")``.
    sites
        Fields per well; laid out as a near-square grid of overlapping tiles.
    channels
        Wavelengths (channels) per field.
    z_planes
        Z-levels per field (1 for no z-stack).
    tile_size
        Pixels per tile, (height, width).
    cells
        Cells per well.
    seed
        Random seed, so the same spec gives the same pixels.
    """

    wells: tuple[str, ...] = ("A01", "A02", "B01", "B02")
    sites: int = 2
    channels: int = 2
    z_planes: int = 1
    tile_size: tuple[int, int] = (64, 64)
    cells: int = 20
    seed: int = 1
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def grid(self) -> tuple[int, int]:
        """(rows, columns) of the site grid."""
        columns = math.ceil(math.sqrt(self.sites))
        rows = math.ceil(self.sites / columns)
        if rows * columns != self.sites:
            raise ValueError(f"sites={self.sites} does not fill a grid; use 1, 2, 4, 6, 9 …")
        return rows, columns


def write_synthetic_plate(directory: Path, spec: SyntheticPlateSpec | None = None) -> Path:
    """Generate the plate into ``directory`` (created) and return it.

    Raises
    ------
    ImportError
        ``openhcs`` is not installed in this environment.
    """
    from openhcs.demo.synthetic_data import SyntheticMicroscopyGenerator

    spec = spec or SyntheticPlateSpec()
    directory.mkdir(parents=True, exist_ok=True)
    # The generator narrates every tile on stdout; keep our own output readable.
    with contextlib.redirect_stdout(io.StringIO()):
        generator = SyntheticMicroscopyGenerator(
            output_dir=str(directory),
            grid_size=spec.grid,
            tile_size=spec.tile_size,
            wavelengths=spec.channels,
            z_stack_levels=spec.z_planes,
            num_cells=spec.cells,
            wells=list(spec.wells),
            random_seed=spec.seed,
            **spec.extra,  # type: ignore[arg-type]
        )
        generator.generate_dataset()
    return directory
