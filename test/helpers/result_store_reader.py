"""Read an openhcs-remote result store with the Python OME-Zarr stack and report it as JSON.

Usage: ``python result_store_reader.py STORE_DIR < planes.json``, where ``planes.json`` lists
``{"plate", "image", "t", "c", "z"}`` planes to checksum. Prints one JSON object:

- ``plates``: per plate directory, the plate attributes, each well's attributes and, per image,
  its axes, omero channel labels, array shape, chunk shape, dtype and Zarr format (``zarr``);
- ``checksums``: SHA-256 of each requested plane, read with ``zarr`` (little-endian bytes);
- ``ome_zarr``: per image, the SHA-256 of the same planes read through ``ome_zarr.reader`` (what
  ``ome_zarr view``/``info`` and older napari-ome-zarr use), and per plate the node kind and the
  shape/dtype of the plate mosaic it builds;
- ``models``: ``"ok"`` or the error of validating each plate with ``ome_zarr_models.v05``.

Warnings are errors: a reader that complains about the store fails the test.
"""

import hashlib
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import zarr
from ome_zarr.io import parse_url
from ome_zarr.reader import Reader
from ome_zarr_models.v05 import HCS

warnings.simplefilter("error")


def digest(plane: np.ndarray) -> str:
    """SHA-256 of a plane's little-endian C-order bytes."""
    little = np.ascontiguousarray(plane).astype(plane.dtype.newbyteorder("<"), copy=False)
    return hashlib.sha256(little.tobytes()).hexdigest()


def describe_plate(path: Path) -> dict:
    """Plate, well and image metadata of one plate, as the zarr library reads it."""
    root = zarr.open_group(path, mode="r")
    plate = root.attrs["ome"]["plate"]
    wells, images = {}, {}
    for well in plate["wells"]:
        well_attrs = root[well["path"]].attrs["ome"]["well"]
        wells[well["path"]] = well_attrs
        for field in well_attrs["images"]:
            image_path = f"{well['path']}/{field['path']}"
            image = root[image_path]
            ome = image.attrs["ome"]
            multiscale = ome["multiscales"][0]
            array = image[multiscale["datasets"][0]["path"]]
            images[image_path] = {
                "axes": multiscale["axes"],
                "channels": [c["label"] for c in ome["omero"]["channels"]],
                "windows": [c["window"] for c in ome["omero"]["channels"]],
                "shape": list(array.shape),
                "chunks": list(array.chunks),
                "dtype": str(array.dtype),
                "zarr_format": array.metadata.zarr_format,
                "dimension_names": list(array.metadata.dimension_names or []),
            }
    return {
        "plate": plate,
        "wells": wells,
        "images": images,
        "version": root.attrs["ome"]["version"],
    }


def ome_zarr_view(store: Path, plates: list[str], planes: list[dict]) -> dict:
    """Describe what ome_zarr's reader makes of each plate and image."""
    view = {}
    for plate in plates:
        nodes = list(Reader(parse_url(str(store / plate)))())
        mosaic = nodes[0].data[0]
        view[plate] = {
            "spec": type(nodes[0].specs[0]).__name__,
            "shape": list(mosaic.shape),
            "dtype": str(mosaic.dtype),
            "checksums": {},
        }
    images = {(p["plate"], p["image"]) for p in planes}
    for plate, image in sorted(images):
        node = next(iter(Reader(parse_url(str(store / plate / image)))()))
        data = node.data[0]
        for p in planes:
            if (p["plate"], p["image"]) == (plate, image):
                key = f"{plate}/{image}/{p['t']}/{p['c']}/{p['z']}"
                view[plate]["checksums"][key] = digest(data[p["t"], p["c"], p["z"]].compute())
    return view


def validate(path: Path) -> str:
    """Validate a plate with ome-zarr-models (NGFF 0.5)."""
    try:
        HCS.from_zarr(zarr.open_group(path, mode="r"))
    except Exception as error:  # noqa: BLE001 - any failure is the answer the test wants
        return f"{type(error).__name__}: {error}"
    return "ok"


def main() -> None:
    """Read the store named on the command line; planes to checksum come on stdin."""
    store = Path(sys.argv[1])
    planes = json.load(sys.stdin)
    plates = sorted(p.name for p in store.glob("*.ome.zarr"))
    checksums = {}
    for p in planes:
        array = zarr.open_array(store / p["plate"] / p["image"] / "0", mode="r")
        key = f"{p['plate']}/{p['image']}/{p['t']}/{p['c']}/{p['z']}"
        checksums[key] = digest(array[p["t"], p["c"], p["z"]])
    report = {
        "plates": {plate: describe_plate(store / plate) for plate in plates},
        "checksums": checksums,
        "ome_zarr": ome_zarr_view(store, plates, planes),
        "models": {plate: validate(store / plate) for plate in plates},
    }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
