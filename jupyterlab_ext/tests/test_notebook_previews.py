"""Previews delivery in the notebook: only the relay's previews cross; planes come when asked.

The real OpenHCS server and relay, the shim and its sidecar. ``delivery="previews"`` brings each
image's server-made preview to the widget's cache; ``run.images()`` and ``run.save()`` then fetch
the planes they need, bit-exact the TIFFs OpenHCS wrote.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import tifffile
import zarr
from conftest import make_plate
from test_notebook_run import output_tiffs

from openhcs_remote import RemoteOrchestrator

PIPELINE = """
from openhcs.core.steps.function_step import FunctionStep
from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize
pipeline_steps = [FunctionStep(func=(stack_percentile_normalize,
    {'low_percentile': 2.0, 'high_percentile': 98.0}), name='normalize')]
"""
CONFIG = """
from openhcs.core.config import GlobalPipelineConfig
config = GlobalPipelineConfig(num_workers=1)
"""


@pytest.fixture(scope="module")
def previewed(server, orchestrator_options, tmp_path_factory):
    plate = make_plate(tmp_path_factory.mktemp("previews") / "plate")
    orch = RemoteOrchestrator(**orchestrator_options, delivery="previews")
    run = orch.run_remote_pipeline(str(plate), PIPELINE, CONFIG)
    assert run.wait(240), f"run still {run.status}"
    assert run.status == "complete", run.exception(0)
    return run, output_tiffs(plate)


def test_every_image_has_its_preview_and_is_known_without_its_pixels_crossing(previewed):
    run, _ = previewed
    assert run.state.images_received == 12  # 3 wells × 2 sites × 2 channels
    assert len(run.display.previews) == 12
    # Nothing fetched yet: all twelve are known, and all are still on the server.
    listed, _ = run._sidecar.call("list_images", execution_id=run.execution_id)
    assert len(listed["images"]) == 12
    assert all(image.get("on_server") for image in listed["images"])


def test_run_images_fetches_the_planes_bit_exact(previewed):
    run, tiffs = previewed
    ours = run.images(well="A01")
    assert len(ours) == 4
    for key, plane in ours.items():
        on_disk = tifffile.imread(tiffs[(key.well, key.site, key.channel, key.z, key.timepoint)])
        assert plane.dtype == on_disk.dtype and np.array_equal(plane, on_disk), key
    listed, _ = run._sidecar.call("list_images", execution_id=run.execution_id)
    fetched = [image["well"] for image in listed["images"] if not image.get("on_server")]
    assert fetched == ["A01"] * 4, "only what was asked for crossed"


def test_save_fetches_every_plane_and_writes_them_bit_exact(previewed, tmp_path, capsys):
    run, tiffs = previewed
    listed, _ = run._sidecar.call("list_images", execution_id=run.execution_id)
    on_server = [image for image in listed["images"] if image.get("on_server")]
    assert on_server, "some planes are still on the server before the save"
    capsys.readouterr()
    target = run.save(tmp_path / "saved")
    # The fetch showed a progress bar, ending at every plane and byte it had to bring.
    last = capsys.readouterr().err.rstrip("\n").split("\r")[-1]
    mib = sum(int(np.prod(i["shape"])) * np.dtype(i["dtype"]).itemsize for i in on_server) / 2**20
    assert re.search(
        rf"saving run {run.execution_id} to .*: \[#{{20}}\] 100%  {len(on_server)}/{len(on_server)}"
        rf" planes · {mib:.1f} MiB of {mib:.1f} MiB",
        last,
    ), last
    planes = 0
    for array_path in sorted(target.rglob("zarr.json")):
        node = zarr.open(str(array_path.parent), mode="r")
        if isinstance(node, zarr.Array) and node.ndim == 5:
            planes += int(np.prod(node.shape[:3]))
    assert planes == 12
    ours = run.images()
    listed, _ = run._sidecar.call("list_images", execution_id=run.execution_id)
    assert not any(image.get("on_server") for image in listed["images"]), "all fetched by now"
    assert len(ours) == 12
    for key, plane in ours.items():
        on_disk = tifffile.imread(tiffs[(key.well, key.site, key.channel, key.z, key.timepoint)])
        assert np.array_equal(plane, on_disk), key


def test_full_delivery_still_brings_every_plane_as_it_arrives(
    server, orchestrator_options, tmp_path
):
    # 256² planes: 128 KiB frames, which the sidecar frees as soon as it has stored each one.
    plate = make_plate(tmp_path / "plate", wells=("A01",), tile=256)
    assert RemoteOrchestrator(**orchestrator_options).delivery == "previews"  # the default
    run = RemoteOrchestrator(**orchestrator_options, delivery="full").run_remote_pipeline(
        str(plate), PIPELINE, CONFIG
    )
    assert run.wait(240) and run.status == "complete", run.exception(0)
    listed, _ = run._sidecar.call("list_images", execution_id=run.execution_id)
    assert len(listed["images"]) == 4
    assert not any(image.get("on_server") for image in listed["images"]), "all stored already"
    tiffs = output_tiffs(plate)
    for key, plane in run.images().items():  # from the sidecar's store: nothing fetched
        on_disk = tifffile.imread(tiffs[(key.well, key.site, key.channel, key.z, key.timepoint)])
        assert plane.shape == (256, 256) and np.array_equal(plane, on_disk), key
