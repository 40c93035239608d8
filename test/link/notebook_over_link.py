"""The kernel's side of ``link-notebook.test.ts``, run inside the user's network namespace.

A notebook user's calls, through the delay proxies to the server host: run a pipeline with the
shim's defaults (previews delivery), then ask for full resolution the three ways a user does —
the stack viewer's fetch (the widget's ``fetch_plane`` command handler), ``run.images()`` and
``run.save()`` — and compare every plane with the TIFF OpenHCS wrote on the server host (same
machine, so the test can read it). One seq is also fetched with the test's own relay client to
learn where the relay served it from (spool or OpenHCS's file). Prints one JSON line.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import tifffile
import zarr
from openhcs_remote import RemoteOrchestrator

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "jupyterlab_ext" / "tests"))
from relay_client import RelayClient  # the test suite's own client (path above)

FILENAME = re.compile(
    r"(?P<well>[A-P]\d\d)_s(?P<site>\d+)_w(?P<channel>\d+)_z(?P<z>\d+)_t(?P<t>\d+)"
)


def openhcs_tiffs(plate: Path) -> dict[tuple[str, int, int, int, int], Path]:
    """OpenHCS's output TIFFs of the run by (well, site, channel, z, timepoint)."""
    found = {}
    for path in (plate.parent / f"{plate.name}_openhcs" / "images").glob("*.tif"):
        parts = FILENAME.search(path.name)
        if parts is not None:
            found[(parts["well"], *(int(parts[k]) for k in ("site", "channel", "z", "t")))] = path
    return found


def main() -> None:
    port, relay_port, plate_text, pipeline, config = sys.argv[1:6]
    plate = Path(plate_text)
    orch = RemoteOrchestrator("127.0.0.1", int(port), relay=("127.0.0.1", int(relay_port)))
    run = orch.run_remote_pipeline(str(plate), Path(pipeline).read_text(), Path(config).read_text())
    assert run.wait(300), "the run did not end in 300 s"
    assert run.status == "complete", run.exception(0)
    listed, _ = run._sidecar.call("list_images", execution_id=run.execution_id)
    images = listed["images"]
    left_on_server = sum(1 for image in images if image.get("on_server"))
    tiffs = openhcs_tiffs(plate)

    def exact(key, plane: np.ndarray) -> bool:
        on_disk = tifffile.imread(tiffs[(key.well, key.site, key.channel, key.z, key.timepoint)])
        return plane.dtype == on_disk.dtype and np.array_equal(plane, on_disk)

    keys = run.image_keys()
    first = keys[0]
    started = time.monotonic()
    header, buffers = run.display._plane_reply(first)  # what the viewer's "Full resolution" runs
    viewer_ms = (time.monotonic() - started) * 1000
    viewer_plane = np.frombuffer(bytes(buffers[0]), dtype=header["dtype"]).reshape(header["shape"])
    viewer_exact = exact(first, viewer_plane)

    fetched = run.images()
    images_exact = sum(1 for key, plane in fetched.items() if exact(key, plane))
    target = run.save(Path(sys.argv[6]))
    saved_planes = saved_sum = 0
    for array_path in sorted(target.rglob("zarr.json")):
        node = zarr.open(str(array_path.parent), mode="r")
        if isinstance(node, zarr.Array) and node.ndim == 5:
            data = node[...]
            saved_planes += int(np.prod(data.shape[:3]))
            saved_sum += int(data.astype(np.int64).sum())
    tiff_sum = sum(int(tifffile.imread(p).astype(np.int64).sum()) for p in tiffs.values())

    with RelayClient(f"tcp://127.0.0.1:{relay_port}") as client:
        sources = {
            seq: client.fetch_plane(run.execution_id, seq, "raw")["header"]["source"]
            for seq in (1, len(images))
        }
    print(
        json.dumps(
            {
                "execution_id": run.execution_id,
                "images": len(images),
                "left_on_server": left_on_server,
                "tiffs": len(tiffs),
                "viewer_exact": viewer_exact,
                "viewer_ms": round(viewer_ms),
                "images_exact": images_exact,
                "saved_planes": saved_planes,
                "saved_sum": saved_sum,
                "tiff_sum": tiff_sum,
                "gaps": run.state.gaps,
                "sources": sources,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
